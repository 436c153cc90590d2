// A pod profile as a training target with the REAL ai-toolkit (the real PodsService +
// PodConnections over the loopback sshd): the studio installs ai-toolkit on the pod into its
// own venv (native/pod/install_ai_toolkit.sh, pointed at ../shared/vendor instead of GitHub),
// the generation worker's venv stays exactly as it was, the run trains on the tiny FLUX with
// the dataset synced, its loss chart equals ai-toolkit's loss_log.db, a killed SSH link loses
// nothing, stop and resume are confirmed by ai-toolkit's own "Found step N", and the LoRA it
// wrote is loaded by the pod worker (load_lora_weights) for a generation.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GenerationResult, Job } from '@shared/contract';
import type { TrainingRun } from '@shared/contract/training';
import { jpegComment, podVenvPython, startTestPod, unwrap, waitForJob, type TestPod } from '../helpers/remote-pod';
import { requireSshd } from '../helpers/sshd';
import { ENDED, waitRun } from './helpers';
import { realRunCounter } from './real-runs';
import { cheapSamples, lossLogPoints, podToolkitVolume, realDataset, tinyFluxDev, vendoredToolkitSource } from './real-toolkit';

requireSshd();
const run = describe;
const real = realRunCounter('pod-target.ssh.test.ts');

const freeze = (python: string) => execFileSync(python, ['-m', 'pip', 'freeze', '--all'], { encoding: 'utf8' });

