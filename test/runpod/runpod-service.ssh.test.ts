// The RunPod capability against the local RunPod server (test/helpers/runpod-server): create
// with a no-capacity first candidate, SSH wait, host key pinned from the pod's log, account
// keys kept, stop / start on a new port with a new key (pinned from the log), a stale
// address retried, a generation on a stopped pod that starts it first, 402 / 429 / 401 / 403,
// terminate confirmation, and the API key in no log, job or answer.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, Job, PodProfile } from '@shared/contract';
import type { RunpodPod, SpendMeter } from '@shared/contract/runpod';
import type { Studio } from '../../src-main/studio';
import { startRunpodServer, type RunpodTestServer } from '../helpers/runpod-server';
import { unwrap, waitForJob } from '../helpers/remote-pod';
import { requireSshd } from '../helpers/sshd';
import { makeRunpodStudio } from '../helpers/runpod-studio';
import { makeStudio, tempDir } from '../helpers/studio';

requireSshd();

const A4090 = 'NVIDIA GeForce RTX 4090';
const A5000 = 'NVIDIA RTX A5000';
const WEBSITE_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFVHqXlKq2dW8JgJ6b8w8b3Y3oYb6Qm9rQf9yCk6Zs7P me@website';

let rp: RunpodTestServer;
let studio: Studio;
let mount: string;
const answers: unknown[] = [];
const progress = new Map<string, string[]>();

async function call<T>(name: string, payload: unknown): Promise<T> {
  const e = (await studio.dispatch(name, payload)) as Envelope<T>;
  answers.push(e);
  return unwrap<T>(e);
}

async function fail(name: string, payload: unknown): Promise<{ code: string; message: string; field?: string }> {
  const e = (await studio.dispatch(name, payload)) as Envelope<unknown>;
  answers.push(e);
  if (e.ok) throw new Error(`${name} succeeded`);
  return e.error;
}

async function runJob(job: Job, timeoutMs = 90_000): Promise<Job> {
  const done = await waitForJob(studio, job.id, timeoutMs);
  answers.push(done);
  return done;
}

const messages = (jobId: string) => progress.get(jobId) ?? [];

beforeAll(async () => {
  // Every restart keeps reporting the old address for 1.5 s, as RunPod's API can.
  rp = await startRunpodServer({ delays: { provisionMs: 300, startMs: 300, staleAddressMs: 1500 } });
  ({ studio, mount } = await makeRunpodStudio(rp, {
    mountPrefix: 'flux-rp-volume-',
    runpod: { timing: { pollMs: 100, watchMs: 60_000 }, retry: { initialDelayMs: 50, maxDelayMs: 200, maxRetries: 3 } },
    rest: { pods: { workerEnv: { FLUX_STUDIO_STANDIN_STEP_MS: '10' }, reconnect: { initialDelayMs: 100, maxDelayMs: 500, giveUpAfterMs: 20_000 } } },
  }));
  unwrap(await studio.dispatch('settings.update', { openAfterGenerate: false }));
  studio.events.subscribe((name, payload) => {
    if (name !== 'job.progress') return;
    const { jobId, progress: p } = payload as { jobId: string; progress: { message: string | null } };
    if (p.message) progress.set(jobId, [...messages(jobId), p.message]);
  });
  // A key the user registered on the website: the studio must keep it.
  const res = await fetch(`${rp.url}/v2/account/ssh-keys`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${rp.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ keys: [WEBSITE_KEY] }),
  });
  expect(res.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await studio?.close();
  const violations = rp?.violations() ?? [];
  await rp?.close();
  expect(violations).toEqual([]);
});

