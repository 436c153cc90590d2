// The local RunPod server itself (test/helpers/runpod-server): its API against the published
// spec, the pod state machine, and the loopback pods (real sshd, host keys from the log).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CAPACITY_DETAIL, startRunpodServer, type RunpodTestServer } from '../helpers/runpod-server';
import { loadSpecValidator } from '../helpers/runpod-server/spec-validation';
import { requireSshd } from '../helpers/sshd';

requireSshd();

const GPU = 'NVIDIA GeForce RTX 4090';

interface Reply {
  status: number;
  headers: Headers;
  json: unknown;
}

async function call(rp: RunpodTestServer, method: string, urlPath: string, body?: unknown, key = rp.apiKey): Promise<Reply> {
  const res = await fetch(`${rp.url}${urlPath}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as unknown) : null };
}

interface LogEvent {
  id: string;
  ts: string;
  source: string;
  line: string;
}

/** Read the SSE log until `until(events)` holds (the stream itself stays open). */
async function readLog(rp: RunpodTestServer, id: string, until: (events: LogEvent[]) => boolean, opts: { lastEventId?: string; query?: string } = {}): Promise<LogEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 10_000);
  const res = await fetch(`${rp.url}/v2/pods/${id}/logs${opts.query ?? ''}`, {
    headers: { Authorization: `Bearer ${rp.apiKey}`, ...(opts.lastEventId ? { 'Last-Event-ID': opts.lastEventId } : {}) },
    signal: ac.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const events: LogEvent[] = [];
  const reader = res.body!.getReader();
  let buf = '';
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString('utf8');
      let sep: number;
      while ((sep = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, sep);
        buf = buf.slice(sep + 2);
        const idLine = /^id: (.*)$/m.exec(block)?.[1] ?? '';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as { ts: string; source: string; line: string };
        events.push({ id: idLine, ...data });
      }
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}

const readyCount = (events: LogEvent[]) => events.filter((e) => e.line === 'Start script(s) finished, Pod is ready to use.').length;

/** SHA256 fingerprints printed after the last "Pod Started" (what a client pins). */
function fingerprintsOfLastStart(events: LogEvent[]): string[] {
  const start = events.map((e) => e.line).lastIndexOf('Pod Started');
  return events
    .slice(start)
    .map((e) => /^\d+ (SHA256:[A-Za-z0-9+/]+) /.exec(e.line)?.[1])
    .filter((f): f is string => !!f);
}

function sha256Fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** Connect with ssh2, accepting only a host key listed in `fingerprints`; run `command`. */
function sshExec(direct: { host: string; port: number; username: string }, keyPath: string, fingerprints: string[], command: string): Promise<{ stdout: string; presented: string }> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let presented = '';
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let out = '';
        stream.on('data', (d: Buffer) => (out += d.toString('utf8')));
        stream.stderr.on('data', () => undefined);
        stream.on('close', () => {
          c.end();
          resolve({ stdout: out, presented });
        });
      });
    });
    c.on('error', reject);
    c.connect({
      host: direct.host,
      port: direct.port,
      username: direct.username,
      privateKey: fs.readFileSync(keyPath),
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => {
        presented = sha256Fingerprint(key);
        return fingerprints.includes(presented);
      },
    });
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

/** Marked processes of the server that run `sleep` (what a test started on the pod). */
function sleepers(rp: RunpodTestServer): number[] {
  return rp.livePodProcesses().filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep');
    } catch {
      return false;
    }
  });
}

/** Wait until the detached `sleep` a test started on the pod is running (it forks after the session ends). */
async function waitSleeper(rp: RunpodTestServer): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (sleepers(rp).length !== 1) {
    if (Date.now() > deadline) throw new Error(`expected one sleep on the pod, found ${sleepers(rp).length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function clientKey(dir: string, name: string): { path: string; pub: string } {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@studio`, '-f', file], { stdio: 'ignore' });
  return { path: file, pub: fs.readFileSync(`${file}.pub`, 'utf8').trim() };
}

type ApiPod = {
  id: string;
  status: string;
  actions: string[];
  cost: number;
  runtime: unknown;
  ssh: { direct: { host: string; port: number; username: string } | null };
};

async function waitApi(rp: RunpodTestServer, id: string, pred: (p: ApiPod) => boolean, timeoutMs = 15_000): Promise<ApiPod> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(rp, 'GET', `/v2/pods/${id}`);
    const p = r.json as ApiPod;
    if (r.status === 200 && pred(p)) return p;
    if (Date.now() > deadline) throw new Error(`pod ${id}: condition not met; last ${JSON.stringify(p)}`);
    await new Promise((r2) => setTimeout(r2, 25));
  }
}

describe('local RunPod server', () => {
  let rp: RunpodTestServer;
  let dir: string;
  let key: { path: string; pub: string };
  let other: { path: string; pub: string };
  const sshdDirs: string[] = [];

  beforeAll(async () => {
    rp = await startRunpodServer({ delays: { provisionMs: 30, startMs: 30, stopMs: 0 } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-rp-test-'));
    key = clientKey(dir, 'studio');
    other = clientKey(dir, 'other');
  });

  afterAll(async () => {
    await rp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  let podId = '';
  let firstFingerprints: string[] = [];
  let firstPort = 0;
  const volume = () => path.join(dir, 'workspace');

  it('PUT /v2/account/ssh-keys replaces the whole set', async () => {
    expect((await call(rp, 'PUT', '/v2/account/ssh-keys', { keys: [other.pub, key.pub] })).status).toBe(200);
    const r = await call(rp, 'PUT', '/v2/account/ssh-keys', { keys: [key.pub] });
    expect(r.json).toEqual({ keys: [key.pub] });
    expect((await call(rp, 'GET', '/v2/account/ssh-keys')).json).toEqual({ keys: [key.pub] });
  });

  it('creates a pod that goes PROVISIONING → STARTING → RUNNING with ssh.direct', async () => {
    const r = await call(rp, 'POST', '/v2/pods', {
      name: 'flux-test',
      image: 'runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04',
      gpu: { id: GPU, count: 1 },
      ports: ['8888/http', '22/tcp'],
      startSsh: true,
      mounts: { persistent: { size: 20, path: volume() } },
    });
    expect(r.status).toBe(201);
    const created = r.json as ApiPod;
    expect(created.status).toBe('PROVISIONING');
    expect(created.actions).toEqual(['stop', 'terminate']);
    expect(created.ssh.direct).toBeNull();
    podId = created.id;
    const running = await waitApi(rp, podId, (p) => p.status === 'RUNNING');
    expect(running.actions).toEqual(['stop', 'restart', 'terminate']);
    expect(running.cost).toBe(0.69);
    expect(running.runtime).not.toBeNull();
    expect(running.ssh.direct).toMatchObject({ host: '127.0.0.1' });
    firstPort = running.ssh.direct!.port;
    const seen = rp.requests().filter((q) => q.path === `/v2/pods/${podId}`);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('prints the host key fingerprints to the pod log, and the sshd presents one of them', async () => {
    const events = await readLog(rp, podId, (e) => readyCount(e) >= 1);
    const lines = events.map((e) => e.line);
    expect(lines).toContain('Pod Started');
    expect(lines).toContain('Setting up SSH...');
    expect(lines).toContain('ED25519 key fingerprint:');
    expect(lines).toContain('SSH host keys:');
    expect(lines).toContain('Key: /etc/ssh/ssh_host_ed25519_key.pub');
    for (const e of events) expect(e.id).toBe(e.ts);
    const lastTwo = await readLog(rp, podId, (e) => e.length >= 2, { query: '?tail=2&source=container' });
    expect(lastTwo.map((e) => e.line)).toEqual(events.filter((e) => e.source === 'container').slice(-2).map((e) => e.line));
    firstFingerprints = fingerprintsOfLastStart(events);
    expect(firstFingerprints.length).toBeGreaterThanOrEqual(3);
    const snap = rp.pod(podId)!;
    for (const f of snap.fingerprints) expect(firstFingerprints).toContain(f);
    sshdDirs.push(rp.sshd(podId)!.dir);

    const { stdout, presented } = await sshExec(snap.direct!, key.path, firstFingerprints, 'echo "$RUNPOD_POD_ID|$RUNPOD_TCP_PORT_22|$RUNPOD_PUBLIC_IP|$RUNPOD_API_BASE|${#RUNPOD_API_KEY}"');
    expect(firstFingerprints).toContain(presented);
    const [id, port, ip, base, keyLen] = stdout.trim().split('|');
    expect({ id, port: Number(port), ip, base }).toEqual({ id: podId, port: firstPort, ip: '127.0.0.1', base: rp.url });
    expect(Number(keyLen)).toBeGreaterThan(10);
    const envFile = fs.readFileSync(snap.envFile!, 'utf8');
    expect(envFile).toContain(`export RUNPOD_POD_ID="${podId}"`);
    expect(envFile).toContain(`export RUNPOD_TCP_PORT_22="${firstPort}"`);
    expect(envFile).not.toContain('PUBLIC_KEY');
  });

  it('refuses a key that was not registered when the pod was created', async () => {
    await expect(sshExec(rp.pod(podId)!.direct!, other.path, firstFingerprints, 'true')).rejects.toThrow(/authentication/i);
  });

  it('stop kills the sshd, its sessions and processes started on the pod; the volume survives', async () => {
    const snap = rp.pod(podId)!;
    fs.writeFileSync(path.join(volume(), 'kept.txt'), 'kept');
    await sshExec(snap.direct!, key.path, firstFingerprints, 'setsid nohup sleep 600 >/dev/null 2>&1 < /dev/null & echo started');
    await waitSleeper(rp);
    const r = await call(rp, 'POST', `/v2/pods/${podId}/action`, { action: 'stop' });
    expect(r.status).toBe(200);
    const stopped = r.json as ApiPod;
    expect(stopped.status).toBe('EXITED');
    expect(stopped.actions).toEqual(['start', 'terminate']);
    expect(stopped.cost).toBe(0);
    expect(stopped.runtime).toBeNull();
    expect(stopped.ssh.direct).toBeNull();
    expect(await refused(firstPort)).toBe(true);
    expect(rp.livePodProcesses()).toEqual([]);
    expect(fs.readFileSync(path.join(volume(), 'kept.txt'), 'utf8')).toBe('kept');
  });

  it('answers 409 for an action the status does not allow', async () => {
    const r = await call(rp, 'POST', `/v2/pods/${podId}/action`, { action: 'stop' });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.json).toMatchObject({ status: 409, title: 'Conflict' });
  });

  it('start again: a new port and new host keys, printed to the log (resumable with Last-Event-ID)', async () => {
    const before = await readLog(rp, podId, (e) => readyCount(e) >= 1);
    const lastId = before.at(-1)!.id;
    expect((await call(rp, 'POST', `/v2/pods/${podId}/action`, { action: 'start' })).status).toBe(200);
    const running = await waitApi(rp, podId, (p) => p.status === 'RUNNING');
    expect(running.ssh.direct!.port).not.toBe(firstPort);
    const after = await readLog(rp, podId, (e) => readyCount(e) >= 1, { lastEventId: lastId });
    expect(after.every((e) => e.ts > lastId)).toBe(true);
    const fresh = fingerprintsOfLastStart(after);
    expect(fresh.length).toBeGreaterThanOrEqual(3);
    for (const f of fresh) expect(firstFingerprints).not.toContain(f);
    await expect(sshExec(running.ssh.direct!, key.path, firstFingerprints, 'true')).rejects.toThrow();
    const { stdout } = await sshExec(running.ssh.direct!, key.path, fresh, 'echo ok');
    expect(stdout).toContain('ok');
    sshdDirs.push(rp.sshd(podId)!.dir);
  });

  it('answers 400 with RunPod\'s "no capacity" detail when the GPU type has none', async () => {
    rp.setCapacity('NVIDIA L40S', 0);
    const cat = await call(rp, 'GET', '/v2/catalog/gpus?include=AVAILABILITY&product=POD');
    expect(cat.status).toBe(200);
    const nine = (await call(rp, 'GET', '/v2/catalog/gpus?count=9')).json as { gpus: unknown[] };
    expect(nine.gpus).toEqual([]);
    const l40 = (cat.json as { gpus: { id: string; availability: string; price: { secure: number } }[] }).gpus.find((g) => g.id === 'NVIDIA L40S');
    expect(l40).toMatchObject({ availability: 'NONE', price: { secure: 0.86 } });
    const r = await call(rp, 'POST', '/v2/pods', { name: 'x', image: 'img', gpu: { id: 'NVIDIA L40S' } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ status: 400, detail: NO_CAPACITY_DETAIL });
    rp.setCapacity('NVIDIA L40S', 4);
  });

  it('injects one-shot faults: 429 with Retry-After, then normal answers', async () => {
    rp.failNext('GET', '/v2/pods', { status: 429, retryAfter: 3 });
    const r = await call(rp, 'GET', '/v2/pods');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(r.json).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect((await call(rp, 'GET', '/v2/pods')).status).toBe(200);
    rp.failNext('POST', '/v2/pods/*/action', { status: 402 });
    expect((await call(rp, 'POST', `/v2/pods/${podId}/action`, { action: 'restart' })).status).toBe(402);
  });

  it('rejects a request that breaks the spec (422 for the body, 400 for parameters)', async () => {
    const bad = await call(rp, 'POST', '/v2/pods', { name: 'x', image: 'img', gpu: { id: GPU, count: 0 }, bogus: true });
    expect(bad.status).toBe(422);
    const errors = (bad.json as { errors: string[] }).errors;
    expect(errors.join('\n')).toMatch(/count/);
    expect(errors.join('\n')).toMatch(/bogus/);
    const noImage = await call(rp, 'POST', '/v2/pods', { name: 'x', gpu: { id: GPU } });
    expect(noImage.status).toBe(422);
    expect((await call(rp, 'POST', `/v2/pods/${podId}/action`, { action: 'pause' })).status).toBe(422);
    expect((await call(rp, 'PUT', '/v2/account/ssh-keys', { keys: ['not a key'] })).status).toBe(422);
    expect((await call(rp, 'GET', '/v2/catalog/gpus?include=EVERYTHING')).status).toBe(400);
    expect((await call(rp, 'GET', '/v2/catalog/gpus?include=AVAILABILITY')).json).toMatchObject({ status: 400, detail: expect.stringMatching(/product/) });
  });

  it('detects a response that breaks the spec', async () => {
    const spec = await loadSpecValidator();
    const op = spec.operation('getPod');
    expect(spec.checkResponse(op, 200, {}, 'application/json', { id: 1, name: 'x' }).length).toBeGreaterThan(0);
    expect(spec.checkResponse(op, 404, {}, 'application/problem+json', { title: 'Not Found' }).join('\n')).toMatch(/status|detail/);
    expect(spec.checkResponse(op, 404, {}, 'application/json', { title: 'Not Found', status: 404, detail: 'x' }).join('\n')).toMatch(/content type/);
    expect(spec.checkResponse(op, 429, { 'retry-after': 'soon' }, 'application/problem+json', { title: 'x', status: 429, detail: 'x' }).join('\n')).toMatch(/Retry-After/);
    expect(spec.checkLogEvent({ ts: 'yesterday', source: 'container', line: 'x' }).length).toBeGreaterThan(0);
  });

  it('checks keys: 401 for a wrong key, 403 for a read-only key writing', async () => {
    expect((await call(rp, 'GET', '/v2/pods', undefined, 'nope')).status).toBe(401);
    expect((await call(rp, 'GET', '/v2/pods', undefined, rp.readOnlyApiKey)).status).toBe(200);
    expect((await call(rp, 'PUT', '/v2/account/ssh-keys', { keys: [] }, rp.readOnlyApiKey)).status).toBe(403);
  });

  it("the pod's RUNPOD_API_KEY may read and stop only its own pod", async () => {
    const website = await rp.addPod({ name: 'made on the website', status: 'EXITED' });
    const own = rp.pod(podId)!.podApiKey;
    expect((await call(rp, 'GET', `/v2/pods/${podId}`, undefined, own)).status).toBe(200);
    expect((await call(rp, 'GET', `/v2/pods/${website}`, undefined, own)).status).toBe(403);
    expect((await call(rp, 'GET', '/v2/pods', undefined, own)).status).toBe(403);
    expect((await call(rp, 'POST', `/v2/pods/${website}/action`, { action: 'terminate' }, own)).status).toBe(403);
    expect((await call(rp, 'POST', `/v2/pods/${podId}/action`, { action: 'restart' }, own)).status).toBe(403);
    const list = (await call(rp, 'GET', '/v2/pods')).json as { pods: { id: string }[] };
    expect(list.pods.map((p) => p.id)).toEqual(expect.arrayContaining([podId, website]));
    expect(rp.pod(website)!.madeOnWebsite).toBe(true);
    await waitApi(rp, podId, (p) => p.status === 'RUNNING');
    expect((await call(rp, 'POST', `/v2/pods/${podId}/action`, { action: 'stop' }, own)).status).toBe(200);
    expect(rp.pod(podId)!.status).toBe('EXITED');
  });

  it('bills compute while RUNNING and storage always, as GET /v2/billing/pods reports', async () => {
    const accrued = rp.accruedUsd(podId);
    expect(accrued).toBeGreaterThan(0);
    const r = await call(rp, 'GET', `/v2/billing/pods?podId=${podId}`);
    expect(r.status).toBe(200);
    const rec = (r.json as { records: { podId: string; gpuAmount: number; totalAmount: number }[] }).records[0]!;
    expect(rec.podId).toBe(podId);
    expect(rec.gpuAmount).toBeGreaterThan(0);
    expect(rec.totalAmount).toBeGreaterThanOrEqual(accrued);
  });

  it('terminate removes the pod and its volume (204, then 404)', async () => {
    expect((await call(rp, 'DELETE', `/v2/pods/${podId}`)).status).toBe(204);
    expect((await call(rp, 'GET', `/v2/pods/${podId}`)).status).toBe(404);
    expect(fs.existsSync(volume())).toBe(false);
  });

  it('saw no response that breaks the spec in this suite', () => {
    expect(rp.violations()).toEqual([]);
  });

  it('close() leaves no sshd and no pod process behind', async () => {
    const id = await rp.addPod({ name: 'running at close', authorizedKeys: [key.pub] });
    const snap = await rp.waitFor(id, 'RUNNING');
    sshdDirs.push(rp.sshd(id)!.dir);
    await sshExec(snap.direct!, key.path, snap.fingerprints, 'setsid nohup sleep 600 >/dev/null 2>&1 < /dev/null &');
    await waitSleeper(rp);
    await rp.close();
    expect(rp.livePodProcesses()).toEqual([]);
    const cmdlines = fs
      .readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map((n) => {
        try {
          return fs.readFileSync(`/proc/${n}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      });
    for (const d of sshdDirs) expect(cmdlines.filter((c) => c.includes(d))).toEqual([]);
    expect(await refused(snap.direct!.port)).toBe(true);
  });
});

