// The inference child process end to end: determinism by seed, image size, progress and
// cancel, provider detection, idle unload and memory returned by ending the process; and
// the studio service / LocalRuntime over it.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalRuntime } from '../../../src-main/generation/local/local-runtime';
import { LocalService } from '../../../src-main/generation/local/local-service';
import { LocalWorkerClient, LocalWorkerError } from '../../../src-main/generation/local/onnx-worker-client';
import type { WorkerGenerate } from '../../../src-main/generation/local/onnx-worker-protocol';
import type { Studio } from '../../../src-main/studio';
import type { Envelope, LocalModel } from '@shared/contract';
import { makeStudio } from '../../helpers/studio';
import { builtWorker, onnxFixtures } from './helpers';

let schnell = '';
let sdTurbo = '';
let sdxlTurbo = '';
const clients: LocalWorkerClient[] = [];

beforeAll(() => {
  const dir = onnxFixtures();
  schnell = path.join(dir, 'flux-schnell', 'onnx');
  sdTurbo = path.join(dir, 'sd-turbo', 'onnx');
  sdxlTurbo = path.join(dir, 'sdxl-turbo', 'onnx');
  builtWorker();
}, 40 * 60_000);

afterAll(async () => {
  for (const c of clients) await c.stop();
});

function client(idleMs = 0): LocalWorkerClient {
  const c = new LocalWorkerClient({ workerPath: builtWorker(), idleMs: () => idleMs });
  clients.push(c);
  return c;
}

const CPU = { provider: 'cpu' as const, threads: 1 };
const req = (over: Partial<WorkerGenerate> = {}): WorkerGenerate => ({
  prompt: 'a photo of a cat',
  steps: 4,
  width: 64,
  height: 48,
  guidance: null,
  seed: 7,
  format: 'png',
  quality: 95,
  ...over,
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('inference child process', () => {
  test('same seed → identical bytes, another seed → different; requested size; JPEG and PNG; one progress event per step', async () => {
    const c = client();
    const steps: number[] = [];
    const a = await c.generate(schnell, CPU, req(), { onProgress: (s) => steps.push(s.step) });
    expect(steps).toEqual([1, 2, 3, 4]);
    const b = await c.generate(schnell, CPU, req());
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    const other = await c.generate(schnell, CPU, req({ seed: 8 }));
    expect(Buffer.from(other.bytes).equals(Buffer.from(a.bytes))).toBe(false);
    const meta = await sharp(Buffer.from(a.bytes)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 48]);
    const jpeg = await c.generate(sdTurbo, CPU, req({ format: 'jpeg', quality: 80, width: 64, height: 96, steps: 2 }));
    const jm = await sharp(Buffer.from(jpeg.bytes)).metadata();
    expect([jm.format, jm.width, jm.height]).toEqual(['jpeg', 64, 96]);
    const jpeg2 = await c.generate(sdTurbo, CPU, req({ format: 'jpeg', quality: 80, width: 64, height: 96, steps: 2 }));
    expect(Buffer.from(jpeg2.bytes).equals(Buffer.from(jpeg.bytes))).toBe(true);
    // The provider was detected from the run, not assumed.
    const st = await c.refreshStatus();
    expect(st?.provider?.created).toBe('cpu');
    expect(st?.provider?.detected).toBe('cpu');
    expect(st?.model?.kind).toBe('sd-turbo');
  }, 300_000);

  test('SDXL-Turbo in the child process: requested size, same seed → same bytes, kind in the status and the model list', async () => {
    const c = client();
    const a = await c.generate(sdxlTurbo, CPU, req({ steps: 1, width: 64, height: 96 }));
    const meta = await sharp(Buffer.from(a.bytes)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 96]);
    expect(Buffer.from((await c.generate(sdxlTurbo, CPU, req({ steps: 1, width: 64, height: 96 }))).bytes).equals(Buffer.from(a.bytes))).toBe(true);
    expect((await c.refreshStatus())?.model?.kind).toBe('sdxl-turbo');
    const studio = await makeStudio();
    try {
      const added = await studio.dispatch('local.addModel', { path: sdxlTurbo });
      expect(added).toMatchObject({ ok: true, data: { kind: 'sdxl-turbo', valid: true, error: null } });
    } finally {
      await studio.close();
    }
  }, 300_000);

  test('cancel stops between steps; the process stays usable', async () => {
    const c = client();
    const abort = new AbortController();
    const seen: number[] = [];
    const p = c.generate(schnell, CPU, req({ steps: 20 }), {
      signal: abort.signal,
      onProgress: (s) => {
        seen.push(s.step);
        if (s.step === 2) abort.abort();
      },
    });
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(LocalWorkerError);
    expect((err as LocalWorkerError).code).toBe('cancelled');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThan(20);
    const again = await c.generate(schnell, CPU, req({ steps: 1 }));
    expect(again.bytes.length).toBeGreaterThan(100);
    // Already cancelled: nothing runs.
    const pre = new AbortController();
    pre.abort();
    await expect(c.generate(schnell, CPU, req(), { signal: pre.signal })).rejects.toMatchObject({ code: 'cancelled' });
  }, 300_000);

  test('idle timeout ends the process; the memory goes with it (RSS measured)', async () => {
    const c = client(400);
    const before = process.memoryUsage.rss();
    await c.generate(schnell, CPU, req({ steps: 1 }));
    const st = await c.refreshStatus();
    const pid = c.pid!;
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);
    const loadedRss = st!.rssBytes;
    // A loaded model lives in the child, not in this process.
    expect(loadedRss).toBeGreaterThan(20 * 1024 * 1024);
    expect(await waitFor(() => !c.running, 10_000)).toBe(true);
    expect(await waitFor(() => !alive(pid), 5000)).toBe(true);
    expect(c.status).toBeNull();
    console.log(`worker: child RSS loaded ${(loadedRss / 2 ** 20).toFixed(0)} MB; child gone after idle; parent RSS ${(before / 2 ** 20).toFixed(0)} → ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB`);
    // The next request starts a fresh process.
    await c.generate(schnell, CPU, req({ steps: 1 }));
    expect(c.pid).not.toBe(pid);
    await c.stop();
    expect(c.running).toBe(false);
  }, 300_000);

  test('a broken model folder is refused by the worker with the reason', async () => {
    const c = client();
    await expect(c.generate(path.join(schnell, 'transformer'), CPU, req())).rejects.toMatchObject({ code: 'model' });
  }, 120_000);
});

