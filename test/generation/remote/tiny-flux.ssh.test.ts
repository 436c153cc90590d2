// End to end with the real diffusers FluxPipeline: a tiny random-weight FLUX.1-dev built
// from config (scripts/tiny-flux.sh, cached), loaded by worker.py in the pod venv behind a
// real OpenSSH server, generated with a LoRA, fetched over SFTP and saved with its parameters.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationResult, Job } from '@shared/contract';
import { readImageParameters } from '../../../src-main/metadata/read-parameters';
import { jpegComment, startTestPod, unwrap, waitForJob, type TestPod } from '../../helpers/remote-pod';
import { requireSshd } from '../../helpers/sshd';
import { REPO_ROOT } from '../../helpers/studio';

const script = path.join(REPO_ROOT, 'scripts', 'tiny-flux.sh');
requireSshd();

describe('tiny real FLUX pipeline over SSH', () => {
  let t: TestPod;
  let manifest: { 'flux-dev': string; lora: string };

  beforeAll(async () => {
    const dir = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 }).trim().split('\n').at(-1) as string;
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'tiny-flux.json'), 'utf8')) as typeof manifest;
    t = await startTestPod({ pipeline: 'diffusers', modelPaths: { 'flux-dev': manifest['flux-dev'], 'flux-schnell': null }, studio: { pods: { workerArgs: ['--device', 'cpu', '--threads', '1'] } } });
  }, 900_000);
  afterAll(async () => {
    await t?.close();
  });

  it('generates with the production pipeline code path and a LoRA, and the image comes home', async () => {
    const steps: number[] = [];
    const off = t.studio.events.subscribe((name, payload) => {
      if (name === 'job.progress') steps.push((payload as { progress: { step: number } }).progress.step);
    });
    const job = unwrap<Job>(
      await t.studio.dispatch('generation.submit', {
        draft: { prompt: 'a tiny lighthouse', model: 'flux-dev', steps: 3, size: 'custom', width: 256, height: 256, seed: 7, guidance: 'custom', guidanceValue: 3.5 },
        runtime: 'remote',
        podId: t.pod.id,
        loras: [{ name: 'tiny-lora', path: manifest.lora, scale: 0.8 }],
      }),
    );
    const done = await waitForJob(t.studio, job.id, 600_000);
    off();
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const r = done.result as GenerationResult;
    const meta = await sharp(r.path).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 256, 256]);
    const bytes = fs.readFileSync(r.path);
    expect(jpegComment(bytes)).toMatchObject({ prompt: 'a tiny lighthouse', seed: 7, steps: 3, loras: [{ path: manifest.lora, scale: 0.8 }] });
    expect(readImageParameters(bytes)).toMatchObject({ prompt: 'a tiny lighthouse', seed: 7, steps: 3, runtime: 'remote', loras: [{ name: 'tiny-lora', scale: 0.8 }] });
    expect(steps).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(r.device).toBe('cpu');
  }, 600_000);
});
