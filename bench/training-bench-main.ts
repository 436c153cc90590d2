// Bundled and run by bench/training-bench.mjs (esbuild, so the studio's TypeScript runs as is).
//   (a) progress latency: the stand-in run.py records when it wrote each bar line (epoch ms,
//       same clock); the studio's training.updated event for that step is timed on arrival.
//       Default follower settings (log read every 250 ms), over SSH to a real OpenSSH server
//       on 127.0.0.1 (test/helpers/sshd.ts) when sshd exists, else LocalHost.
//   (b) incremental re-sync of 1,000 unchanged dataset files (500 images + 500 captions),
//       over the same host: median of 5 re-syncs after the first full upload.
//   (c) the REAL ai-toolkit (scripts/ai-toolkit-venv.sh) training the tiny FLUX over the same
//       host: launch-to-first-step (the process started → the studio shows step 1) and progress
//       latency (ai-toolkit commits step k − 1 to loss_log.db, with its wall time, just before
//       its bar shows k → the studio's training.updated for step k), BENCH_REAL_STEPS steps.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Host } from '../src-main/hosts/host';
import { LocalHost } from '../src-main/hosts/local-host';
import { pinnedPolicy, SshHost } from '../src-main/hosts/ssh-host';
import { createStudio } from '../src-main/studio';
import { syncDataset } from '../src-main/training/dataset-sync';
import type { TrainingTargets } from '../src-main/training/targets';
import type { TrainingRun } from '@shared/contract/training';
import { sshdAvailable, startSshd, type TestSshd } from '../test/helpers/sshd';
import { makeDataset, realPython } from '../test/training/helpers';
import { cheapSamples, realDataset, realToolkit, tinyFluxDev } from '../test/training/real-toolkit';
import { execFileSync } from 'node:child_process';

const root = process.env.FLUX_STUDIO_ROOT as string;
const STEPS = Number(process.env.BENCH_STEPS ?? 60);
const REAL_STEPS = Number(process.env.BENCH_REAL_STEPS ?? 60);
const STANDIN_DIR = path.join(root, 'native', 'fixtures', 'ai-toolkit-standin');
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