describe('local RunPod server: stale address after a start', () => {
  it('keeps reporting the previous ssh.direct for staleAddressMs after a start', async () => {
    const rp = await startRunpodServer({ delays: { provisionMs: 10, startMs: 10, stopMs: 0, staleAddressMs: 1500 }, hostKeyTypes: ['ed25519'] });
    try {
      const id = await rp.addPod({ name: 'stale', authorizedKeys: [] });
      const first = await rp.waitFor(id, 'RUNNING');
      await call(rp, 'POST', `/v2/pods/${id}/action`, { action: 'stop' });
      await call(rp, 'POST', `/v2/pods/${id}/action`, { action: 'start' });
      await rp.waitFor(id, 'RUNNING');
      const stale = (await call(rp, 'GET', `/v2/pods/${id}`)).json as ApiPod;
      expect(stale.ssh.direct!.port).toBe(first.direct!.port);
      const fresh = await waitApi(rp, id, (p) => p.ssh.direct?.port !== first.direct!.port);
      expect(fresh.ssh.direct!.port).toBe(rp.pod(id)!.direct!.port);
      expect(rp.violations()).toEqual([]);
    } finally {
      await rp.close();
    }
  });
});

describe('local RunPod server: restart, ERROR, network volumes, early stop', () => {
  let rp: RunpodTestServer;
  let dir: string;
  let key: { path: string; pub: string };

  beforeAll(async () => {
    rp = await startRunpodServer({ delays: { provisionMs: 10, startMs: 10, stopMs: 0 }, hostKeyTypes: ['ed25519'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-rp-test-'));
    key = clientKey(dir, 'studio');
    await call(rp, 'PUT', '/v2/account/ssh-keys', { keys: [key.pub] });
  });

  afterAll(async () => {
    await rp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const create = async (extra: Record<string, unknown> = {}) => {
    const r = await call(rp, 'POST', '/v2/pods', { name: 'p', image: 'img', gpu: { id: GPU }, ports: ['22/tcp'], startSsh: true, ...extra });
    expect(r.status).toBe(201);
    return (r.json as ApiPod).id;
  };

  it('restart brings the pod back on a new port with a new host key and a wiped container disk', async () => {
    const id = await create();
    const first = await rp.waitFor(id, 'RUNNING');
    const containerMark = path.join(path.dirname(first.envFile!), 'container', 'marker');
    fs.writeFileSync(containerMark, 'x');
    const r = await call(rp, 'POST', `/v2/pods/${id}/action`, { action: 'restart' });
    expect(r.status).toBe(200);
    expect(fs.existsSync(containerMark)).toBe(false);
    const second = await rp.waitFor(id, 'RUNNING');
    expect(second.direct!.port).not.toBe(first.direct!.port);
    expect(second.fingerprints).not.toEqual(first.fingerprints);
    expect(rp.podLog(id).filter((l) => l.line === 'Pod Started')).toHaveLength(2);
    const { stdout } = await sshExec(second.direct!, key.path, second.fingerprints, 'echo $RUNPOD_TCP_PORT_22');
    expect(Number(stdout.trim())).toBe(second.direct!.port);
  });

  it('a start that fails ends in ERROR, from which start works', async () => {
    const id = await create();
    await rp.waitFor(id, 'RUNNING');
    await call(rp, 'POST', `/v2/pods/${id}/action`, { action: 'stop' });
    rp.failNextStart(id);
    await call(rp, 'POST', `/v2/pods/${id}/action`, { action: 'start' });
    const err = await rp.waitFor(id, 'ERROR');
    expect(err.actions).toEqual(['start', 'terminate']);
    expect(((await call(rp, 'GET', `/v2/pods/${id}`)).json as ApiPod).ssh.direct).toBeNull();
    expect((await call(rp, 'POST', `/v2/pods/${id}/action`, { action: 'restart' })).status).toBe(409);
    expect((await call(rp, 'POST', `/v2/pods/${id}/action`, { action: 'start' })).status).toBe(200);
    await rp.waitFor(id, 'RUNNING');
  });

  it('stop while PROVISIONING ends in EXITED without ever starting an sshd', async () => {
    const slow = await startRunpodServer({ delays: { provisionMs: 60_000, startMs: 10, stopMs: 0 }, hostKeyTypes: ['ed25519'] });
    try {
      const r = await call(slow, 'POST', '/v2/pods', { name: 'p', image: 'img', gpu: { id: GPU }, ports: ['22/tcp'] });
      const id = (r.json as ApiPod).id;
      const stopped = await call(slow, 'POST', `/v2/pods/${id}/action`, { action: 'stop' });
      expect((stopped.json as ApiPod).status).toBe('EXITED');
      expect(slow.pod(id)!.starts).toBe(0);
      expect(slow.violations()).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it('a network volume is the pod volume, survives terminate, and is listed', async () => {
    const nv = await call(rp, 'POST', '/v2/network-volumes', { name: 'cache', size: 50, dataCenter: 'EU-RO-1' });
    expect(nv.status).toBe(201);
    const volumeId = (nv.json as { id: string }).id;
    const id = await create({ mounts: { network: [{ volumeId, path: '/workspace' }] } });
    const pod = await rp.waitFor(id, 'RUNNING');
    expect(pod.volumePath).toBeTruthy();
    fs.writeFileSync(path.join(pod.volumePath!, 'venv-ready'), 'yes');
    expect((await call(rp, 'DELETE', `/v2/pods/${id}`)).status).toBe(204);
    expect(fs.readFileSync(path.join(pod.volumePath!, 'venv-ready'), 'utf8')).toBe('yes');
    const list = (await call(rp, 'GET', '/v2/network-volumes')).json as { networkVolumes: { id: string }[] };
    expect(list.networkVolumes.map((v) => v.id)).toContain(volumeId);
    const missing = await call(rp, 'POST', '/v2/pods', { name: 'p', image: 'img', gpu: { id: GPU }, mounts: { network: [{ volumeId: 'nope', path: '/workspace' }] } });
    expect(missing.status).toBe(400);
  });

  it('a process on the pod stops its own pod with RUNPOD_API_KEY and RUNPOD_API_BASE (as the watchdog does)', async () => {
    const id = await create();
    const pod = await rp.waitFor(id, 'RUNNING');
    const script = [
      'import json, os, urllib.request',
      "url = os.environ['RUNPOD_API_BASE'] + '/v2/pods/' + os.environ['RUNPOD_POD_ID'] + '/action'",
      "req = urllib.request.Request(url, data=json.dumps({'action': 'stop'}).encode(), method='POST', headers={'Authorization': 'Bearer ' + os.environ['RUNPOD_API_KEY'], 'Content-Type': 'application/json'})",
      'print(urllib.request.urlopen(req).status, flush=True)',
    ].join('\n');
    const run = sshExec(pod.direct!, key.path, pod.fingerprints, `python3 -c "${script.replace(/"/g, '\\"')}"`).catch(() => ({ stdout: '', presented: '' }));
    await rp.waitFor(id, 'EXITED');
    expect(rp.livePodProcesses()).toEqual([]);
    await run;
    const asked = rp.requests().filter((r) => r.operationId === 'podAction' && r.path === `/v2/pods/${id}/action`);
    expect(asked.map((r) => [r.status, r.key])).toEqual([[200, 'pod']]);
    expect(await refused(pod.direct!.port)).toBe(true);
  });

  it("a volume at RunPod's default /workspace is a directory of the server, not this machine's /workspace", async () => {
    const existed = fs.existsSync('/workspace');
    const id = await create({ mounts: { persistent: { size: 20, path: '/workspace' } } });
    const pod = await rp.waitFor(id, 'RUNNING');
    expect(pod.volumePath).toMatch(new RegExp(`${id}/workspace$`));
    expect(pod.volumePath!.startsWith(os.tmpdir())).toBe(true);
    expect(fs.existsSync('/workspace')).toBe(existed);
    expect(((await call(rp, 'GET', `/v2/pods/${id}`)).json as { mounts: unknown }).mounts).toEqual({ persistent: { size: 20, path: '/workspace' } });
  });

  it('accrues the GPU price per second while RUNNING, and only the stopped volume price while EXITED', async () => {
    const id = await create({ mounts: { persistent: { size: 100, path: path.join(dir, 'billed-volume') } } });
    await rp.waitFor(id, 'RUNNING');
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    const t1 = Date.now();
    await call(rp, 'POST', `/v2/pods/${id}/action`, { action: 'stop' });
    const t2 = Date.now();
    type Billing = { records: { gpuAmount: number; diskAmount: number }[] };
    const atStop = ((await call(rp, 'GET', `/v2/billing/pods?podId=${id}`)).json as Billing).records[0]!;
    const perMs = 0.69 / 3_600_000;
    expect(atStop.gpuAmount).toBeGreaterThanOrEqual(perMs * (t1 - t0));
    expect(atStop.gpuAmount).toBeLessThanOrEqual(perMs * (t2 - t0 + 1_000));
    await new Promise((r) => setTimeout(r, 300));
    const later = ((await call(rp, 'GET', `/v2/billing/pods?podId=${id}`)).json as Billing).records[0]!;
    expect(later.gpuAmount).toBe(atStop.gpuAmount);
    const stoppedPerMs = (100 * 0.2) / (30 * 24) / 3_600_000;
    expect(later.diskAmount - atStop.diskAmount).toBeGreaterThanOrEqual(stoppedPerMs * 300 * 0.9);
    expect(rp.pod(id)!.accruedUsd).toBeGreaterThanOrEqual(later.gpuAmount + later.diskAmount);
  });

  it('terminate ends an open log stream', async () => {
    const id = await create();
    await rp.waitFor(id, 'RUNNING');
    const res = await fetch(`${rp.url}/v2/pods/${id}/logs`, { headers: { Authorization: `Bearer ${rp.apiKey}` } });
    const text = res.text();
    await call(rp, 'POST', `/v2/pods/${id}/action`, { action: 'terminate' });
    expect(await text).toContain('terminate pod');
  });

  it('saw no response that breaks the spec', () => {
    expect(rp.violations()).toEqual([]);
  });
});
