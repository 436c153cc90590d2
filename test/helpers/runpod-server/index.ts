// A local RunPod API server for tests and `npm run bench:pods` (docs/architecture.md, "Tests"):
// RunPod REST v2 on 127.0.0.1, every request and response validated against the published
// spec (spec-validation.ts), pods with RunPod's state machine (pod-state.ts) made real as
// loopback OpenSSH servers (loopback-pod.ts) whose start-script log carries the host key
// fingerprints (pod-logs.ts, which documents the log format). No test contacts RunPod.
//
//   const rp = await startRunpodServer({ delays: { provisionMs: 50, startMs: 50 } });
//   // client: base URL rp.url (the real one is https://api.runpod.io), `Authorization: Bearer ${rp.apiKey}`
//   PUT  /v2/account/ssh-keys { keys: [pubLine] }            // replaces the whole set
//   POST /v2/pods { name, image, gpu: { id, count }, ports: ['22/tcp'], startSsh: true,
//                   mounts: { persistent: { size: 20, path: '/tmp/…/workspace' } } }
//   … poll GET /v2/pods/{id} until RUNNING with ssh.direct; the host keys' SHA256 fingerprints
//     are in GET /v2/pods/{id}/logs (SSE) after the last "Pod Started" …
//   rp.setCapacity('NVIDIA GeForce RTX 4090', 0);             // next create: 400 no capacity
//   rp.failNext('POST', '/v2/pods', { status: 429, retryAfter: 1 });   // one-shot fault
//   rp.failNextStart(id);                                      // next start ends in ERROR
//   await rp.addPod({ name: 'made on the website' });          // RUNNING, not made via the API
//   await rp.waitFor(id, 'RUNNING'); rp.pod(id); rp.podLog(id); rp.sshd(id); rp.accruedUsd(id);
//   rp.requests(); expect(rp.violations()).toEqual([]);
//   await rp.close();                                          // every sshd and pod process ends
//
// Delays default to provisioning 200 ms, starting 300 ms, stop immediate, no stale address
// (`delays.staleAddressMs`: GET keeps the previous ssh.direct that long after a start).
// The start script makes RSA, DSA, ECDSA and ED25519 host keys like RunPod's; a suite that
// starts many pods can pass `hostKeyTypes: ['ed25519']` to start faster.
// Inside a pod's SSH sessions: RUNPOD_POD_ID, RUNPOD_API_KEY (pod-scoped), RUNPOD_PUBLIC_IP,
// RUNPOD_TCP_PORT_22, RUNPOD_POD_HOSTNAME, RUNPOD_GPU_COUNT, RUNPOD_DC_ID, the create request's
// `env`, and, test-only, RUNPOD_API_BASE (this server's URL, for the on-pod watchdog) and
// FLUX_TEST_RUNPOD_POD (marks the pod's processes: the sshd, sessions and what they start,
// since `ps` on this machine also shows other pods' and tests' processes).
//
// The pod's persistent volume is the directory given in mounts.persistent.path when that lies
// in the temp dir (else, e.g. RunPod's default /workspace, a directory under the server's root;
// `pod(id).volumePath` says which), kept across stop/start and removed on terminate; or a
// network volume's directory (addNetworkVolume / POST /v2/network-volumes), which outlives
// the pod. The container disk is a directory wiped on every stop.
// Keys: `apiKey` may do everything, `readOnlyApiKey` only reads (others 403), and each pod's
// RUNPOD_API_KEY only GET of its own pod and its own stop (answered before the pod's
// processes are killed, so the watchdog that asked still gets the answer).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Operation } from 'openapi-backend';
import { Account, secret } from './account';
import { authenticate, permitted } from './auth';
import { DATA_CENTERS, DEFAULT_GPUS } from './catalog';
import { FaultTable } from './faults';
import { HttpError, problem, rateHeaders } from './http-errors';
import { killMarked, markedPids, START_SCRIPT_KEY_TYPES } from './loopback-pod';
import { sseEvent, type LogSource } from './pod-logs';
import { PodMachine, type Delays, type PodRecord } from './pod-state';
import { dispatch, type Body } from './operations';
import { loadSpecValidator, type SpecValidator } from './spec-validation';
import type { RecordedRequest, RunpodServerOptions, RunpodTestServer } from './types';
import { snapshot } from './views';

export { NO_CAPACITY_DETAIL, STORAGE_USD_PER_GB_HOUR, type CatalogGpu } from './catalog';
export type { FaultSpec } from './faults';
export type { LogLine } from './pod-logs';
export type { PodStatus, SshDirect } from './pod-state';
export type * from './types';

const DEFAULT_DELAYS: Delays = { provisionMs: 200, startMs: 300, stopMs: 0, staleAddressMs: 0 };