run('training on a pod profile with the real ai-toolkit', () => {
  let pod: TestPod;
  let source: ReturnType<typeof vendoredToolkitSource>;
  const messages: string[] = [];
  beforeAll(async () => {
    source = vendoredToolkitSource();
    pod = await startTestPod({
      pipeline: 'diffusers',
      modelPaths: { 'flux-dev': tinyFluxDev(), 'flux-schnell': null },
      studio: { training: { pollMs: 100, stopGraceMs: 10_000, aiToolkit: source }, pods: { workerArgs: ['--device', 'cpu', '--threads', '1'] } },
    });
    // <workspace>/ai-toolkit on a volume that outlives the test's pod (podToolkitVolume).
    const volume = path.join(podToolkitVolume(), 'ai-toolkit');
    fs.mkdirSync(volume, { recursive: true });
    fs.symlinkSync(volume, path.join(pod.workspace, 'ai-toolkit'));
    await realDataset(path.join(pod.studio.info.dataDir, 'datasets', 'faces'), 4);
    real.watch(pod.studio);
    pod.studio.events.subscribe((name, payload) => {
      const m = (payload as TrainingRun).message;
      if (name === 'training.updated' && m && messages.at(-1) !== m) messages.push(m);
    });
  }, 120_000);
  afterAll(async () => {
    await pod?.close();
  });

  test('install into its own venv (worker untouched), train, lose the link, stop, resume, generate with the LoRA', async () => {
    const target = `pod:${pod.pod.id}`;
    const worker = podVenvPython();
    const workerBefore = freeze(worker);
    const plan = await pod.studio.training.plan({
      dataset: 'faces',
      model: 'flux-dev',
      preset: '24gb-quick',
      target,
      name: 'pod_real',
      trigger: 'p3r5on',
      baseModel: tinyFluxDev(),
      steps: 40,
      saveEvery: 5,
      sampleEvery: 1000,
      resolutions: [512],
      quantize: false,
      lowVram: false,
      skipFirstSample: true,
      samplePrompts: ['[trigger] smiling'],
    });
    expect(plan.yaml).toContain(`training_folder: ${pod.workspace}/trainings/pod_real`);
    expect(plan.yaml).toContain(`name_or_path: ${tinyFluxDev()}`);
    const t0 = Date.now();
    const started = await pod.studio.training.start({ yaml: cheapSamples(plan.yaml), dataset: 'faces', model: 'flux-dev', target });
    // A fresh volume installs for minutes (torch and ai-toolkit's requirements from PyPI).
    await waitRun(pod.studio, started.id, (r) => r.state === 'running' || ENDED(r), 15 * 60_000);
    console.log(`[real ai-toolkit] pod: prepared (install check or install, dataset sync) and launched in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // ai-toolkit's own venv, at the pinned commit, pip check clean; the worker's venv unchanged.
    const toolkit = path.join(pod.workspace, 'ai-toolkit');
    const python = path.join(toolkit, '.venv', 'bin', 'python');
    expect(execFileSync('git', ['-C', toolkit, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()).toBe(source.commit);
    expect(fs.readFileSync(path.join(toolkit, '.venv', '.flux-studio-install'), 'utf8').trim()).toMatch(/^[0-9a-f]{32}$/);
    expect(execFileSync(python, ['-m', 'pip', 'check'], { encoding: 'utf8' })).toMatch(/No broken requirements/);
    expect(execFileSync(python, ['-c', 'import torch, torchaudio, diffusers, numpy; print(numpy.__version__)'], { encoding: 'utf8' }).trim()).toBe('1.26.4');
    expect(freeze(worker)).toBe(workerBefore);
    expect(messages.some((m) => /installing ai-toolkit \[\d\/5\]|already installed/.test(m))).toBe(true);
    const installKey = fs.statSync(path.join(toolkit, '.venv', '.flux-studio-install')).mtimeMs;

    // The link dies mid-run: the run goes on, the studio reattaches.
    await waitRun(pod.studio, started.id, (r) => r.step >= 4 || ENDED(r), 5 * 60_000);
    expect(pod.sshd.killSessions()).toBeGreaterThan(0);
    await waitRun(pod.studio, started.id, (r) => r.step >= 10 || ENDED(r), 5 * 60_000);

    // Stop: ai-toolkit's "Job stopped", the run is stopped with its last step.
    pod.studio.training.stop(started.id);
    const stopped = await waitRun(pod.studio, started.id, ENDED, 120_000);
    expect(stopped.state).toBe('stopped');
    expect(stopped.step).toBeGreaterThanOrEqual(10);
    expect(stopped.step).toBeLessThan(40);
    expect(pod.studio.training.get(started.id).logTail.join('\n')).toMatch(/Job stopped/);
    const newest = Math.max(...pod.studio.training.get(started.id).checkpoints.map((c) => c.step ?? 0));
    expect(newest).toBeGreaterThanOrEqual(5);

    // Resume: confirmed by ai-toolkit's own "Found step N"; the install check finds the venv and does nothing.
    pod.studio.training.resume(started.id);
    const resumed = await waitRun(pod.studio, started.id, (r) => r.resumedFromStep !== null || ENDED(r), 300_000);
    expect(resumed.resumedFromStep).toBe(newest);
    expect(resumed.resumeNote).toBeNull();
    const end = await waitRun(pod.studio, started.id, ENDED, 300_000);
    expect(end.state, JSON.stringify(end.error)).toBe('completed');
    expect(end.step).toBe(40);
    expect(fs.statSync(path.join(toolkit, '.venv', '.flux-studio-install')).mtimeMs).toBe(installKey);
    expect(messages).toContain(`ai-toolkit ${source.commit} is already installed in ${path.join(toolkit, '.venv')} (key ${fs.readFileSync(path.join(toolkit, '.venv', '.flux-studio-install'), 'utf8').trim()})`);

    // The chart is ai-toolkit's own log, step for step (db step s = the bar's s + 1).
    const d = pod.studio.training.get(started.id);
    const db = lossLogPoints(python, path.join(pod.workspace, 'trainings', 'pod_real', 'pod_real', 'loss_log.db'));
    expect(db.length).toBeGreaterThan(30);
    expect(d.loss).toEqual(db);
    // Dataset synced, checkpoints and the final sample pulled, byte for byte.
    expect(fs.readdirSync(path.join(pod.workspace, 'datasets', 'faces')).filter((f) => f.endsWith('.png'))).toHaveLength(4);
    expect(d.checkpoints[0]).toMatchObject({ file: 'pod_real.safetensors', final: true });
    const finalOnPod = path.join(pod.workspace, 'trainings', 'pod_real', 'pod_real', 'pod_real.safetensors');
    expect(fs.readFileSync(d.checkpoints[0]?.path as string)).toEqual(fs.readFileSync(finalOnPod));
    expect(d.samples.map((s) => s.step)).toContain(40);

    // The pod worker loads the LoRA (diffusers load_lora_weights) and generates with it.
    const job = unwrap<Job>(
      await pod.studio.dispatch('generation.submit', {
        draft: { prompt: 'p3r5on smiling', model: 'flux-dev', steps: 2, size: 'custom', width: 256, height: 256, seed: 3, guidance: 'custom', guidanceValue: 3.5 },
        runtime: 'remote',
        podId: pod.pod.id,
        loras: [{ name: 'pod_real', path: finalOnPod, scale: 1 }],
      }),
    );
    const done = await waitForJob(pod.studio, job.id, 300_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const image = fs.readFileSync((done.result as GenerationResult).path);
    expect((await sharp(image).metadata()).width).toBe(256);
    expect(jpegComment(image)).toMatchObject({ loras: [{ path: finalOnPod, scale: 1 }] });
    expect(real.count()).toBe(2);
  }, 30 * 60_000);
});
