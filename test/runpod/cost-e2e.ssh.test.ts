// Cost control end to end against the local RunPod server (test/helpers/runpod-server) and its
// loopback pods: per-job cost stored with the job (GPU $/h x running seconds), the session
// budget cap reached mid-queue (the image being made finishes, the pod is stopped, the rest is
// refused naming the cap and the way out), the over-budget question before a training, and
// "Train on RunPod" with the real ai-toolkit on the tiny FLUX: one call creates the pod,
// prepares it, trains, brings the LoRA home and stops the pod.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, Job, PodProfile } from '@shared/contract';
import type { SpendMeter } from '@shared/contract/runpod';
import type { TrainingEstimate, TrainingRun } from '@shared/contract/training';
import type { Studio } from '../../src-main/studio';
import { startRunpodServer, type RunpodTestServer } from '../helpers/runpod-server';
import { unwrap, waitForJob } from '../helpers/remote-pod';
import { requireSshd } from '../helpers/sshd';
import { makeRunpodStudio } from '../helpers/runpod-studio';
import { ENDED, waitRun } from '../training/helpers';
import { cheapSamples, podToolkitVolume, realDataset, tinyFluxDev, vendoredToolkitSource } from '../training/real-toolkit';

requireSshd();

const A5000 = 'NVIDIA RTX A5000';
const A5000_USD_PER_HR = 0.27; // the local server's secure price (helpers/runpod-server/catalog.ts)

let rp: RunpodTestServer;
let studio: Studio;
let mount: string;

async function call<T>(name: string, payload: unknown): Promise<T> {
  return unwrap<T>((await studio.dispatch(name, payload)) as Envelope<T>);
}
async function fail(name: string, payload: unknown): Promise<{ code: string; message: string; field?: string }> {
  const e = (await studio.dispatch(name, payload)) as Envelope<unknown>;
  if (e.ok) throw new Error(`${name} succeeded`);
  return e.error;
}
const seconds = (j: Job) => (Date.parse(j.finishedAt as string) - Date.parse(j.startedAt as string)) / 1000;

beforeAll(async () => {
  rp = await startRunpodServer({ delays: { provisionMs: 200, startMs: 200 } });
  ({ studio, mount } = await makeRunpodStudio(rp, {
    mountPrefix: 'flux-rp-cost-',
    runpod: { timing: { pollMs: 100, watchMs: 250 }, retry: { initialDelayMs: 50, maxDelayMs: 200, maxRetries: 3 } },
    rest: {
      training: { pollMs: 100, stopGraceMs: 10_000, aiToolkit: vendoredToolkitSource() },
      pods: { workerEnv: { FLUX_STUDIO_STANDIN_STEP_MS: '250' }, reconnect: { initialDelayMs: 100, maxDelayMs: 500, giveUpAfterMs: 20_000 } },
    },
  }));
  unwrap(await studio.dispatch('settings.update', { openAfterGenerate: false }));
}, 180_000);

afterAll(async () => {
  await studio?.close();
  const violations = rp?.violations() ?? [];
  await rp?.close();
  expect(violations).toEqual([]);
});