export async function startRunpodServer(opts: RunpodServerOptions = {}): Promise<RunpodTestServer> {
  const spec: SpecValidator = await loadSpecValidator();
  const serverId = `rp${crypto.randomBytes(5).toString('hex')}`;
  const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-runpod-'));
  const apiKey = opts.apiKey ?? secret('rpa');
  const readOnlyApiKey = secret('rpa_ro');
  const delays: Delays = { ...DEFAULT_DELAYS, ...opts.delays };
  const faults = new FaultTable();
  const requestLog: RecordedRequest[] = [];
  const violationLog: string[] = [];
  const streams = new Set<http.ServerResponse>();
  let url = '';
  const machine = new PodMachine({
    delays,
    serverId,
    apiBase: () => url,
    keyTypes: opts.hostKeyTypes ?? START_SCRIPT_KEY_TYPES,
    rootDir,
  });
  const acct = new Account(machine, rootDir, opts.gpus ?? DEFAULT_GPUS);

  function send(res: http.ServerResponse, rec: RecordedRequest, op: Operation | undefined, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const isError = status >= 400;
    const headers: Record<string, string> = { ...rateHeaders(), ...extra };
    let payload = '';
    if (body !== undefined) {
      headers['Content-Type'] = isError ? 'application/problem+json' : 'application/json';
      payload = JSON.stringify(body);
    }
    if (op) {
      const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      for (const p of spec.checkResponse(op, status, lower, headers['Content-Type'] ?? null, body)) violationLog.push(`${rec.method} ${rec.path}: ${p}`);
    }
    rec.status = status;
    res.writeHead(status, headers);
    res.end(payload);
  }

  async function readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 1_000_000) throw new HttpError(413, 'Request body too large.');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  function streamLogs(req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest, op: Operation, pod: PodRecord, q: Record<string, unknown>): void {
    const headers = { ...rateHeaders(), 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' };
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    for (const p of spec.checkResponse(op, 200, lower, headers['Content-Type'], undefined)) violationLog.push(`${rec.method} ${rec.path}: ${p}`);
    rec.status = 200;
    res.writeHead(200, headers);
    const source = q.source as LogSource | undefined;
    const lastEventId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : undefined;
    const write = (line: { ts: string; source: LogSource; line: string }) => {
      for (const p of spec.checkLogEvent({ ts: line.ts, source: line.source, line: line.line })) violationLog.push(`${rec.method} ${rec.path}: ${p}`);
      res.write(sseEvent(line));
    };
    for (const line of pod.log.select({ source, tail: q.tail === undefined ? undefined : Number(q.tail), since: q.since as string | undefined, lastEventId })) write(line);
    const unsubscribe = pod.log.subscribe(
      (line) => {
        if (!source || line.source === source) write(line);
      },
      () => res.end(),
    );
    streams.add(res);
    const done = () => {
      unsubscribe();
      streams.delete(res);
    };
    res.on('close', done);
    req.on('close', done);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const rec: RecordedRequest = { method, path: u.pathname, status: 0, operationId: null, key: null, at: Date.now() };
    requestLog.push(rec);
    let op: Operation | undefined;
    try {
      const raw = await readBody(req);
      const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
      let body: unknown;
      let badJson = false;
      if (raw.length) {
        try {
          body = JSON.parse(raw);
        } catch {
          badJson = true;
        }
      }
      const check = spec.checkRequest({ method, path: u.pathname, query: u.search.replace(/^\?/, ''), headers, body });
      op = check.operation;
      rec.operationId = op?.operationId ?? null;
      const who = authenticate(req.headers.authorization, { apiKey, readOnlyApiKey }, machine);
      if (!who) throw new HttpError(401, 'Missing or invalid API key: send `Authorization: Bearer <api key>`.');
      rec.key = who.kind;
      if (!op) throw new HttpError(404, `No operation ${method} ${u.pathname} in RunPod's v2 API.`);
      const fault = faults.take(method, u.pathname);
      if (badJson) throw new HttpError(400, 'The request body is not valid JSON.');
      if (fault) throw new HttpError(fault.status, fault.detail, undefined, fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {});
      const bodyErrors = check.errors.filter((e) => e.where === 'body').map((e) => e.message);
      const paramErrors = check.errors.filter((e) => e.where === 'params').map((e) => e.message);
      if (paramErrors.length) throw new HttpError(400, 'The request parameters do not match the API contract.', paramErrors);
      if (bodyErrors.length) throw new HttpError(422, 'The request body does not match the API contract.', bodyErrors);
      const params = Object.fromEntries(Object.entries(matchParams(op.path, u.pathname)));
      const b = (body ?? {}) as Body;
      if (!permitted(who, op.operationId!, params, b)) throw new HttpError(403, 'This API key does not have permission for this request.');
      const result = await dispatch(acct, { operationId: op.operationId!, params, query: check.query, body: b, fromPod: who.kind === 'pod' });
      if (result.sse) {
        streamLogs(req, res, rec, op, acct.livePod(params.id!), check.query);
        return;
      }
      send(res, rec, op, result.status, result.body);
    } catch (e) {
      if (e instanceof HttpError) {
        send(res, rec, op, e.status, problem(e.status, e.detail, e.errors), e.headers);
      } else {
        violationLog.push(`${method} ${u.pathname}: server error ${(e as Error).stack ?? String(e)}`);
        send(res, rec, op, 500, problem(500, `Internal error: ${(e as Error).message}`));
      }
    }
  }

  // A suite that forgets close(): the pods' sshds and processes still end with the test process.
  const killOnExit = () => {
    for (const pid of markedPids(`${serverId}:`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  process.once('exit', killOnExit);

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url,
    apiKey,
    readOnlyApiKey,
    pods: () => [...machine.pods.values()].map((p) => snapshot(machine, p)),
    pod: (id) => {
      const p = machine.pods.get(id);
      return p ? snapshot(machine, p) : undefined;
    },
    setCapacity(gpuId, available) {
      const g = acct.gpus.get(gpuId);
      if (!g) throw new Error(`setCapacity: unknown GPU type ${gpuId} (known: ${[...acct.gpus.keys()].join(', ')})`);
      g.available = typeof available === 'boolean' ? (available ? 8 : 0) : available;
    },
    failNext: (method, pattern, fault) => faults.add(method, pattern, fault),
    failNextStart(id, detail = 'start failed: unsatisfied condition: cuda>=12.9') {
      const p = machine.pods.get(id);
      if (!p) throw new Error(`failNextStart: no pod ${id}`);
      p.failNextStart = detail;
    },
    async addPod(input) {
      const gpuId = input.gpuId ?? DEFAULT_GPUS[0]!.id;
      if (!acct.gpus.has(gpuId)) throw new Error(`addPod: unknown GPU type ${gpuId}`);
      const size = input.volumeGb ?? 20;
      const pod = acct.newPod({
        name: input.name,
        image: input.image ?? 'runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04',
        gpu: { id: gpuId, count: input.gpuCount ?? 1 },
        cloud: input.cloud ?? 'SECURE',
        ports: input.ports ?? ['8888/http', '22/tcp'],
        env: {},
        disk: 50,
        args: '',
        mounts: input.volumePath ? { persistent: { size, path: input.volumePath } } : {},
        networkVolumeDir: null,
        authorizedKeys: input.authorizedKeys ?? [...acct.registeredKeys],
        dataCenterId: DATA_CENTERS[0]!.id,
        madeOnWebsite: true,
        registry: null,
        templateId: null,
      });
      machine.add(pod, input.status ?? 'RUNNING');
      return pod.id;
    },
    addNetworkVolume: (input) => acct.addVolume(input).id,
    sshKeys: () => [...acct.registeredKeys],
    podLog: (id) => [...(machine.pods.get(id)?.log.all() ?? [])],
    requests: () => requestLog.map((r) => ({ ...r })),
    violations: () => [...violationLog],
    accruedUsd(id) {
      const p = machine.pods.get(id);
      if (!p) throw new Error(`accruedUsd: no pod ${id}`);
      const a = machine.accrued(p);
      return a.gpuUsd + a.diskUsd;
    },
    sshd: (id) => machine.pods.get(id)?.loopback?.sshd ?? null,
    async waitFor(id, status, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const p = machine.pods.get(id);
        // A stop the pod asked for itself reports EXITED before its processes are gone: wait for them.
        if (p?.status === status && !p.halting) return snapshot(machine, p);
        if (Date.now() > deadline) throw new Error(`pod ${id} did not reach ${status} in ${timeoutMs} ms (it is ${p?.status ?? 'unknown'})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    livePodProcesses: () => markedPids(`${serverId}:`),
    async close() {
      process.removeListener('exit', killOnExit);
      for (const s of streams) s.end();
      streams.clear();
      await machine.close();
      await killMarked(`${serverId}:`);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(rootDir, { recursive: true, force: true });
    },
  };
}

/** `{id}` values of a spec path template in a concrete path. */
function matchParams(template: string, actual: string): Record<string, string> {
  const t = template.split('/');
  const a = actual.split('/');
  const out: Record<string, string> = {};
  t.forEach((seg, i) => {
    const m = /^\{(.+)\}$/.exec(seg);
    if (m && a[i] !== undefined) out[m[1]!] = decodeURIComponent(a[i]!);
  });
  return out;
}