async function main() {
  const useSsh = sshdAvailable() && process.env.BENCH_LOCAL !== '1';
  let sshd: TestSshd | null = null;
  if (useSsh) sshd = await startSshd();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-training-bench-'));
  const pod = path.join(tmp, 'pod');
  const layout = { datasetsDir: path.join(pod, 'datasets'), trainingsDir: path.join(pod, 'trainings') };
  const connect = async (): Promise<Host> =>
    sshd
      ? SshHost.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.clientKeyPath, hostKeyPolicy: pinnedPolicy(sshd.hostKeyFingerprint()), label: 'ssh:bench' })
      : new LocalHost();
  const aitk = realToolkit();
  const targets: TrainingTargets = {
    list: async () => [
      { id: 'pod:bench', label: sshd ? 'loopback sshd' : 'local', ready: true, reason: null, layout },
      { id: 'pod:real', label: sshd ? 'loopback sshd' : 'local', ready: true, reason: null, layout },
    ],
    open: async (id) => {
      const host = await connect();
      const toolkit = id === 'pod:real' ? { toolkitDir: aitk.dir, python: aitk.python } : { toolkitDir: STANDIN_DIR, python: realPython() };
      return { id, label: 'bench', host, workspace: { ...toolkit, ...layout, install: null }, release: () => host.close() };
    },
  };
  const dataDir = path.join(tmp, 'data');
  makeDataset(path.join(dataDir, 'datasets', 'bench'), 4);
  const studio = await createStudio({ dataDir, resourcesDir: root, version: 'bench', env: {}, consoleLevel: 'silent', training: { targets: () => targets } });
  try {
    // (a) progress latency
    const timesFile = path.join(tmp, 'times.txt');
    const arrivals = new Map<number, number>();
    let finished: () => void = () => undefined;
    const done = new Promise<void>((r) => (finished = r));
    studio.events.subscribe((name, payload) => {
      if (name !== 'training.updated') return;
      const run = payload as TrainingRun;
      if (run.id !== 'bench_run') return;
      // A step reported together with a later one (one read held both) arrived with it.
      const now = Date.now();
      for (let s = 1; s <= run.step; s++) if (!arrivals.has(s)) arrivals.set(s, now);
      if (run.id === 'bench_run' && !['queued', 'preparing', 'running', 'stopping'].includes(run.state)) finished();
    });
    const plan = await studio.training.plan({
      dataset: 'bench', model: 'flux-dev', preset: '24gb-quick', target: 'pod:bench', name: 'bench_run', trigger: 'tok', steps: STEPS,
      saveEvery: 1000, sampleEvery: 1000, skipFirstSample: true, test: { step_seconds: 0.2, times_file: timesFile },
    });
    await studio.training.start({ yaml: plan.yaml, dataset: 'bench', model: 'flux-dev', target: 'pod:bench' });
    await done;
    const ended = studio.training.list().find((r) => r.id === 'bench_run');
    if (ended?.state !== 'completed') throw new Error(`bench run ended ${ended?.state}: ${ended?.error?.message ?? ''}`);
    const written = new Map(fs.readFileSync(timesFile, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number) as [number, number]));
    const lat: number[] = [];
    for (const [step, at] of arrivals) {
      const w = written.get(step);
      if (w !== undefined) lat.push(at - w);
    }
    const p50 = quantile(lat, 0.5);
    const p95 = quantile(lat, 0.95);
    console.log(`progress latency over ${sshd ? 'SSH (loopback OpenSSH)' : 'LocalHost'}: ${lat.length} steps, p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms (log read every 250 ms)`);

    // (b) incremental re-sync of 1,000 unchanged files
    const big = makeDataset(path.join(tmp, 'big'), 500);
    const host = await connect();
    const cacheFile = path.join(tmp, 'sync-cache.json');
    const hostDir = path.join(layout.datasetsDir, 'big');
    const t0 = performance.now();
    const first = await syncDataset({ host, localDir: big, hostDir, cacheFile });
    const firstMs = performance.now() - t0;
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const r = await syncDataset({ host, localDir: big, hostDir, cacheFile });
      runs.push(performance.now() - t);
      if (r.uploaded.length !== 0) throw new Error(`re-sync uploaded ${r.uploaded.length} files`);
    }
    await host.close();
    const resync = quantile(runs, 0.5);
    console.log(`sync of 1,000 files: first ${first.uploaded.length} uploaded in ${firstMs.toFixed(0)} ms; re-sync (0 uploaded) median ${resync.toFixed(0)} ms over 5 runs [${runs.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`targets: latency p50 <= 1000 ms: ${p50 <= 1000 ? 'met' : 'MISSED'}; re-sync <= 2000 ms: ${resync <= 2000 ? 'met' : 'MISSED'}`);
    console.log(`training: progress latency p50 ${p50.toFixed(0)} ms p95 ${p95.toFixed(0)} ms, resync ${resync.toFixed(0)} ms`);

    // (c) the real ai-toolkit
    await realDataset(path.join(dataDir, 'datasets', 'real'), 4);
    const shown = new Map<number, number>();
    let launchedAt = 0;
    let realDone: () => void = () => undefined;
    const realEnded = new Promise<void>((r) => (realDone = r));
    studio.events.subscribe((name, payload) => {
      const run = payload as TrainingRun;
      if (name !== 'training.updated' || run.id !== 'bench_real') return;
      const now = Date.now();
      if (run.state === 'running' && launchedAt === 0) launchedAt = now;
      for (let s = 1; s <= run.step; s++) if (!shown.has(s)) shown.set(s, now);
      if (!['queued', 'preparing', 'running', 'stopping'].includes(run.state)) realDone();
    });
    const realPlan = await studio.training.plan({
      dataset: 'real', model: 'flux-dev', preset: '24gb-quick', target: 'pod:real', name: 'bench_real', trigger: 'tok', steps: REAL_STEPS, baseModel: tinyFluxDev(),
      resolutions: [512], quantize: false, lowVram: false, saveEvery: REAL_STEPS, sampleEvery: REAL_STEPS, skipFirstSample: true, samplePrompts: ['[trigger]'],
    });
    await studio.training.start({ yaml: cheapSamples(realPlan.yaml), dataset: 'real', model: 'flux-dev', target: 'pod:real' });
    await realEnded;
    const realRun = studio.training.list().find((r) => r.id === 'bench_real');
    if (realRun?.state !== 'completed') throw new Error(`real bench run ended ${realRun?.state}: ${realRun?.error?.message ?? ''}`);
    const db = path.join(layout.trainingsDir, 'bench_real', 'bench_real', 'loss_log.db');
    const committed = JSON.parse(
      execFileSync(aitk.python, ['-c', 'import json,sqlite3,sys; print(json.dumps(sqlite3.connect(sys.argv[1]).execute("SELECT step, wall_time FROM steps ORDER BY step").fetchall()))', db], { encoding: 'utf8' }),
    ) as [number, number][];
    const realLat = committed.flatMap(([s, wall]) => (shown.has(s + 1) ? [(shown.get(s + 1) as number) - wall * 1000] : []));
    const firstStep = (shown.get(1) ?? NaN) - launchedAt;
    console.log(`training real: steps ${REAL_STEPS}, launch-to-first-step ${(firstStep / 1000).toFixed(1)} s, progress latency p50 ${quantile(realLat, 0.5).toFixed(0)} ms (p95 ${quantile(realLat, 0.95).toFixed(0)} ms over ${realLat.length} steps, ${sshd ? 'loopback SSH' : 'LocalHost'})`);
  } finally {
    await studio.close();
    await sshd?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
