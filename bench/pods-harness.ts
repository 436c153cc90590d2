// The measurements behind `npm run bench:pods` (bundled and run by bench/pods-bench.mjs),
// against the local RunPod server (test/helpers/runpod-server) and its loopback pods:
//   start-to-ssh-ready: runpod.start submitted → the job done (pod running, SSH answering at
//                       the new address, the new host key pinned from the log, profile updated)
//   address refresh:    the pod really running at its new address → the profile holding it
//                       (the server keeps reporting the old address for a while, as RunPod can)
//   idle stop:          the on-pod watchdog (short countdown) stops the pod through the API
//                       while the studio is closed; how far after its deadline the stop came
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job } from '@shared/contract';
import { createStudio, type Studio } from '../src-main/studio';
import { startRunpodServer } from '../test/helpers/runpod-server';

export interface PodsBenchOptions {
  root: string;
  python: string;
  starts: number;
  delays: { provisionMs: number; startMs: number; staleAddressMs: number };
  idleSeconds: number;
  log(line: string): void;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function waitJob(studio: Studio, id: string, timeoutMs = 120_000): Promise<Job> {
  return new Promise((resolve, reject) => {
    const final = (j: Job) => ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(j.state);
    const timer = setTimeout(() => reject(new Error(`job ${id} did not finish`)), timeoutMs);
    const off = studio.events.subscribe((name, payload) => {
      const j = payload as Job;
      if (name === 'job.updated' && j.id === id && final(j)) {
        clearTimeout(timer);
        off();
        if (j.state === 'succeeded') resolve(j);
        else reject(new Error(`${j.kind} ${j.state}: ${j.error?.message ?? ''}`));
      }
    });
  });
}

export async function runPodsBench(o: PodsBenchOptions) {
  const rp = await startRunpodServer({ delays: o.delays });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-bench-pods-'));
  const mount = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flux-bench-pods-ws-')));
  const studio = await createStudio({
    dataDir,
    resourcesDir: o.root,
    version: 'bench',
    env: { RUNPOD_API_KEY: rp.apiKey },
    consoleLevel: 'silent',
    runpod: {
      apiBase: rp.url,
      mountPath: mount,
      profileDefaults: { python: o.python, pipeline: 'standin' },
      timing: { pollMs: 100 },
      watchdog: { idleSeconds: o.idleSeconds, tickSeconds: 1 },
    },
    pods: { workerEnv: { FLUX_STUDIO_STANDIN_STEP_MS: '10' } },
  });
  let closed = false;
  try {
    await studio.dispatch('settings.update', { openAfterGenerate: false });
    const created = await waitJob(studio, studio.runpod.create({ name: 'bench pod', gpuTypeIds: ['NVIDIA RTX A5000'], cloud: 'SECURE', image: null, containerDiskGb: 20, storage: { kind: 'volume', sizeGb: 20 } }).id);
    const { id, profileId } = created.result as { id: string; profileId: string };
    o.log(`created ${id} (profile ${profileId})`);

    const startMs: number[] = [];
    const refreshMs: number[] = [];
    const runningMs: number[] = [];
    for (let i = 0; i < o.starts; i++) {
      await studio.runpod.stop(id);
      await rp.waitFor(id, 'EXITED');
      const t0 = performance.now();
      const job = studio.runpod.start(id);
      let running = 0;
      const seen = rp.waitFor(id, 'RUNNING', 60_000).then(() => (running = performance.now()));
      await waitJob(studio, job.id);
      const done = performance.now();
      await seen;
      const p = studio.pods.get(profileId);
      const real = rp.pod(id)!;
      if (p.port !== real.direct!.port || !real.fingerprints.includes(p.hostKey?.fingerprint ?? '')) throw new Error('the profile does not hold the new address and key');
      startMs.push(done - t0);
      refreshMs.push(done - running);
      runningMs.push(running - t0);
      o.log(`start ${i + 1}: ssh ready in ${Math.round(done - t0)} ms, address refreshed ${Math.round(done - running)} ms after the pod ran`);
    }

    // One image arms the watchdog (pod-links installWorker); then the studio goes away.
    const gen = (await studio.dispatch('generation.submit', { draft: { prompt: 'bench', quality: 'fast', seed: 1 }, runtime: 'remote', podId: profileId })) as { ok: boolean; data?: Job; error?: { message: string } };
    if (!gen.ok || !gen.data) throw new Error(`generation.submit: ${gen.error?.message}`);
    await waitJob(studio, gen.data.id);
    await studio.close();
    closed = true;
    const closedAt = Date.now();
    await rp.waitFor(id, 'EXITED', (o.idleSeconds + 60) * 1000);
    const stopReq = rp.requests().find((r) => r.method === 'POST' && r.path === `/v2/pods/${id}/action` && r.at >= closedAt && r.status === 200);
    const state = JSON.parse(fs.readFileSync(path.join(mount, 'flux-studio', 'watchdog', 'state.json'), 'utf8')) as { deadline: string | null; stoppedAt: string | null };
    if (!stopReq || !state.deadline) throw new Error(`the watchdog did not stop the pod through the API (state ${JSON.stringify(state)})`);
    const idleLateS = (stopReq.at - Date.parse(state.deadline)) / 1000;
    o.log(`watchdog deadline ${state.deadline}, stop request at ${new Date(stopReq.at).toISOString()}`);
    const violations = rp.violations();
    if (violations.length) throw new Error(`spec violations: ${violations.join('; ')}`);
    return { startMs: median(startMs), refreshMs: median(refreshMs), serverRunningMs: median(runningMs), idleLateS };
  } finally {
    if (!closed) await studio.close();
    await rp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(mount, { recursive: true, force: true });
  }
}