describe('RunPod from the studio (local RunPod server, loopback pods)', () => {
  let podId = '';
  let profile: PodProfile;

  it('creates a pod: the first GPU type has no capacity, the next is used; waits for SSH; pins the host key printed in the log; keeps the account\'s keys', async () => {
    rp.setCapacity(A4090, 0);
    const job = await call<Job>('runpod.create', { name: 'studio pod', gpuTypeIds: [A4090, A5000], cloud: 'SECURE', image: null, containerDiskGb: 20, storage: { kind: 'volume', sizeGb: 20 } });
    expect(job.kind).toBe('runpod.create');
    const done = await runJob(job);
    expect(done.error).toBeNull();
    expect(done.state).toBe('succeeded');
    const said = messages(job.id).join('\n');
    expect(said).toMatch(/no capacity for NVIDIA GeForce RTX 4090, trying the next GPU type/);
    expect(said).toMatch(/waiting for SSH \(~\d+ s\)/);
    expect(said).toMatch(/matches the pod's log: pinned/);
    // Armed by the create itself, before any image: a pod made and forgotten still stops.
    expect(said).toMatch(/arming the idle watchdog on the pod/);

    const result = done.result as { id: string; profileId: string; hostKeyPinned: boolean };
    podId = result.id;
    const snap = rp.pod(podId)!;
    expect(snap.gpu?.id).toBe(A5000);
    expect(snap.status).toBe('RUNNING');
    profile = studio.pods.get(result.profileId);
    expect(profile).toMatchObject({ runpodId: podId, host: snap.direct!.host, port: snap.direct!.port, user: 'root', workspace: mount });
    expect(snap.fingerprints).toContain(profile.hostKey?.fingerprint);
    expect(result.hostKeyPinned).toBe(true);
    // The studio's key was added, the website's kept.
    const keys = rp.sshKeys();
    expect(keys).toContain(WEBSITE_KEY);
    expect(keys.some((k) => k.startsWith('ssh-ed25519 ') && k.endsWith(' flux-studio'))).toBe(true);
    const keyFile = profile.keyPath!;
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    // The profile connects with the pinned key (no trust dialog).
    const status = unwrap<{ state: string }>(await studio.dispatch('pods.connect', { id: profile.id }));
    expect(status.state).toBe('connected');
    const watchdog = await call<{ armed: boolean; deadline: string | null }>('runpod.watchdog', { id: podId });
    expect(watchdog.armed).toBe(true);
    expect(Date.parse(watchdog.deadline!)).toBeGreaterThan(Date.now());
  });

  it('a create cancelled while waiting for SSH terminates the new pod (it must not bill) and links nothing', async () => {
    const job = await call<Job>('runpod.create', { name: 'cancelled pod', gpuTypeIds: [A5000], cloud: 'SECURE', image: null, containerDiskGb: 20, storage: { kind: 'none' } });
    await new Promise<void>((resolve) => {
      const off = studio.events.subscribe((name, payload) => {
        const p = payload as { jobId?: string; progress?: { message: string | null } };
        if (name === 'job.progress' && p.jobId === job.id && /waiting for SSH/.test(p.progress?.message ?? '')) {
          off();
          resolve();
        }
      });
    });
    await call('jobs.cancel', { id: job.id });
    const done = await runJob(job);
    expect(done.state).toBe('cancelled');
    const made = rp.pods().find((p) => p.name === 'cancelled pod');
    expect(made?.status ?? 'TERMINATED').toBe('TERMINATED');
    expect(studio.pods.list().some((p) => p.name === 'cancelled pod')).toBe(false);
  });

  it('lists the studio\'s pod and one made on the website, with $/h, storage, linked profile and spend', async () => {
    const website = await rp.addPod({ name: 'website pod', gpuId: A4090, status: 'EXITED', volumeGb: 40, volumePath: tempDir('flux-rp-web-') });
    const pods = await call<RunpodPod[]>('runpod.pods', {});
    const mine = pods.find((p) => p.id === podId)!;
    const theirs = pods.find((p) => p.id === website)!;
    expect(mine).toMatchObject({ status: 'RUNNING', createdByStudio: true, profileId: profile.id, volumeGb: 20, containerDiskGb: 20, gpu: { id: A5000, count: 1 } });
    expect(mine.costPerHr).toBeGreaterThan(0);
    // 20 GB container + 20 GB volume at $0.10/GB/month while running.
    expect(mine.storageCostPerHr).toBeCloseTo((20 * 0.1 + 20 * 0.1) / 730, 6);
    expect(mine.ssh).toEqual({ host: profile.host, port: profile.port });
    expect(theirs).toMatchObject({ status: 'EXITED', createdByStudio: false, profileId: null, costPerHr: 0, ssh: null });
    // A stopped volume costs $0.20/GB/month.
    expect(theirs.storageCostPerHr).toBeCloseTo((40 * 0.2) / 730, 6);
    await new Promise((r) => setTimeout(r, 300));
    const meter = await call<SpendMeter>('runpod.spend', {});
    expect(meter.configured).toBe(true);
    expect(meter.running.map((r) => r.id)).toContain(podId);
    expect(meter.sessionUsd).toBeGreaterThan(0);
    expect(meter.ratePerHr).toBeGreaterThan(mine.costPerHr);
    expect(meter.monthUsd).toBeGreaterThanOrEqual(meter.sessionUsd - 1e-9);
  });

  it('lists GPU types with price and stock per cloud, and network volumes', async () => {
    const gpus = await call<{ id: string; securePrice: number | null; secureStock: string | null; communityStock: string | null }[]>('runpod.gpus', {});
    const g4090 = gpus.find((g) => g.id === A4090)!;
    expect(g4090.securePrice).toBeCloseTo(0.69);
    expect(g4090.secureStock).toBeNull(); // capacity 0 above
    expect(gpus.find((g) => g.id === A5000)!.secureStock).not.toBeNull();
    rp.addNetworkVolume({ name: 'models', size: 100 });
    const vols = await call<{ name: string; sizeGb: number }[]>('runpod.volumes', {});
    expect(vols).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'models', sizeGb: 100 })]));
  });

  it('links a running pod made on the website (its key pinned from the log), and stopAll stops every running pod', async () => {
    const web = await rp.addPod({ name: 'web running', gpuId: A5000, status: 'RUNNING', volumeGb: 20, volumePath: tempDir('flux-rp-web2-') });
    await rp.waitFor(web, 'RUNNING');
    const linked = await call<RunpodPod>('runpod.link', { id: web });
    expect(linked).toMatchObject({ id: web, createdByStudio: false });
    const p = studio.pods.get(linked.profileId!);
    expect(p).toMatchObject({ runpodId: web, host: rp.pod(web)!.direct!.host, port: rp.pod(web)!.direct!.port });
    expect(rp.pod(web)!.fingerprints).toContain(p.hostKey?.fingerprint);
    expect(unwrap<{ state: string }>(await studio.dispatch('pods.connect', { id: p.id })).state).toBe('connected');
    const { stopped } = await call<{ stopped: string[] }>('runpod.stopAll', {});
    expect(stopped.sort()).toEqual([podId, web].sort());
    expect(rp.pod(web)!.status).toBe('EXITED');
    expect(rp.pod(podId)!.status).toBe('EXITED');
  });

  it('stops the pod; a generation on the stopped pod starts it first (new port, new host key pinned from the log, no paste)', async () => {
    const before = { host: profile.host, port: profile.port, fp: profile.hostKey!.fingerprint };
    const stopped = await call<RunpodPod>('runpod.stop', { id: podId });
    expect(stopped.status).toBe('EXITED');
    expect(stopped.costPerHr).toBe(0);
    await rp.waitFor(podId, 'EXITED');

    const job = await call<Job>('generation.submit', { draft: { prompt: 'a lighthouse at dusk', quality: 'fast', seed: 3 }, runtime: 'remote', podId: profile.id });
    const done = await runJob(job, 120_000);
    expect(done.error).toBeNull();
    expect(done.state).toBe('succeeded');
    expect(messages(job.id).some((m) => /^starting pod studio pod, ~\d+ s$/.test(m))).toBe(true);

    const snap = rp.pod(podId)!;
    const after = studio.pods.get(profile.id);
    expect(snap.starts).toBe(2);
    expect(after.port).toBe(snap.direct!.port);
    expect(after.port).not.toBe(before.port);
    expect(after.hostKey!.fingerprint).not.toBe(before.fp);
    expect(snap.fingerprints).toContain(after.hostKey!.fingerprint);
    profile = after;
  });

  it('reads the on-pod idle watchdog the worker armed, and extends it', async () => {
    const status = await call<{ armed: boolean; idleMinutes: number; deadline: string | null }>('runpod.watchdog', { id: podId });
    expect(status).toMatchObject({ armed: true, idleMinutes: 15 });
    const extended = await call<{ deadline: string | null }>('runpod.extendWatchdog', { id: podId, minutes: 90 });
    expect(Date.parse(extended.deadline!)).toBeGreaterThan(Date.now() + 89 * 60_000);
    const listed = (await call<RunpodPod[]>('runpod.pods', {})).find((p) => p.id === podId)!;
    expect(listed.watchdog?.armed).toBe(true);
  });

  it('start re-reads the address while the API still reports the old one, then pins the new key', async () => {
    await call<RunpodPod>('runpod.stop', { id: podId });
    await rp.waitFor(podId, 'EXITED');
    const job = await call<Job>('runpod.start', { id: podId });
    const done = await runJob(job);
    expect(done.error).toBeNull();
    const snap = rp.pod(podId)!;
    const after = studio.pods.get(profile.id);
    expect({ host: after.host, port: after.port }).toEqual({ host: snap.direct!.host, port: snap.direct!.port });
    expect(after.port).not.toBe(profile.port);
    expect(snap.fingerprints).toContain(after.hostKey!.fingerprint);
    expect(messages(job.id).join('\n')).toMatch(/still reports the old address/);
    profile = after;
  });

  it('429: waits as Retry-After says, then succeeds', async () => {
    rp.failNext('GET', '/v2/pods', { status: 429, retryAfter: 1 });
    const t0 = Date.now();
    const pods = await call<RunpodPod[]>('runpod.pods', {});
    expect(pods.some((p) => p.id === podId)).toBe(true);
    const list = rp.requests().filter((r) => r.method === 'GET' && r.path === '/v2/pods' && r.at >= t0);
    expect(list.map((r) => r.status).slice(0, 2)).toEqual([429, 200]);
    expect(list[1]!.at - list[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('402: a start stops at once and says the account has no balance', async () => {
    await call<RunpodPod>('runpod.stop', { id: podId });
    rp.failNext('POST', `/v2/pods/${podId}/action`, { status: 402 });
    const done = await runJob(await call<Job>('runpod.start', { id: podId }));
    expect(done.state).toBe('failed');
    expect(done.error?.message).toMatch(/no balance left \(402/);
    expect(rp.pod(podId)!.status).toBe('EXITED');
  });

  it('402 at create: no other candidate is tried', async () => {
    rp.setCapacity(A4090, 8);
    rp.failNext('POST', '/v2/pods', { status: 402 });
    const t0 = Date.now();
    const done = await runJob(await call<Job>('runpod.create', { name: 'broke', gpuTypeIds: [A4090, A5000], cloud: 'SECURE', image: null, containerDiskGb: 20, storage: { kind: 'none' } }));
    expect(done.state).toBe('failed');
    expect(done.error?.message).toMatch(/no balance/);
    expect(rp.requests().filter((r) => r.method === 'POST' && r.path === '/v2/pods' && r.at >= t0)).toHaveLength(1);
  });

  it('403 on every GPU type at create is reported as the key\'s or pool\'s refusal, not as no capacity', async () => {
    rp.failNext('POST', '/v2/pods', { status: 403, times: 2 });
    const done = await runJob(await call<Job>('runpod.create', { name: 'refused', gpuTypeIds: [A4090, A5000], cloud: 'SECURE', image: null, containerDiskGb: 20, storage: { kind: 'none' } }));
    expect(done.state).toBe('failed');
    expect(done.error?.message).toMatch(/may not create a pod on NVIDIA GeForce RTX 4090 \(403/);
    expect(messages(done.id).join('\n')).toMatch(/not open to this account for NVIDIA GeForce RTX 4090, trying the next GPU type/);
  });

  it('401 and 403 say what is wrong with the key', async () => {
    const other = await makeStudio({ env: { RUNPOD_API_KEY: 'not-a-key' }, runpod: { apiBase: rp.url, retry: { maxRetries: 0 } } });
    try {
      const e = await other.dispatch('runpod.pods', {});
      expect(e.ok).toBe(false);
      if (!e.ok) expect(e.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/refused the API key \(401\).*Settings → Secrets/) });
    } finally {
      await other.close();
    }
    const ro = await makeStudio({ env: { RUNPOD_API_KEY: rp.readOnlyApiKey }, runpod: { apiBase: rp.url, retry: { maxRetries: 0 } } });
    try {
      expect((await ro.dispatch('runpod.pods', {})).ok).toBe(true);
      // A read-only key may list but not change anything.
      const e = await ro.dispatch('runpod.terminate', { id: podId, confirm: 'studio pod' });
      expect(e.ok).toBe(false);
      if (!e.ok) expect(e.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/may not terminate pod studio pod \(403.*read\/write access/) });
      expect(rp.pod(podId)!.status).toBe('EXITED');
    } finally {
      await ro.close();
    }
  });

  it('terminate needs the pod\'s name and says the volume is destroyed', async () => {
    const wrong = await fail('runpod.terminate', { id: podId, confirm: 'studio' });
    expect(wrong).toMatchObject({ code: 'invalid_input', field: 'confirm', message: expect.stringMatching(/type the pod's name “studio pod”.*volume is destroyed/) });
    expect(rp.pod(podId)!.status).not.toBe('TERMINATED');
    await call('runpod.terminate', { id: podId, confirm: 'studio pod' });
    expect(rp.pod(podId)?.status ?? 'TERMINATED').toBe('TERMINATED');
    const after = studio.pods.get(profile.id);
    expect(after.runpodId).toBeNull();
  });

  it('the API key is in no log line, job row or answer', async () => {
    const logDir = path.join(studio.info.dataDir, 'logs');
    const logs = fs.readdirSync(logDir).map((f) => fs.readFileSync(path.join(logDir, f), 'utf8')).join('\n');
    expect(logs).toMatch(/runpod/);
    expect(logs).not.toContain(rp.apiKey);
    const jobs = JSON.stringify(await call('jobs.list', {}));
    expect(jobs).toMatch(/runpod\.create/);
    expect(jobs).not.toContain(rp.apiKey);
    expect(JSON.stringify(answers)).not.toContain(rp.apiKey);
    const dump = JSON.stringify(fs.readdirSync(studio.info.dataDir, { recursive: true }));
    expect(dump).not.toContain(rp.apiKey);
  });
});
