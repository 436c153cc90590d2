// The measurements behind `npm run bench:remote` (bundled and run by bench/remote-bench.mjs).
// Same loopback OpenSSH server, same stand-in pipeline (real step callbacks, real time):
//   warm:      the studio's path — one warm worker per connection, JSON lines, SFTP fetch,
//              sha256 check, metadata embed, save, gallery index — one generation job per image
//   per-image: the original workflow — a new `ssh` process running a new Python worker per
//              image, then `scp` to copy the JPEG back
// Overhead per image = end-to-end minus the pipeline's own time (the worker's gen_seconds).
// Also: SFTP fetch throughput (ssh2 fastGet with the studio's tuning and ssh2's defaults) vs scp.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStudio, type Studio } from '../src-main/studio';
import type { GenerationResult, Job, PodProfile } from '@shared/contract';
import { startSshd } from '../test/helpers/sshd';

export interface BenchOptions {
  root: string;
  python: string;
  images: number;
  stepMs: number;
  steps: number;
  log(line: string): void;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function run(cmd: string, args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

function waitJob(studio: Studio, id: string): Promise<Job> {
  return new Promise((resolve) => {
    const off = studio.events.subscribe((name, payload) => {
      if (name !== 'job.updated') return;
      const job = payload as Job;
      if (job.id === id && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(job.state)) {
        off();
        resolve(job);
      }
    });
  });
}

function unwrap<T>(e: { ok: true; data: unknown } | { ok: false; error: { message: string } }): T {
  if (!e.ok) throw new Error(e.error.message);
  return e.data as T;
}

export async function runBench(o: BenchOptions) {
  const sshd = await startSshd();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-remote-bench-'));
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fs-remote-bench-ws-')));
  const studio = await createStudio({
    dataDir,
    resourcesDir: o.root,
    version: 'bench',
    env: {},
    consoleLevel: 'silent',
    pods: { workerEnv: { FLUX_STUDIO_STANDIN_STEP_MS: String(o.stepMs) } },
  });
  try {
    unwrap(await studio.dispatch('settings.update', { openAfterGenerate: false }));
    const pod = unwrap<PodProfile>(
      await studio.dispatch('pods.save', { name: 'bench', host: '127.0.0.1', port: sshd.port, user: sshd.user, keyPath: sshd.clientKeyPath, workspace: ws, python: o.python, pipeline: 'standin' }),
    );
    unwrap(await studio.dispatch('pods.trust', { id: pod.id, fingerprint: sshd.hostKeyFingerprint() }));
    const draft = { prompt: 'a lighthouse at dusk, volumetric light', steps: o.steps, size: 'custom', width: 512, height: 512, jpegQuality: 95 };
    const generate = async () => {
      const t0 = performance.now();
      const job = unwrap<Job>(await studio.dispatch('generation.submit', { draft: { ...draft, seed: Math.floor(Math.random() * 1e9) }, runtime: 'remote', podId: pod.id }));
      const done = await waitJob(studio, job.id);
      const e2e = performance.now() - t0;
      if (done.state !== 'succeeded') throw new Error(`bench job ${done.state}: ${done.error?.message}`);
      return { e2e, pipeline: (done.result as GenerationResult).generationSeconds * 1000 };
    };

    o.log(`warming up (connect, upload the worker, start it)…`);
    const first = await generate();
    o.log(`  first image (cold: connect + worker start): ${first.e2e.toFixed(0)} ms`);
    const warm: { e2e: number; pipeline: number }[] = [];
    for (let i = 0; i < o.images; i++) warm.push(await generate());

    // The original workflow: ssh + a new python + the request, then scp, per image.
    const script = `${ws}/flux-studio/worker.py`;
    const outputs = `${ws}/outputs`;
    const sshBase = sshd.sshArgs();
    const target = sshBase.at(-1) as string;
    const sshOpts = sshBase.slice(0, -1);
    const scpOpts = sshOpts.map((a) => (a === '-p' ? '-P' : a));
    const local = path.join(dataDir, 'per-image');
    fs.mkdirSync(local, { recursive: true });
    const perImage: { e2e: number; pipeline: number }[] = [];
    o.log(`per-image path (new ssh + python + scp each)…`);
    for (let i = 0; i < o.images; i++) {
      const seed = 1000 + i;
      const req = JSON.stringify({ id: `p${i}`, type: 'generate', prompt: draft.prompt, width: 512, height: 512, steps: o.steps, guidance: 3.5, seed, jpeg_quality: 95, model: 'flux-dev', loras: [] });
      const t0 = performance.now();
      const r = await run('ssh', [...sshBase, `env FLUX_STUDIO_STANDIN_STEP_MS=${o.stepMs} ${o.python} -u ${script} --outputs ${outputs} --pipeline standin`], req + '\n');
      const done = r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { event: string; path?: string; gen_seconds?: number })
        .find((e) => e.event === 'done');
      if (!done?.path) throw new Error(`per-image run failed: ${r.stderr.slice(-500)}`);
      const cp = await run('scp', ['-q', ...scpOpts, `${target}:${done.path}`, path.join(local, path.basename(done.path))]);
      if (cp.code !== 0) throw new Error(`scp failed: ${cp.stderr}`);
      perImage.push({ e2e: performance.now() - t0, pipeline: (done.gen_seconds ?? 0) * 1000 });
    }

    // Transfer throughput on loopback: one 64 MiB file.
    const big = path.join(ws, 'outputs', 'big.bin');
    fs.writeFileSync(big, Buffer.alloc(64 * 1024 * 1024, 7).map((_, i) => (i * 2654435761) >>> 24));
    const host = await studio.podConnections.host(pod);
    const mbps = (ms: number) => (64 / (ms / 1000)).toFixed(0);
    const timeIt = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    // Each configuration three times, interleaved (warm-up and machine noise), best kept.
    const configs: [string, { concurrency: number; chunkSize: number } | undefined][] = [
      ['tuned', undefined],
      ['wide', { concurrency: 128, chunkSize: 32768 }],
      ['bigChunks', { concurrency: 64, chunkSize: 32768 }],
      ['huge', { concurrency: 32, chunkSize: 131072 }],
      ['serial', { concurrency: 1, chunkSize: 32768 }],
    ];
    const best: Record<string, number> = {};
    for (let round = 0; round < 3; round++) {
      for (const [name, tuning] of configs) {
        const ms = await timeIt(() => host.get(big, path.join(local, `big-${name}.bin`), tuning ? { tuning } : {}));
        best[name] = Math.min(best[name] ?? Infinity, ms);
      }
      const ms = await timeIt(async () => {
        const r = await run('scp', ['-q', ...scpOpts, `${target}:${big}`, path.join(local, 'big-scp.bin')]);
        if (r.code !== 0) throw new Error(r.stderr);
      });
      best.scp = Math.min(best.scp ?? Infinity, ms);
    }
    const [tuned, wide, bigChunks, huge, serial, scp] = ['tuned', 'wide', 'bigChunks', 'huge', 'serial', 'scp'].map((k) => best[k] as number) as [number, number, number, number, number, number];

    const overhead = (xs: { e2e: number; pipeline: number }[]) => median(xs.map((x) => x.e2e - x.pipeline));
    return {
      warm: { e2e: median(warm.map((x) => x.e2e)), pipeline: median(warm.map((x) => x.pipeline)), overhead: overhead(warm) },
      perImage: { e2e: median(perImage.map((x) => x.e2e)), pipeline: median(perImage.map((x) => x.pipeline)), overhead: overhead(perImage) },
      transfer: { tuned: mbps(tuned), wide: mbps(wide), bigChunks: mbps(bigChunks), huge: mbps(huge), serial: mbps(serial), scp: mbps(scp), cipher: 'aes128-gcm@openssh.com' },
    };
  } finally {
    await studio.close();
    await sshd.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(ws, { recursive: true, force: true });
  }
}