describe('studio service and LocalRuntime', () => {
  let studio: Studio;
  beforeAll(async () => {
    studio = await makeStudio({ localWorkerPath: builtWorker() });
  });
  afterAll(async () => {
    await studio.close();
  });

  test('local.addModel checks the folder; models shows kind and size; the runtime makes a JPEG with progress', async () => {
    const bad = await studio.dispatch('local.addModel', { path: path.dirname(schnell) });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'path' } });
    const added = await studio.dispatch('local.addModel', { path: schnell });
    expect(added).toMatchObject({ ok: true, data: { kind: 'flux-schnell', valid: true, active: true } });
    const list = (await studio.dispatch('local.models', {})) as Envelope<LocalModel[]>;
    expect(list.ok && list.data[0]!.sizeBytes).toBeGreaterThan(100_000);
    await studio.settings.update({ localProvider: 'cpu', localThreads: 1 });

    const runtime = new LocalRuntime(studio.local);
    const progress: number[] = [];
    const out = await runtime.generate(
      {
        jobId: 'job-1',
        loras: [],
        generation: {
          prompt: 'a lighthouse',
          model: 'flux-schnell',
          steps: 2,
          quality: null,
          width: 64,
          height: 64,
          size: 'custom',
          guidance: null,
          seed: 11,
          seedWasRandom: false,
          jpegQuality: 90,
          cpuOffload: false,
          maxSequenceLength: 256,
          notes: [],
          warnings: [],
        },
      },
      { signal: new AbortController().signal, progress: (p) => progress.push(p.step) },
    );
    expect(progress).toEqual([0, 1, 2]);
    expect(out).toMatchObject({ seed: 11, device: 'cpu', pod: null, model: 'flux-schnell' });
    expect((await sharp(out.bytes).metadata()).format).toBe('jpeg');
    expect(out.loadSeconds).toBeGreaterThan(0);
    const status = await studio.dispatch('local.status', {});
    expect(status).toMatchObject({ ok: true, data: { running: true, model: { kind: 'flux-schnell' }, provider: { detected: 'cpu' } } });
    // Too little free memory: refused before anything loads.
    await studio.local.unload();
    const tight = new LocalService({
      settings: studio.settings,
      workerPath: builtWorker(),
      log: studio.log,
      freeMemory: () => 1024,
    });
    await expect(tight.generate(schnell, req())).rejects.toThrow(/only 0\.0 GB of memory is free/);
    expect(fs.existsSync(schnell)).toBe(true);
    const removed = await studio.dispatch('local.removeModel', { path: schnell });
    expect(removed).toMatchObject({ ok: true, data: { removed: true } });
  }, 300_000);
});
