// Real runs on LocalHost: the stand-in run.py (real Python, real time) launched detached
// through the same scripts a pod gets, followed from its log, artifacts pulled.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Studio } from '../../src-main/studio';
import type { TrainingRun } from '@shared/contract/training';
import { ENDED, newDataDir, planAndStart, studioPool, waitRun } from './helpers';

const studios = studioPool();
const studioFor = (dataDir: string): Promise<Studio> => studios.open(dataDir);

function hostRunDir(dataDir: string, name: string) {
  return path.join(dataDir, 'training-host', 'trainings', name);
}

/** Steps whose loss the studio recorded. */
function lossSteps(studio: Studio, id: string): number[] {
  return studio.training.get(id).loss.map((p) => p.step);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function killGroup(dataDir: string, name: string, signal: string) {
  const pid = fs.readFileSync(path.join(hostRunDir(dataDir, name), 'pid'), 'utf8').trim();
  execFileSync('kill', [`-${signal}`, '--', `-${pid}`]);
}

describe('training on LocalHost with the stand-in ai-toolkit', () => {
  test('a full run: progress for every step, samples and checkpoints arrive while it trains, then completes', async () => {
    const dataDir = newDataDir('faces', 6);
    const studio = await studioFor(dataDir);
    const seen: TrainingRun[] = [];
    studio.events.subscribe((name, payload) => {
      if (name === 'training.updated') seen.push(payload as TrainingRun);
    });
    const run = await planAndStart(studio, { name: 'full_run', steps: 12, saveEvery: 4, sampleEvery: 4, stepSeconds: 0.15 });
    expect(run.state).toBe('preparing');
    // Samples and a checkpoint are here before the run ends.
    const mid = await waitRun(studio, run.id, (r) => r.checkpointCount >= 1 && r.sampleCount >= 4);
    expect(mid.state).toBe('running');
    expect(mid.step).toBeLessThan(12);
    const end = await waitRun(studio, run.id, ENDED);
    expect(end.state).toBe('completed');
    expect(end.error).toBeNull();
    expect(end.step).toBe(12);

    const d = studio.training.get(run.id);
    expect(d.loss.map((p) => p.step)).toEqual(range(1, 12));
    expect(d.loss.every((p) => p.loss > 0 && p.loss < 1)).toBe(true);
    expect(d.checkpoints.map((c) => c.file).sort()).toEqual(['full_run.safetensors', 'full_run_000000004.safetensors', 'full_run_000000008.safetensors']);
    expect(d.checkpoints[0]).toMatchObject({ final: true, step: null });
    // Baseline (0), 4, 8 and the final 12, two prompts each: ai-toolkit's names.
    expect(d.samples.map((s) => `${s.step}:${s.prompt}`)).toEqual(['0:0', '0:1', '4:0', '4:1', '8:0', '8:1', '12:0', '12:1']);
    expect(d.samples[1]?.promptText).toBe('a portrait of [trigger]');
    for (const s of d.samples) expect(s.file).toMatch(/^\d+__\d{9}_\d\.jpg$/);
    const url = studio.training.sampleDataUrl(run.id, d.samples[0]?.file as string);
    expect(url.startsWith('data:image/jpeg;base64,/9j/')).toBe(true);
    // Fetched files are byte-identical to the host's.
    for (const c of d.checkpoints) {
      expect(fs.readFileSync(c.path)).toEqual(fs.readFileSync(path.join(hostRunDir(dataDir, 'full_run'), 'full_run', c.file)));
    }
    // The local log mirror is the host log, byte for byte.
    expect(fs.readFileSync(path.join(dataDir, 'trainings', 'full_run', 'train.log'))).toEqual(fs.readFileSync(path.join(hostRunDir(dataDir, 'full_run'), 'train.log')));
    expect(d.logTail).toContain(' - 1 completed job');
    // Progress events came live, with an ETA while running.
    const running = seen.filter((r) => r.state === 'running' && r.step > 0 && r.step < 12);
    expect(running.length).toBeGreaterThan(5);
    expect(running.some((r) => r.etaSeconds !== null && r.etaSeconds > 0)).toBe(true);
    // The config the host ran is the YAML the user reviewed.
    const hostConfig = JSON.parse(fs.readFileSync(path.join(hostRunDir(dataDir, 'full_run'), 'config.json'), 'utf8')) as { config: { process: { network: unknown }[] } };
    expect(hostConfig.config.process[0]?.network).toEqual({ type: 'lora', linear: 8, linear_alpha: 8 });
    // The trained LoRA is offered to Generate.
    const loras = studio.training.trainedLoras();
    expect(loras[0]).toMatchObject({ runId: 'full_run', final: true, file: 'full_run.safetensors', trigger: 'p3r5on', model: 'flux-dev' });
  });

  test('closing the studio mid-run leaves the run going; a new studio reattaches and nothing is missing', async () => {
    const dataDir = newDataDir('faces', 4);
    const first = await studioFor(dataDir);
    const run = await planAndStart(first, { name: 'survivor', steps: 30, saveEvery: 5, sampleEvery: 10, stepSeconds: 0.12 });
    await waitRun(first, run.id, (r) => r.step >= 6);
    await first.close();
    studios.forget(first);
    // The process lives on without any studio.
    const pid = Number(fs.readFileSync(path.join(hostRunDir(dataDir, 'survivor'), 'pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).not.toThrow();
    await new Promise((r) => setTimeout(r, 1200));

    const second = await studioFor(dataDir);
    const again = second.training.list().find((r) => r.id === 'survivor');
    expect(again?.state).toBe('running');
    expect(again?.attached).toBe(true);
    const end = await waitRun(second, 'survivor', ENDED);
    expect(end.state).toBe('completed');
    expect(lossSteps(second, 'survivor')).toEqual(range(1, 30));
    const d = second.training.get('survivor');
    expect(d.checkpoints.map((c) => c.step)).toEqual([null, 25, 20, 15, 10, 5]);
    expect(d.samples.map((s) => s.step)).toEqual([0, 0, 10, 10, 20, 20, 30, 30]);
    expect(fs.readFileSync(path.join(dataDir, 'trainings', 'survivor', 'train.log'))).toEqual(fs.readFileSync(path.join(hostRunDir(dataDir, 'survivor'), 'train.log')));
  });

  test('a run that finished while the studio was away is completed on start-up, final checkpoint fetched', async () => {
    const dataDir = newDataDir('faces', 3);
    const first = await studioFor(dataDir);
    const run = await planAndStart(first, { name: 'finished_away', steps: 10, saveEvery: 5, sampleEvery: 5, stepSeconds: 0.1 });
    await waitRun(first, run.id, (r) => r.step >= 2);
    await first.close();
    studios.forget(first);
    const hostDir = hostRunDir(dataDir, 'finished_away');
    for (let i = 0; i < 100 && !fs.existsSync(path.join(hostDir, 'exit_code')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.readFileSync(path.join(hostDir, 'exit_code'), 'utf8').trim()).toBe('0');

    const second = await studioFor(dataDir);
    const end = await waitRun(second, 'finished_away', ENDED);
    expect(end.state).toBe('completed');
    expect(lossSteps(second, 'finished_away')).toEqual(range(1, 10));
    expect(second.training.get('finished_away').checkpoints.map((c) => c.file)).toContain('finished_away.safetensors');
  });

  test('stop sends SIGINT ("Job stopped"); resume continues from the newest checkpoint, confirmed from the log', async () => {
    const dataDir = newDataDir('faces', 4);
    const studio = await studioFor(dataDir);
    const run = await planAndStart(studio, { name: 'stop_resume', steps: 24, saveEvery: 5, sampleEvery: 100, stepSeconds: 0.12 });
    await waitRun(studio, run.id, (r) => r.step >= 12);
    await studio.training.stop(run.id);
    const stopped = await waitRun(studio, run.id, ENDED);
    expect(stopped.state).toBe('stopped');
    expect(stopped.error).toBeNull();
    expect(studio.training.get(run.id).logTail.join('\n')).toMatch(/Job stopped/);
    const stoppedAt = stopped.step;
    expect(stoppedAt).toBeGreaterThanOrEqual(12);

    const resumed = studio.training.resume(run.id);
    // The resume is a new training.run job in the target's lane: queued until the stopped run's job has ended, then preparing.
    expect(['queued', 'preparing']).toContain(resumed.state);
    expect(resumed.jobId).not.toBe(stopped.jobId);
    expect(studio.jobs.get(resumed.jobId as string)).toMatchObject({ kind: 'training.run', lane: 'training:local', title: 'Resume training stop_resume' });
    await waitRun(studio, run.id, (r) => r.state === 'running');
    const confirmed = await waitRun(studio, run.id, (r) => r.resumedFromStep !== null);
    // Newest checkpoint at stop time: the last multiple of 5 at or below the stop step.
    expect(confirmed.resumedFromStep).toBe(Math.floor(stoppedAt / 5) * 5);
    expect(confirmed.resumeNote).toBeNull();
    const end = await waitRun(studio, run.id, ENDED);
    expect(end.state).toBe('completed');
    expect(end.step).toBe(24);
    expect(lossSteps(studio, run.id)).toEqual(range(1, 24));
    const tail = studio.training.get(run.id).logTail.join('\n');
    expect(tail).toMatch(/Found step \d+ in metadata, starting from there/);
  });

  test('a resume that restarts from 0 is reported', async () => {
    const dataDir = newDataDir('faces', 3);
    const studio = await studioFor(dataDir);
    const run = await planAndStart(studio, { name: 'restart_zero', steps: 30, saveEvery: 4, sampleEvery: 100, stepSeconds: 0.1 });
    await waitRun(studio, run.id, (r) => r.step >= 6);
    await studio.training.stop(run.id);
    const stopped = await waitRun(studio, run.id, ENDED);
    const expected = Math.floor(stopped.step / 4) * 4;
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
