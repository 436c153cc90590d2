// Trained LoRAs (files under <dataDir>/trainings/) used on the remote runtime: uploaded to the
// pod once (content-addressed name), verified with sha256sum on the pod, handed to the real
// stand-in worker as a pod path with its scale; paths outside the trainings folder refused.
// Real OpenSSH server on 127.0.0.1, real worker.py (stand-in pipeline) in the pod venv.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationResult, Job } from '@shared/contract';
import type { RemoteRuntime } from '../../../src-main/generation/remote/remote-runtime';
import { podLoraName } from '../../../src-main/generation/remote/lora-upload';
import { readImageParameters } from '../../../src-main/metadata/read-parameters';
import { requireSshd } from '../../helpers/sshd';
import { jpegComment, startTestPod, unwrap, waitForJob, type TestPod } from '../../helpers/remote-pod';

requireSshd();
const run = describe;

/** A small but valid safetensors file (header + one f32 tensor) with `seed` in its bytes. */
function safetensors(file: string, seed: number): Buffer {
  const data = Buffer.alloc(64 * 4);
  for (let i = 0; i < 64; i++) data.writeFloatLE(Math.sin(seed + i), i * 4);
  const header = Buffer.from(JSON.stringify({ __metadata__: { seed: String(seed) }, 'lora_A.weight': { dtype: 'F32', shape: [8, 8], data_offsets: [0, data.length] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  const bytes = Buffer.concat([len, header, data]);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return bytes;
}

run('trained LoRAs on the remote runtime (upload once, pod path to the worker)', () => {
  let t: TestPod;
  let lora: string;
  let bytes: Buffer;
  const submit = async (prompt: string, loras: unknown[]) =>
    t.studio.dispatch('generation.submit', { draft: { prompt, quality: 'fast', seed: 7 }, runtime: 'remote', podId: t.pod.id, loras });
  const runtime = () => t.studio.runtimes.get('remote') as RemoteRuntime;

  beforeAll(async () => {
    t = await startTestPod({ studio: { pods: { workerEnv: { FLUX_STUDIO_STANDIN_STEP_MS: '20' } } } });
    lora = path.join(t.studio.info.dataDir, 'trainings', 'my_style', 'checkpoints', 'my style (v1).safetensors');
    bytes = safetensors(lora, 1);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('uploads a trained LoRA once, shows the upload as progress, and the worker gets the pod path and scale', async () => {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const podPath = `${t.workspace}/loras/${podLoraName(lora, sha)}`;
    expect(path.posix.basename(podPath)).toBe(`${sha.slice(0, 16)}-my_style_v1_.safetensors`);
    const messages: string[] = [];
    const off = t.studio.events.subscribe((name, payload) => {
      if (name === 'job.progress') messages.push((payload as { progress: { message: string | null } }).progress.message ?? '');
    });
    const first = await waitForJob(t.studio, unwrap<Job>(await submit('a style test', [{ name: 'my_style', localPath: lora, scale: 0.75 }])).id);
    off();
    expect(first.state, JSON.stringify(first.error)).toBe('succeeded');
    expect(messages.some((m) => m.startsWith('uploading LoRA my_style'))).toBe(true);
    expect(fs.readFileSync(podPath).equals(bytes)).toBe(true);
    const out = fs.readFileSync((first.result as GenerationResult).path);
    expect(jpegComment(out)?.loras).toEqual([{ path: podPath, scale: 0.75 }]);
    expect(readImageParameters(out).loras).toMatchObject([{ name: 'my_style', scale: 0.75 }]);
    expect(runtime().loraUploader.uploads).toBe(1);
    const ino = fs.statSync(podPath).ino;

    // Second generation (another scale, plus a LoRA given by its pod path): no new upload.
    const messages2: string[] = [];
    const off2 = t.studio.events.subscribe((name, payload) => {
      if (name === 'job.progress') messages2.push((payload as { progress: { message: string | null } }).progress.message ?? '');
    });
    const second = await waitForJob(
      t.studio,
      unwrap<Job>(await submit('again', [{ name: 'my_style', localPath: lora, scale: -1.5 }, { name: 'same, by pod path', path: podPath, scale: 0.5 }])).id,
    );
    off2();
    expect(second.state, JSON.stringify(second.error)).toBe('succeeded');
    expect(runtime().loraUploader.uploads).toBe(1);
    expect(messages2.some((m) => m.startsWith('uploading LoRA'))).toBe(false);
    expect(fs.statSync(podPath).ino).toBe(ino);
    expect(jpegComment(fs.readFileSync((second.result as GenerationResult).path))?.loras).toEqual([
      { path: podPath, scale: -1.5 },
      { path: podPath, scale: 0.5 },
    ]);
  });

  it('a pod copy with the right size but wrong bytes is caught by sha256sum and replaced', async () => {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const podPath = `${t.workspace}/loras/${podLoraName(lora, sha)}`;
    const bad = Buffer.from(bytes);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
    fs.writeFileSync(podPath, bad);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(podPath, later, later); // another mtime: the in-memory "verified" note no longer applies
    const job = await waitForJob(t.studio, unwrap<Job>(await submit('repaired', [{ name: 'my_style', localPath: lora, scale: 1 }])).id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    expect(runtime().loraUploader.uploads).toBe(2);
    expect(fs.readFileSync(podPath).equals(bytes)).toBe(true);
  });

  it('a changed checkpoint (new bytes) goes up under its new content name', async () => {
    const other = path.join(path.dirname(lora), 'second.safetensors');
    const b2 = safetensors(other, 2);
    const sha2 = createHash('sha256').update(b2).digest('hex');
    const job = await waitForJob(t.studio, unwrap<Job>(await submit('two', [{ name: 'second', localPath: other, scale: 1.25 }])).id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    expect(jpegComment(fs.readFileSync((job.result as GenerationResult).path))?.loras).toEqual([{ path: `${t.workspace}/loras/${sha2.slice(0, 16)}-second.safetensors`, scale: 1.25 }]);
  });

  it('refuses files outside <dataDir>/trainings (and links out of it, and non-safetensors) before queueing', async () => {
    const outside = path.join(t.studio.info.dataDir, 'elsewhere.safetensors');
    safetensors(outside, 3);
    const link = path.join(t.studio.info.dataDir, 'trainings', 'my_style', 'link.safetensors');
    fs.symlinkSync(outside, link);
    const notLora = path.join(t.studio.info.dataDir, 'trainings', 'my_style', 'log.txt');
    fs.writeFileSync(notLora, 'x');
    const sneaky = path.join(t.studio.info.dataDir, 'trainings', '..', 'elsewhere.safetensors');
    const before = t.studio.jobs.list({}).length;
    for (const [p, why] of [
      [outside, /only LoRAs trained here/],
      [link, /only LoRAs trained here/],
      [sneaky, /only LoRAs trained here/],
      ['/etc/passwd', /only LoRAs trained here/],
      [notLora, /not a \.safetensors file/],
      [path.join(t.studio.info.dataDir, 'trainings', 'nope.safetensors'), /no such file/],
    ] as const) {
      const r = await submit('nope', [{ name: 'x', localPath: p, scale: 1 }]);
      expect(r.ok, p).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid_input');
        expect(r.error.message).toMatch(why);
      }
    }
    // Relative paths never reach the check (the contract wants an absolute path).
    expect((await submit('nope', [{ name: 'x', localPath: 'trainings/a.safetensors', scale: 1 }])).ok).toBe(false);
    expect(t.studio.jobs.list({}).length).toBe(before);
  });
});
