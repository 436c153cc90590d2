// The on-pod idle watchdog (native/pod/watchdog.py) driven by pod-watchdog.ts over a real
// OpenSSH server on 127.0.0.1. A local HTTP server stands in for RunPod's API (POST
// /v2/pods/{id}/action); the pod id and pod-scoped key come from an rp_environment-style file
// in the workspace, as RunPod's /etc/rp_environment. The studio's side is gone (the SSH
// connection closed) while the watchdog counts down and stops the pod; a training launched by
// the studio's real launcher keeps the pod running. The last suite does it on loopback pods of
// the local RunPod server (test/helpers/runpod-server): the pod's sessions carry RUNPOD_POD_ID,
// its pod-scoped RUNPOD_API_KEY and RUNPOD_API_BASE, and the stop is RunPod's state machine.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PodProfile } from '@shared/contract/pods';
import type { WatchdogStatus } from '@shared/contract/runpod';
import { pinnedPolicy, SshHost } from '../../src-main/hosts/ssh-host';
import type { PodConnections } from '../../src-main/pods/pod-connections';
import { syncPodFiles } from '../../src-main/pods/pod-files';
import { podLinks } from '../../src-main/pods/pod-links';
import { armForProfile, armWatchdog, disarmWatchdog, extendWatchdog, readWatchdog, touch, watchdogPaths } from '../../src-main/pods/pod-watchdog';
import { launch, runFiles, signalGroup } from '../../src-main/training/launcher';
import { startRunpodServer, type RunpodTestServer } from '../helpers/runpod-server';
import { requireSshd, startSshd, type TestSshd } from '../helpers/sshd';
import { REPO_ROOT, tempDir } from '../helpers/studio';

requireSshd();

const POD_DIR = path.join(REPO_ROOT, 'native', 'pod');
const POD_ID = 'loopbackpod1';
const KEY = 'rpa_PodScopedKeyForTheWatchdogSuite';
/** The launcher execs the python it is given, so it must be a path. */
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

interface Seen {
  path: string;
  auth: string | undefined;
  body: unknown;
  at: number;
}

/** RunPod's pod action endpoint, recording what reaches it. */
async function fakeApi(): Promise<{ base: string; seen: Seen[]; next(timeoutMs: number): Promise<Seen>; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'), at: Date.now() });
      waiters.splice(0).forEach((w) => w());
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: POD_ID, status: 'EXITED' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    seen,
    next: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => (seen[0] ? (resolve(seen[0]), true) : false);
        if (check()) return;
        const timer = setTimeout(() => reject(new Error(`no request to the API in ${timeoutMs} ms`)), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          check();
        });
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function connectTo(sshd: TestSshd): Promise<SshHost> {
  return SshHost.connect({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKeyPath: sshd.clientKeyPath,
    hostKeyPolicy: pinnedPolicy(sshd.hostKeyFingerprint()),
    label: 'ssh:watchdog-test',
    readyTimeoutMs: 5000,
  });
}

const ms = (iso: string | null): number => (iso === null ? NaN : Date.parse(iso));
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

