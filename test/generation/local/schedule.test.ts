// The samplers' schedules against diffusers' own scheduler output for the real configs
// (DIR/schedules.json from scripts/onnx-fixtures.sh), every entry, and the CLI command.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { calculateShift, KNOWN_SCHEDULES, knownSchedule, parseSchedulerConfig, type KnownScheduleModel } from '../../../src-main/generation/local/schedule';
import { REPO_ROOT } from '../../helpers/studio';
import { onnxFixtures } from './helpers';

interface Entry {
  model: KnownScheduleModel;
  steps: number;
  width: number;
  height: number;
  sigmas: number[];
  timesteps: number[];
  mu?: number;
  init_noise_sigma?: number;
}

let entries: Entry[] = [];
beforeAll(() => {
  entries = JSON.parse(fs.readFileSync(path.join(onnxFixtures(), 'schedules.json'), 'utf8')) as Entry[];
}, 40 * 60_000);

/**
 * 1e-6 absolute; above 1 (SD-Turbo's first sigmas, up to 14.6, and timesteps) one float32
 * unit of the value: torch's vectorised float32 sqrt is not always correctly rounded.
 */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

describe('schedules = diffusers (FlowMatchEulerDiscreteScheduler / EulerDiscreteScheduler)', () => {
  test('every entry of schedules.json, within 1e-6', () => {
    expect(entries.length).toBeGreaterThanOrEqual(30);
    let worst = 0;
    const models = new Set<string>();
    for (const e of entries) {
      models.add(e.model);
      const s = knownSchedule(e.model, e.steps, e.width, e.height);
      const what = `${e.model} ${e.steps} steps ${e.width}×${e.height}`;
      expect(s.sigmas.length, what).toBe(e.sigmas.length);
      expect(s.timesteps.length, what).toBe(e.timesteps.length);
      e.sigmas.forEach((v, i) => expect(close(s.sigmas[i]!, v), `${what} sigma[${i}] ${s.sigmas[i]} vs ${v}`).toBe(true));
      e.timesteps.forEach((v, i) => expect(close(s.timesteps[i]!, v), `${what} timestep[${i}] ${s.timesteps[i]} vs ${v}`).toBe(true));
      if (e.mu !== undefined && e.model !== 'sd-turbo') expect(Math.abs(s.mu! - e.mu)).toBeLessThan(1e-12);
      if (e.init_noise_sigma !== undefined) expect(close(s.initNoiseSigma, e.init_noise_sigma)).toBe(true);
      for (let i = 0; i < e.sigmas.length; i++) worst = Math.max(worst, Math.abs(s.sigmas[i]! - e.sigmas[i]!));
    }
    expect([...models].sort()).toEqual(['flux-dev', 'flux-schnell', 'sd-turbo', 'sdxl-turbo']);
    console.log(`schedules: ${entries.length} entries, worst sigma difference ${worst.toExponential(2)}`);
  });

  test('the worked numbers of the reference notes', () => {
    expect(calculateShift(4096)).toBeCloseTo(1.15, 12);
    expect(calculateShift(1024)).toBeCloseTo(0.63, 12);
    expect(knownSchedule('flux-dev', 4, 1024, 1024).sigmas.map((v) => +v.toFixed(6))).toEqual([1, 0.904531, 0.759511, 0.512844, 0]);
    expect(knownSchedule('flux-schnell', 4, 1024, 1024).sigmas).toEqual([1, 0.75, 0.5, 0.25, 0]);
    const sd = knownSchedule('sd-turbo', 4, 512, 512);
    expect(sd.timesteps).toEqual([999, 749, 499, 249]);
    // The notes give float64 values; the scheduler works in float32.
    [14.614641, 4.081729, 1.612886, 0.693205].forEach((v, i) => expect(sd.sigmas[i]).toBeCloseTo(v, 4));
    // SDXL-Turbo: the same trailing Euler schedule (schedules.json's sdxl-turbo entries come from the
    // EulerAncestralDiscreteScheduler config stabilityai/sdxl-turbo ships, and match it above).
    expect(knownSchedule('sdxl-turbo', 4, 512, 512)).toEqual(sd);
  });

  test('scheduler configs: the real ones parse, unsupported options are refused by name', () => {
    expect(parseSchedulerConfig({ _class_name: 'FlowMatchEulerDiscreteScheduler', shift: 3, use_dynamic_shifting: true }).kind).toBe('flow-match');
    expect(() => parseSchedulerConfig({ _class_name: 'EulerDiscreteScheduler', use_karras_sigmas: true })).toThrow(/use_karras_sigmas/);
    expect(() => parseSchedulerConfig({ _class_name: 'DDIMScheduler' })).toThrow(/DDIMScheduler is not supported/);
    // stabilityai/sdxl-turbo's scheduler: the Euler schedule with the ancestral step.
    const sdxl = { _class_name: 'EulerAncestralDiscreteScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1, timestep_spacing: 'trailing', prediction_type: 'epsilon' };
    const parsed = parseSchedulerConfig(sdxl);
    expect(parsed).toEqual({ kind: 'euler', config: { ...KNOWN_SCHEDULES['sdxl-turbo'].config, ancestral: true } });
    expect(parseSchedulerConfig({ ...sdxl, _class_name: 'EulerDiscreteScheduler' })).toEqual(KNOWN_SCHEDULES['sdxl-turbo']);
    expect(() => parseSchedulerConfig({ ...sdxl, rescale_betas_zero_snr: true })).toThrow(/rescale_betas_zero_snr/);
  });
});

describe('flux-studio schedule', () => {
  test('prints one JSON object with sigmas and timesteps equal to diffusers\'', () => {
    const bin = path.join(REPO_ROOT, 'bin', 'flux-studio.cjs');
    if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', 'cli.js'))) throw new Error('out/main/cli.js is missing: run `npm run build` first');
    for (const e of entries.filter((x) => x.steps === 4 && x.width === 1024 && x.height === 768)) {
      const r = spawnSync(process.execPath, [bin, 'schedule', '--model', e.model, '--steps', '4', '--width', '1024', '--height', '768', '--json'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const out = JSON.parse(lines[0]!) as { sigmas: number[]; timesteps: number[] };
      e.sigmas.forEach((v, i) => expect(close(out.sigmas[i]!, v)).toBe(true));
      e.timesteps.forEach((v, i) => expect(close(out.timesteps[i]!, v)).toBe(true));
    }
    const bad = spawnSync(process.execPath, [bin, 'schedule', '--model', 'sdxl', '--steps', '4'], { encoding: 'utf8', timeout: 30_000 });
    expect(bad.status).toBe(2);
  });
});
