// The idle watchdog end to end from a real Studio, against the local RunPod server and its
// loopback pods: the studio creates a pod, one image arms the watchdog (pod-links
// installWorker), the countdown is read and extended through the contract (runpod.watchdog,
// runpod.extendWatchdog: the pod outlives its idle deadline), then the studio is closed, and
// the pod stops itself through the RunPod API (its own pod-scoped key) when the extension ends.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Envelope, Job } from '@shared/contract';
import type { WatchdogStatus } from '@shared/contract/runpod';
import type { Studio } from '../../src-main/studio';
import { startRunpodServer, type RunpodTestServer } from '../helpers/runpod-server';
import { unwrap, waitForJob } from '../helpers/remote-pod';
import { requireSshd } from '../helpers/sshd';
import { makeRunpodStudio } from '../helpers/runpod-studio';

requireSshd();

const IDLE_SECONDS = 4;
const ms = (iso: string | null): number => (iso === null ? NaN : Date.parse(iso));

describe('the idle watchdog from the studio (local RunPod server)', () => {
  let rp: RunpodTestServer;
  let studio: Studio;
  let closed = false;
  let mount: string;

  beforeAll(async () => {
    rp = await startRunpodServer({ delays: { provisionMs: 50, startMs: 50, stopMs: 0 } });
    ({ studio, mount } = await makeRunpodStudio(rp, {
      mountPrefix: 'flux-watchdog-studio-',
      runpod: { timing: { pollMs: 100 }, retry: { initialDelayMs: 50, maxDelayMs: 200, maxRetries: 2 }, watchdog: { idleSeconds: IDLE_SECONDS, tickSeconds: 0.5 } },
      rest: { pods: { workerEnv: { FLUX_STUDIO_STANDIN_STEP_MS: '10' } } },
    }));
    unwrap(await studio.dispatch('settings.update', { openAfterGenerate: false }));
  }, 180_000);
  afterAll(async () => {
    if (!closed) await studio?.close();
    await rp?.close();
    if (mount) fs.rmSync(mount, { recursive: true, force: true });
  });

  const call = async <T>(name: string, payload: unknown): Promise<T> => unwrap<T>((await studio.dispatch(name, payload)) as Envelope<T>);

  test('armed by the first image, shown and extended through the contract, then the closed studio\'s pod stops itself', async () => {
    const created = await waitForJob(studio, (await call<Job>('runpod.create', { name: 'watched pod', gpuTypeIds: ['NVIDIA RTX A5000'], cloud: 'SECURE', image: null, containerDiskGb: 20, storage: { kind: 'volume', sizeGb: 20 } })).id, 120_000);
    expect(created.error).toBeNull();
    const { id, profileId } = created.result as { id: string; profileId: string };

    const gen = await call<Job>('generation.submit', { draft: { prompt: 'a watched pod', quality: 'fast', seed: 7 }, runtime: 'remote', podId: profileId });
    const generated = await waitForJob(studio, gen.id, 120_000);
    expect(generated.error).toBeNull();

    const shown = await call<WatchdogStatus>('runpod.watchdog', { id });
    expect(shown).toMatchObject({ armed: true, idleMinutes: 1, note: null });
    expect(ms(shown.deadline)).toBeGreaterThan(Date.now() - 1000);
    expect(ms(shown.deadline)).toBeLessThanOrEqual(Date.now() + IDLE_SECONDS * 1000 + 1000);

    // Extending (a minute from now) keeps the pod past its idle deadline.
    const extended = await call<WatchdogStatus>('runpod.extendWatchdog', { id, minutes: 1 });
    expect(ms(extended.deadline)).toBeGreaterThanOrEqual(Date.now() + 55_000);
    await new Promise((r) => setTimeout(r, (IDLE_SECONDS + 2) * 1000));
    expect(rp.pod(id)?.status).toBe('RUNNING');

    // The studio goes away; the pod stops itself when the extension runs out.
    await studio.close();
    closed = true;
    const closedAt = Date.now();

    await rp.waitFor(id, 'EXITED', 120_000);
    const stops = rp.requests().filter((r) => r.method === 'POST' && r.path === `/v2/pods/${id}/action` && r.at >= closedAt);
    expect(stops.map((r) => r.status)).toEqual([200]); // the pod's own key may stop only its own pod
    expect(stops[0]?.at).toBeGreaterThanOrEqual(ms(extended.deadline) - 100);
    expect(stops[0]?.at).toBeLessThanOrEqual(ms(extended.deadline) + 5000);
    const state = JSON.parse(fs.readFileSync(path.join(mount, 'flux-studio', 'watchdog', 'state.json'), 'utf8')) as { note: string };
    expect(state.note).toMatch(/^(stopping|stopped) the pod at /);
    expect(rp.violations()).toEqual([]);
  }, 300_000);
});