describe('the on-pod idle watchdog over SSH', () => {
  let sshd: TestSshd;
  let host: SshHost;
  const workspaces: string[] = [];

  /** A fresh workspace with the pod files synced and an rp_environment file. */
  async function workspace(): Promise<{ ws: string; envFile: string }> {
    const ws = fs.realpathSync(tempDir('flux-watchdog-ws-'));
    workspaces.push(ws);
    await syncPodFiles(host, POD_DIR, ws);
    const envFile = path.join(ws, 'rp_environment');
    fs.writeFileSync(envFile, `export RUNPOD_POD_ID="${POD_ID}"\nexport RUNPOD_API_KEY="${KEY}"\n`, { mode: 0o600 });
    return { ws, envFile };
  }

  /** The daemon's pid (from its lock file) and whether it runs. */
  function daemonPid(ws: string): number | null {
    try {
      const pid = Number(fs.readFileSync(path.join(watchdogPaths(ws).dir, 'watchdog.lock'), 'utf8').trim());
      process.kill(pid, 0);
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('watchdog.py') ? pid : null;
    } catch {
      return null;
    }
  }

  beforeAll(async () => {
    sshd = await startSshd();
    host = await connectTo(sshd);
  });
  afterAll(async () => {
    for (const ws of workspaces) {
      const pid = daemonPid(ws);
      if (pid) process.kill(pid, 'SIGKILL');
      fs.rmSync(ws, { recursive: true, force: true });
    }
    await host?.close();
    await sshd?.stop();
  });

  test('arm, read the countdown, touch, extend; re-arming keeps one watchdog', async () => {
    const { ws, envFile } = await workspace();
    expect((await readWatchdog(host, ws)).armed).toBe(false);
    const t0 = Date.now();
    const armed: WatchdogStatus = await armWatchdog(host, { workspace: ws, idleMinutes: 15, envFile });
    expect(armed).toMatchObject({ armed: true, idleMinutes: 15, note: null });
    expect(ms(armed.deadline)).toBeGreaterThanOrEqual(t0 + 15 * 60_000 - 1000);
    expect(ms(armed.deadline)).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);
    const pid = daemonPid(ws);
    expect(pid).not.toBeNull();

    const read = await readWatchdog(host, ws);
    expect(read.armed).toBe(true);
    expect(read.deadline).toBe(armed.deadline);

    await sleep(1100);
    await touch(host, ws);
    const touched = await readWatchdog(host, ws);
    expect(ms(touched.lastActivity)).toBeGreaterThan(ms(armed.lastActivity));
    expect(ms(touched.deadline)).toBeGreaterThan(ms(armed.deadline));

    const extended = await extendWatchdog(host, ws, 90);
    expect(ms(extended.deadline)).toBeGreaterThanOrEqual(Date.now() + 90 * 60_000 - 5000);
    expect((await readWatchdog(host, ws)).deadline).toBe(extended.deadline);

    const rearmed = await armWatchdog(host, { workspace: ws, idleMinutes: 30, envFile });
    expect(rearmed.idleMinutes).toBe(30);
    expect(daemonPid(ws)).toBe(pid);

    const off = await disarmWatchdog(host, ws);
    expect(off).toMatchObject({ armed: false, deadline: null, note: 'disarmed' });
    expect(daemonPid(ws)).toBeNull();
  }, 90_000);

  test('idle with the studio gone: the watchdog stops the pod through the API with the pod-scoped key', async () => {
    const api = await fakeApi();
    try {
      const { ws, envFile } = await workspace();
      const own = await connectTo(sshd);
      const armed = await armWatchdog(own, { workspace: ws, idleMinutes: 1, idleSeconds: 3, tickSeconds: 0.5, apiBase: api.base, envFile });
      expect(armed.armed).toBe(true);
      // The studio goes away: its SSH connection closes, every session of it ends.
      await own.close();
      const req = await api.next(20_000);
      expect(req).toMatchObject({ path: `/v2/pods/${POD_ID}/action`, auth: `Bearer ${KEY}`, body: { action: 'stop' } });
      expect(req.at).toBeGreaterThanOrEqual(ms(armed.deadline) - 100);
      expect(req.at).toBeLessThanOrEqual(ms(armed.deadline) + 5000);
      expect(api.seen).toHaveLength(1);

      // Its work done, the watchdog ends and says what it did.
      await expect.poll(async () => (await readWatchdog(host, ws)).armed, { timeout: 10_000 }).toBe(false);
      expect(await readWatchdog(host, ws)).toMatchObject({ deadline: null, note: expect.stringMatching(/^stopped the pod at /) });
      const log = fs.readFileSync(watchdogPaths(ws).log, 'utf8');
      expect(log).toContain('stopping the pod');
      expect(log).not.toContain(KEY);
    } finally {
      await api.close();
    }
  }, 90_000);

  test('a training launched by the studio keeps the pod; the countdown starts when it ends', async () => {
    const api = await fakeApi();
    try {
      const { ws, envFile } = await workspace();
      // A "toolkit" whose run.py trains for a long time (the launcher is the studio's own).
      const toolkit = path.join(ws, 'toolkit');
      fs.mkdirSync(toolkit);
      fs.writeFileSync(path.join(toolkit, 'run.py'), 'import time\ntime.sleep(300)\n');
      const files = runFiles(path.posix.join(ws, 'trainings', 'lora-a'), 'lora-a');
      const { pid } = await launch(host, files, '{}', toolkit, PYTHON);
      try {
        await armWatchdog(host, { workspace: ws, idleMinutes: 1, idleSeconds: 1, tickSeconds: 0.3, apiBase: api.base, envFile });
        await sleep(4000);
        expect(api.seen).toEqual([]);
        const s = await readWatchdog(host, ws);
        expect(s).toMatchObject({ armed: true, deadline: null });
        expect(s.note).toContain('training running (lora-a)');
      } finally {
        await signalGroup(host, pid, 'KILL');
      }
      const ended = Date.now();
      const req = await api.next(20_000);
      expect(req.path).toBe(`/v2/pods/${POD_ID}/action`);
      expect(req.at).toBeGreaterThanOrEqual(ended + 500);
    } finally {
      await api.close();
    }
  }, 90_000);

  test('installing the worker arms the watchdog for a RunPod-linked profile only', async () => {
    const { ws, envFile } = await workspace();
    const now = new Date().toISOString();
    const profile = (runpodId: string | null): PodProfile => ({
      id: 'p1',
      name: 'linked',
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      keyPath: sshd.clientKeyPath,
      connectTimeoutSec: 10,
      workspace: ws,
      python: null,
      pipeline: 'standin',
      modelPaths: { 'flux-dev': null, 'flux-schnell': null },
      hostKey: null,
      hasPassphrase: false,
      runpodId,
      createdAt: now,
      updatedAt: now,
    });
    // installWorker uses no connection manager (the host is given): none is made here.
    const noConnections = {} as PodConnections;
    const plain = podLinks({ pod: () => profile(null), connections: noConnections, podFilesDir: POD_DIR }).link('p1');
    expect(plain.workerArgs).toEqual(['--pipeline', 'standin', '--activity', watchdogPaths(ws).activity]);
    await plain.installWorker(host);
    expect((await readWatchdog(host, ws)).armed).toBe(false);

    const errors: unknown[] = [];
    const linked = podLinks({
      pod: () => profile('abc123'),
      connections: noConnections,
      podFilesDir: POD_DIR,
      watchdog: { idleMinutes: () => 25, envFile, onError: (_id, err) => errors.push(err) },
    }).link('p1');
    await linked.installWorker(host);
    expect(errors).toEqual([]);
    expect(await readWatchdog(host, ws)).toMatchObject({ armed: true, idleMinutes: 25 });
    await disarmWatchdog(host, ws);
  }, 90_000);

  test('the training hook uploads watchdog.py when missing and arms a RunPod-linked profile only', async () => {
    const ws = fs.realpathSync(tempDir('flux-watchdog-train-ws-'));
    workspaces.push(ws);
    const now = new Date().toISOString();
    const base: PodProfile = {
      id: 'p2',
      name: 'training only',
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      keyPath: sshd.clientKeyPath,
      connectTimeoutSec: 10,
      workspace: ws,
      python: null,
      pipeline: 'standin',
      modelPaths: { 'flux-dev': null, 'flux-schnell': null },
      hostKey: null,
      hasPassphrase: false,
      runpodId: null,
      createdAt: now,
      updatedAt: now,
    };
    const errors: unknown[] = [];
    const arming = { idleMinutes: () => 20, onError: (_id: string, err: unknown) => errors.push(err) };
    expect(await armForProfile(host, base, arming, { podFilesDir: POD_DIR })).toBeNull();
    expect(fs.existsSync(watchdogPaths(ws).script)).toBe(false); // a plain SSH host is left alone
    const status = await armForProfile(host, { ...base, runpodId: 'abc123' }, arming, { podFilesDir: POD_DIR });
    expect(errors).toEqual([]);
    expect(status).toMatchObject({ armed: true, idleMinutes: 20 });
    await disarmWatchdog(host, ws);
    // A failure is reported, never thrown (the training goes on).
    const broken = await armForProfile(host, { ...base, runpodId: 'abc123' }, { ...arming, idleSeconds: -1 });
    expect(broken).toBeNull();
    expect(String(errors[0])).toContain('idleSeconds');
  }, 90_000);
});