describe('cost control against the local RunPod server', () => {
  let profile: PodProfile;
  let podId = '';

  it('a generation on a RunPod pod stores its cost: the pod\'s GPU $/h x the job\'s running seconds', async () => {
    const create = await call<Job>('runpod.create', { name: 'cost pod', gpuTypeIds: [A5000], cloud: 'SECURE', image: null, containerDiskGb: 20, storage: { kind: 'volume', sizeGb: 20 } });
    const created = await waitForJob(studio, create.id, 120_000);
    expect(created.error).toBeNull();
    const result = created.result as { id: string; profileId: string };
    podId = result.id;
    profile = studio.pods.get(result.profileId);
    const job = await call<Job>('generation.submit', { draft: { prompt: 'a lighthouse', quality: 'fast', seed: 1 }, runtime: 'remote', podId: profile.id });
    const done = await waitForJob(studio, job.id, 120_000);
    expect(done.state).toBe('succeeded');
    expect(done.costUsd).not.toBeNull();
    expect(done.costUsd).toBeCloseTo(A5000_USD_PER_HR * (seconds(done) / 3600), 6);
    // Read back as stored.
    expect(studio.jobs.get(job.id).costUsd).toBe(done.costUsd);
  }, 240_000);

  it('the session cap reached mid-queue: the image being made finishes, the pod is stopped, the rest is refused naming the cap', async () => {
    const spent = (await call<SpendMeter>('runpod.spend', {})).sessionUsd;
    // About 3 s of this pod (0.27 $/h compute + its disks) from now.
    await call('settings.update', { runpodBudgetSessionUsd: spent + 0.00025 });
    const queued: Job[] = [];
    for (let i = 0; i < 8; i++) queued.push(await call<Job>('generation.submit', { draft: { prompt: `a boat ${i}`, quality: 'fast', seed: 10 + i }, runtime: 'remote', podId: profile.id }));
    const ended = await Promise.all(queued.map((j) => waitForJob(studio, j.id, 120_000)));
    const states = ended.map((j) => j.state);
    const firstRefused = states.indexOf('failed');
    expect(firstRefused).toBeGreaterThan(0); // some images were made before the cap
    // Every image started was finished (none cancelled mid-image); everything after was refused.
    expect(states.slice(0, firstRefused).every((s) => s === 'succeeded')).toBe(true);
    for (const j of ended.slice(firstRefused)) {
      expect(j.state).toBe('failed');
      expect(j.error?.code).toBe('budget_cap');
      expect(j.error?.message).toMatch(/The RunPod session budget of \$0\.\d\d is reached .*raise or clear Session budget \(runpodBudgetSessionUsd\) in Settings/);
      expect(j.costUsd).toBeNull();
    }
    for (const j of ended.slice(0, firstRefused)) expect(j.costUsd).toBeCloseTo(A5000_USD_PER_HR * (seconds(j) / 3600), 6);
    // The pod is stopped after the last image (compute billing ends).
    await rp.waitFor(podId, 'EXITED', 20_000);
    const lastImageEnd = Math.max(...ended.slice(0, firstRefused).map((j) => Date.parse(j.finishedAt as string)));
    expect(lastImageEnd).toBeLessThanOrEqual(Date.now());
    // A new job on the pod is refused at once, with the way out; raising the cap lets it run (the pod is started again).
    const refused = await fail('generation.submit', { draft: { prompt: 'one more', quality: 'fast', seed: 99 }, runtime: 'remote', podId: profile.id });
    expect(refused.code).toBe('conflict');
    expect(refused.message).toMatch(/session budget .* is reached/);
    await call('settings.update', { runpodBudgetSessionUsd: null });
    const again = await call<Job>('generation.submit', { draft: { prompt: 'one more', quality: 'fast', seed: 99 }, runtime: 'remote', podId: profile.id });
    expect((await waitForJob(studio, again.id, 120_000)).state).toBe('succeeded');
    await call('runpod.stop', { id: podId });
  }, 300_000);

  it('a training whose estimate exceeds what is left of the budget asks first (confirmOverBudget), and no run is made', async () => {
    await realDataset(path.join(studio.info.dataDir, 'datasets', 'faces'), 4);
    const spent = (await call<SpendMeter>('runpod.spend', {})).sessionUsd;
    await call('settings.update', { runpodBudgetSessionUsd: spent + 0.05 });
    const est = await call<TrainingEstimate>('training.estimate', { target: 'runpod-new', model: 'flux-dev', steps: 2000, runpod: { gpuTypeId: A5000, cloud: 'SECURE' } });
    expect(est).toMatchObject({ gpu: A5000, basis: 'default', ratePerHr: A5000_USD_PER_HR, budgetCap: 'session', exceedsBudget: true });
    const plan = await call<{ yaml: string }>('training.plan', { dataset: 'faces', model: 'flux-dev', preset: '24gb-quick', target: 'runpod-new', name: 'too_dear', steps: 2000 });
    const asked = await fail('training.start', { yaml: plan.yaml, dataset: 'faces', model: 'flux-dev', target: 'runpod-new', runpod: { gpuTypeId: A5000, cloud: 'SECURE' } });
    expect(asked).toMatchObject({ code: 'conflict', field: 'confirmOverBudget' });
    expect(asked.message).toMatch(/estimated cost \$\d+\.\d\d .* is more than the \$0\.0\d left of the session budget \(runpodBudgetSessionUsd\): confirm to start anyway/);
    expect((await call<TrainingRun[]>('training.list', {})).some((r) => r.id === 'too_dear')).toBe(false);
    await call('settings.update', { runpodBudgetSessionUsd: null });
  }, 60_000);

  it('Train on RunPod: one start creates the pod, prepares it, trains with the real ai-toolkit, brings the LoRA home and stops the pod', async () => {
    // <workspace>/ai-toolkit on the volume test/training keeps warm (the studio's install check is a no-op there).
    const volume = path.join(podToolkitVolume(), 'ai-toolkit');
    fs.mkdirSync(volume, { recursive: true });
    fs.symlinkSync(volume, path.join(mount, 'ai-toolkit'));
    const plan = await call<{ yaml: string }>('training.plan', {
      dataset: 'faces', model: 'flux-dev', preset: '24gb-quick', target: 'runpod-new', name: 'rented_run', trigger: 'p3r5on', baseModel: tinyFluxDev(),
      steps: 3, saveEvery: 1000, sampleEvery: 1000, resolutions: [512], quantize: false, lowVram: false, skipFirstSample: true, samplePrompts: ['[trigger] smiling'],
    });
    expect(plan.yaml).toContain(`training_folder: ${mount}/trainings/rented_run`);
    const before = new Set(rp.pods().map((p) => p.id));
    const started = await call<TrainingRun>('training.start', { yaml: cheapSamples(plan.yaml), dataset: 'faces', model: 'flux-dev', target: 'runpod-new', runpod: { gpuTypeId: A5000, cloud: 'SECURE' } });
    expect(started.hostLabel).toBe(`RunPod: new pod (${A5000})`);
    const end = await waitRun(studio, started.id, ENDED, 15 * 60_000);
    expect(end.error).toBeNull();
    expect(end.state).toBe('completed');
    expect(end.checkpointCount).toBeGreaterThan(0); // the LoRA came home
    const made = rp.pods().filter((p) => !before.has(p.id));
    expect(made).toHaveLength(1);
    const pod = made[0]!;
    expect(pod.gpu?.id).toBe(A5000);
    expect(end.target).toBe(`pod:${studio.pods.list().find((p) => p.runpodId === pod.id)?.id}`);
    await rp.waitFor(pod.id, 'EXITED', 20_000); // stopped after the run (runpodAfterTraining: stop)
    await studio.jobs.whenIdle();
    const job = studio.jobs.get(end.jobId as string);
    expect(job.state).toBe('succeeded');
    expect(job.costUsd).toBeCloseTo(A5000_USD_PER_HR * (seconds(job) / 3600), 6);
    const shown = studio.training.list().find((r) => r.id === 'rented_run');
    expect(shown?.message).toMatch(/^completed · pod train-rented_run stopped$/);
    expect(shown?.costUsd).toBeCloseTo(job.costUsd as number, 6);
    // The next estimate on this GPU uses the speed this run measured.
    const next = await call<TrainingEstimate>('training.estimate', { target: 'runpod-new', model: 'flux-dev', steps: 100, runpod: { gpuTypeId: A5000, cloud: 'SECURE' } });
    expect(next.basis).toBe('history');
  }, 20 * 60_000);

  it('training on the stopped pod (a resume to more steps) starts it first, says so, and stops it again after', async () => {
    const run = studio.training.list().find((r) => r.id === 'rented_run') as TrainingRun;
    const runpodId = studio.pods.list().find((p) => `pod:${p.id}` === run.target)?.runpodId as string;
    expect(rp.pod(runpodId)?.status).toBe('EXITED');
    const said: string[] = [];
    const off = studio.events.subscribe((name, payload) => {
      const r = payload as TrainingRun;
      if (name === 'training.updated' && r.id === 'rented_run' && r.message) said.push(r.message);
    });
    await call<TrainingRun>('training.resume', { id: 'rented_run', steps: 5 });
    const end = await waitRun(studio, 'rented_run', (r) => ENDED(r) && r.step >= 5, 15 * 60_000);
    off();
    expect(end.state).toBe('completed');
    expect(said.some((m) => /^starting pod train-rented_run, ~\d+ s$/.test(m))).toBe(true);
    expect(rp.pod(runpodId)?.starts).toBe(2);
    await rp.waitFor(runpodId, 'EXITED', 20_000);
    await studio.jobs.whenIdle();
    expect(studio.training.list().find((r) => r.id === 'rented_run')?.message).toMatch(/· pod train-rented_run stopped$/);
  }, 20 * 60_000);
});
