// Runs on LocalHost, launched detached through the same scripts a pod gets, followed from
// their log. The real ai-toolkit's runs are in run-real.test.ts; here the stand-in run.py
// (native/fixtures/ai-toolkit-standin, printing what the real one prints) gives the failures
// the real program cannot be made to produce cheaply: OOM, an unusable checkpoint, a kill.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Studio } from '../../src-main/studio';
import { ENDED, newDataDir, planAndStart, waitRun } from './helpers';
import { studioPool } from './studio-pool';

const studios = studioPool();
const studioFor = (dataDir: string): Promise<Studio> => studios.open(dataDir);

function hostRunDir(dataDir: string, name: string) {
  return path.join(dataDir, 'training-host', 'trainings', name);
}

function killGroup(dataDir: string, name: string, signal: string) {
  const pid = fs.readFileSync(path.join(hostRunDir(dataDir, name), 'pid'), 'utf8').trim();
  execFileSync('kill', [`-${signal}`, '--', `-${pid}`]);
}

describe('plumbing with the stand-in ai-toolkit (failures the real program cannot be made to produce cheaply)', () => {
  test('a resume that restarts from 0 is reported', async () => {
    const dataDir = newDataDir('faces', 3);
    const studio = await studioFor(dataDir);
    const run = await planAndStart(studio, { name: 'restart_zero', steps: 30, saveEvery: 4, sampleEvery: 100, stepSeconds: 0.1 });
    await waitRun(studio, run.id, (r) => r.step >= 6);
    await studio.training.stop(run.id);
    const stopped = await waitRun(studio, run.id, ENDED);
    const expected = Math.floor((stopped.step - 1) / 4) * 4; // step_num N is saved while the bar shows N
    // A checkpoint ai-toolkit cannot use: the studio expects the newest file's step, the
    // stand-in reads its metadata as step 0 — like a resume bug (#329, #688): training restarts.
    const out = path.join(hostRunDir(dataDir, 'restart_zero'), 'restart_zero');
    const newest = fs.readdirSync(out).filter((f) => f.endsWith('.safetensors')).sort().pop() as string;
    const header = Buffer.from(JSON.stringify({ __metadata__: { training_info: JSON.stringify({ step: 0 }) } }));
    fs.writeFileSync(path.join(out, newest), Buffer.concat([Buffer.from(new BigUint64Array([BigInt(header.length)]).buffer), header]));
    await studio.training.resume(run.id);
    const r = await waitRun(studio, run.id, (x) => x.resumeNote !== null);
    expect(r.resumeNote).toBe(`Resumed from step 0, expected ${expected}.`);
    await studio.training.stop(run.id);
    await waitRun(studio, run.id, ENDED);
  });

  test('an out-of-memory abort ends the run as a clear failure', async () => {
    const dataDir = newDataDir('faces', 3);
    const studio = await studioFor(dataDir);
    const run = await planAndStart(studio, { name: 'oom_run', steps: 20, saveEvery: 10, sampleEvery: 100, stepSeconds: 0.05, oomAt: 4 });
    const end = await waitRun(studio, run.id, ENDED);
    expect(end.state).toBe('failed');
    expect(end.error?.code).toBe('oom');
    expect(end.error?.message).toMatch(/Out of GPU memory at step 3/);
    expect(end.error?.message).toMatch(/smaller preset/);
  });

  test('a process killed outright is reported lost; it can be marked stopped', async () => {
    const dataDir = newDataDir('faces', 3);
    const studio = await studioFor(dataDir);
    const run = await planAndStart(studio, { name: 'killed', steps: 200, saveEvery: 100, sampleEvery: 100, stepSeconds: 0.1 });
    await waitRun(studio, run.id, (r) => r.step >= 2);
    killGroup(dataDir, 'killed', 'KILL');
    const end = await waitRun(studio, run.id, ENDED);
    expect(end.state).toBe('lost');
    expect(end.error?.code).toBe('process_gone');
    const marked = studio.training.markStopped(run.id);
    expect(marked.state).toBe('stopped');
  });

  test('start refuses YAML whose paths are not the target’s, and duplicate names', async () => {
    const dataDir = newDataDir('faces', 3);
    const studio = await studioFor(dataDir);
    const plan = await studio.training.plan({ dataset: 'faces', model: 'sd15', preset: '24gb-quick', name: 'paths', trigger: 'tok' });
    const bad = plan.yaml.replace(/training_folder: .*/, 'training_folder: /somewhere/else/paths');
    await expect(studio.training.start({ yaml: bad, dataset: 'faces', model: 'sd15', target: 'local' })).rejects.toMatchObject({
      field: 'yaml.config.process[0].training_folder',
    });
    const noNetwork = plan.yaml.replace(/\n\s+network:\n(\s+\w+: .*\n){3}/, '\n');
    expect(noNetwork).not.toMatch(/^\s+network:/m);
    await expect(studio.training.start({ yaml: noNetwork, dataset: 'faces', model: 'sd15', target: 'local' })).rejects.toMatchObject({
      code: 'invalid_input',
      field: 'yaml.config.process[0].network',
    });
  });
});