describe('the watchdog on a loopback RunPod pod (local RunPod server)', () => {
  let rp: RunpodTestServer;
  let dir: string;
  let keyPath: string;
  let pub: string;
  const opened: SshHost[] = [];

  beforeAll(async () => {
    rp = await startRunpodServer({ delays: { provisionMs: 30, startMs: 30, stopMs: 0 } });
    dir = fs.realpathSync(tempDir('flux-watchdog-rp-'));
    keyPath = path.join(dir, 'studio_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'studio@watchdog-test', '-f', keyPath], { stdio: 'ignore' });
    pub = fs.readFileSync(`${keyPath}.pub`, 'utf8').trim();
  });
  afterAll(async () => {
    for (const h of opened) await h.close().catch(() => undefined);
    await rp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A running pod whose volume is a fresh workspace, a connection to it (host key from the pod's start log), and its profile. */
  async function rentedPod(name: string): Promise<{ id: string; ws: string; host: SshHost; profile: PodProfile }> {
    const ws = path.join(dir, name);
    fs.mkdirSync(ws);
    const id = await rp.addPod({ name, authorizedKeys: [pub], volumePath: ws });
    const snap = await rp.waitFor(id, 'RUNNING');
    const direct = snap.direct;
    if (!direct) throw new Error('the pod has no ssh.direct');
    const host = await SshHost.connect({
      host: direct.host,
      port: direct.port,
      username: direct.username,
      privateKeyPath: keyPath,
      hostKeyPolicy: (k) => (snap.fingerprints.includes(k.fingerprint) ? 'accept' : 'unknown'),
      label: `ssh:${name}`,
      readyTimeoutMs: 5000,
    });
    opened.push(host);
    const now = new Date().toISOString();
    const profile: PodProfile = {
      id: `profile-${name}`,
      name,
      host: direct.host,
      port: direct.port,
      user: direct.username,
      keyPath,
      connectTimeoutSec: 10,
      workspace: ws,
      python: null,
      pipeline: 'standin',
      modelPaths: { 'flux-dev': null, 'flux-schnell': null },
      hostKey: null,
      hasPassphrase: false,
      runpodId: id,
      createdAt: now,
      updatedAt: now,
    };
    return { id, ws, host, profile };
  }

  /** What the studio does when it installs the worker on a RunPod-linked profile (pod-links.ts), with a 3 s countdown. */
  async function installWorker(host: SshHost, profile: PodProfile): Promise<void> {
    const errors: unknown[] = [];
    const links = podLinks({
      pod: () => profile,
      connections: {} as PodConnections, // installWorker uses none: the host is given
      podFilesDir: POD_DIR,
      watchdog: { idleMinutes: () => 1, idleSeconds: 3, tickSeconds: 0.3, onError: (_id, err) => errors.push(err) },
    });
    await links.link(profile.id).installWorker(host);
    expect(errors).toEqual([]);
  }

  const stopsOf = (id: string) => rp.requests().filter((r) => r.method === 'POST' && r.path === `/v2/pods/${id}/action`);

  test('idle with the studio gone: the pod stops itself through the RunPod API with its own key', async () => {
    const { id, ws, host, profile } = await rentedPod('idle-pod');
    await installWorker(host, profile);
    const armed = await readWatchdog(host, ws);
    expect(armed).toMatchObject({ armed: true, idleMinutes: 1, note: null });
    // The studio closes: its connection and every session of it end.
    await host.close();
    const exited = await rp.waitFor(id, 'EXITED', 30_000);
    expect(exited.status).toBe('EXITED');
    const stops = stopsOf(id);
    expect(stops).toHaveLength(1);
    expect(stops[0]?.status).toBe(200); // the server accepts the pod-scoped key only for this pod's own stop
    expect(stops[0]?.at).toBeGreaterThanOrEqual(ms(armed.deadline) - 100);
    expect(stops[0]?.at).toBeLessThanOrEqual(ms(armed.deadline) + 5000);
    // On the volume (kept across the stop): what it did, written before the request because the
    // stopped container's processes die with it (the server kills them, as RunPod does).
    const state = fs.readFileSync(path.join(watchdogPaths(ws).dir, 'state.json'), 'utf8');
    expect(JSON.parse(state)).toMatchObject({ note: expect.stringMatching(/^(stopping|stopped) the pod at /) });
    const log = fs.readFileSync(watchdogPaths(ws).log, 'utf8');
    expect(log).toContain('stopping the pod');
    expect(rp.livePodProcesses()).toEqual([]);
    expect(log + state).not.toContain(rp.pod(id)?.podApiKey ?? 'no key');
    expect(rp.violations()).toEqual([]);
  }, 90_000);

  test('a pod with a running training is not stopped; it stops once the training ends', async () => {
    const { id, ws, host, profile } = await rentedPod('training-pod');
    const toolkit = path.join(ws, 'toolkit');
    fs.mkdirSync(toolkit);
    fs.writeFileSync(path.join(toolkit, 'run.py'), 'import time\ntime.sleep(300)\n');
    const files = runFiles(path.posix.join(ws, 'trainings', 'lora-b'), 'lora-b');
    const { pid } = await launch(host, files, '{}', toolkit, PYTHON);
    await installWorker(host, profile);
    await sleep(6000); // twice the countdown
    expect(rp.pod(id)?.status).toBe('RUNNING');
    expect(stopsOf(id)).toEqual([]);
    expect(await readWatchdog(host, ws)).toMatchObject({ armed: true, deadline: null, note: expect.stringContaining('training running (lora-b)') });
    await signalGroup(host, pid, 'KILL');
    const ended = Date.now();
    await host.close();
    await rp.waitFor(id, 'EXITED', 30_000);
    expect(stopsOf(id)[0]?.at).toBeGreaterThanOrEqual(ended + 2500);
  }, 90_000);
});
