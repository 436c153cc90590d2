// A local RunPod API server for tests and `npm run bench:pods` (docs/architecture.md, "Tests"):
// RunPod REST v2 on 127.0.0.1, every request and response validated against the published
// spec (spec-validation.ts), pods with RunPod's state machine (pod-state.ts) made real as
// loopback OpenSSH servers (loopback-pod.ts) whose start-script log carries the host key
// fingerprints (pod-logs.ts). No test contacts the real RunPod.
//
//   const rp = await startRunpodServer({ delays: { provisionMs: 50, startMs: 50 } });
//   // client: baseUrl rp.url, header `Authorization: Bearer ${rp.apiKey}`
//   await fetch(`${rp.url}/v2/account/ssh-keys`, { method: 'PUT', … { keys: [pubLine] } });
//   POST /v2/pods { name, image, gpu: { id, count }, ports: ['22/tcp'], startSsh: true,
//                   mounts: { persistent: { size: 20, path: '/tmp/…/workspace' } } }
//   … poll GET /v2/pods/{id} until status RUNNING and ssh.direct is set; the host key's
//     SHA256 fingerprint is in GET /v2/pods/{id}/logs (SSE) after the last "Pod Started" …
//   rp.setCapacity('NVIDIA GeForce RTX 4090', 0);             // next create: 400 no capacity
//   rp.failNext('POST', '/v2/pods', { status: 429, retryAfter: 1 });
//   rp.pod(id)?.envFile; rp.sshd(id); rp.accruedUsd(id); rp.requests(); rp.violations();
//   await rp.close();                                          // every sshd and pod process ends
//
// The pod's persistent volume is the directory given in mounts.persistent.path when that lies
// in the temp dir (else, e.g. RunPod's default /workspace, a directory under the server's root;
// `pod(id).volumePath` says which), kept across stop/start and removed on terminate; or a
// network volume's directory (addNetworkVolume / POST /v2/network-volumes), which outlives
// the pod. The container disk is a directory wiped on every stop.
// Keys: `apiKey` may do everything, `readOnlyApiKey` only GETs (others 403), and each pod's
// RUNPOD_API_KEY only GET of its own pod and its own stop.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Operation } from 'openapi-backend';
import type { TestSshd } from '../sshd';
import { PodMeter } from './billing';
import { availabilityLevel, DATA_CENTERS, DEFAULT_GPUS, NO_CAPACITY_DETAIL, STORAGE_USD_PER_GB_HOUR, type CatalogGpu } from './catalog';
import { FaultTable, titleOf, type FaultSpec } from './faults';
import { killMarked, markedPids, START_SCRIPT_KEY_TYPES, type HostKeyType } from './loopback-pod';
import { PodLog, sseEvent, type LogLine, type LogSource } from './pod-logs';
import { ACTIONS, newId, PodMachine, type Delays, type PodAction, type PodRecord, type PodStatus, type SshDirect } from './pod-state';
import { loadSpecValidator, type SpecValidator } from './spec-validation';

export { NO_CAPACITY_DETAIL } from './catalog';
export type { PodStatus, SshDirect } from './pod-state';
export type { LogLine } from './pod-logs';

export interface RunpodServerOptions {
  apiKey?: string;
  delays?: Partial<Delays>;
  gpus?: CatalogGpu[];
  /** Host key types the start script makes (default: all four, as RunPod's script does). */
  hostKeyTypes?: HostKeyType[];
}

export interface PodSnapshot {
  id: string;
  name: string;
  status: PodStatus;
  actions: PodAction[];
  gpu: { id: string; count: number } | null;
  /** USD/h now (0 unless the pod holds compute). */
  cost: number;
  /** The address the sshd really listens on (null unless RUNNING). */
  direct: SshDirect | null;
  /** What GET /v2/pods/{id} reports now (the old address during the stale window). */
  reportedDirect: SshDirect | null;
  /** SHA256 fingerprints of the host keys the running sshd serves. */
  fingerprints: string[];
  volumePath: string | null;
  /** `<podRoot>/rp_environment` of the current start (RunPod: /etc/rp_environment); null before the first start. */
  envFile: string | null;
  /** The pod's RUNPOD_API_KEY. */
  podApiKey: string;
  authorizedKeys: string[];
  madeOnWebsite: boolean;
  starts: number;
}

export interface AddPodInput {
  name: string;
  gpuId?: string;
  gpuCount?: number;
  status?: 'RUNNING' | 'EXITED';
  ports?: string[];
  cloud?: 'SECURE' | 'COMMUNITY';
  image?: string;
  /** Persistent volume path (as mounts.persistent.path: used as is inside the temp dir, else mapped under the server's root) and size. */
  volumePath?: string;
  volumeGb?: number;
  /** Keys its sshd accepts (default: the account's registered keys now). */
  authorizedKeys?: string[];
}

export interface NetworkVolumeInput {
  name: string;
  size: number;
  dataCenter?: string;
  /** The directory that is the volume on this machine (default: a temp dir). */
  path?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  operationId: string | null;
  at: number;
}

export interface RunpodTestServer {
  readonly url: string;
  readonly apiKey: string;
  /** A valid key scoped to reads: every non-GET answers 403. */
  readonly readOnlyApiKey: string;
  pods(): PodSnapshot[];
  pod(id: string): PodSnapshot | undefined;
  setCapacity(gpuId: string, available: number | boolean): void;
  failNext(method: string, pathPattern: string | RegExp, fault: FaultSpec): void;
  /** The next start of this pod ends in ERROR (with `detail` in its system log). */
  failNextStart(id: string, detail?: string): void;
  addPod(input: AddPodInput): Promise<string>;
  addNetworkVolume(input: NetworkVolumeInput): string;
  sshKeys(): string[];
  /** Every line of the pod's log so far (what GET /v2/pods/{id}/logs streams). */
  podLog(id: string): LogLine[];
  requests(): RecordedRequest[];
  violations(): string[];
  accruedUsd(id: string): number;
  sshd(id: string): TestSshd | null;
  /** Wait until the pod reaches `status` (polls the state, not the API). */
  waitFor(id: string, status: PodStatus, timeoutMs?: number): Promise<PodSnapshot>;
  /** pids of this server's pods' processes still alive (sshds, sessions, what they started; [] after close). */
  livePodProcesses(): number[];
  close(): Promise<void>;
}

interface NetworkVolume {
  id: string;
  name: string;
  size: number;
  dataCenter: string;
  type: 'STANDARD' | 'HIGH_PERFORMANCE';
  dir: string;
  ownDir: boolean;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

const DEFAULT_DELAYS: Delays = { provisionMs: 200, startMs: 300, stopMs: 0, staleAddressMs: 0 };

function secret(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(18).toString('base64url')}`;
}

export async function startRunpodServer(opts: RunpodServerOptions = {}): Promise<RunpodTestServer> {
  const spec: SpecValidator = await loadSpecValidator();
  const serverId = `rp${crypto.randomBytes(5).toString('hex')}`;
  const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-runpod-'));
  const apiKey = opts.apiKey ?? secret('rpa');
  const readOnlyApiKey = secret('rpa_ro');
  const delays: Delays = { ...DEFAULT_DELAYS, ...opts.delays };
  const gpus = new Map<string, CatalogGpu>((opts.gpus ?? DEFAULT_GPUS).map((g) => [g.id, { ...g, price: { ...g.price }, maxCount: { ...g.maxCount } }]));
  const faults = new FaultTable();
  const requestLog: RecordedRequest[] = [];
  const violationLog: string[] = [];
  const volumes = new Map<string, NetworkVolume>();
  const streams = new Set<http.ServerResponse>();
  let registeredKeys: string[] = [];
  let url = '';

  const machine = new PodMachine({
    delays,
    serverId,
    apiBase: () => url,
    keyTypes: opts.hostKeyTypes ?? START_SCRIPT_KEY_TYPES,
    rootDir,
  });

  function gpuPrice(gpuId: string, cloud: 'SECURE' | 'COMMUNITY', count: number): number {
    const g = gpus.get(gpuId);
    if (!g) return 0;
    return Math.round((cloud === 'SECURE' ? g.price.secure : g.price.community) * count * 1000) / 1000;
  }

  function newRecord(init: {
    name: string;
    image: string;
    gpu: { id: string; count: number } | null;
    cloud: 'SECURE' | 'COMMUNITY';
    ports: string[];
    env: Record<string, string>;
    disk: number;
    args: string;
    mounts: PodRecord['mounts'];
    volumePath: string | null;
    authorizedKeys: string[];
    dataCenterId: string;
    madeOnWebsite: boolean;
    registry: string | null;
    templateId: string | null;
  }): PodRecord {
    const id = newId();
    const pod: PodRecord = {
      id,
      ...init,
      cudaVersion: gpus.get(init.gpu?.id ?? '')?.cudaVersions.at(-1) ?? '12.8',
      locked: false,
      createdAt: new Date().toISOString(),
      startedAt: null,
      runningSince: null,
      status: 'PROVISIONING',
      podApiKey: secret('rpa_pod'),
      gpuUsdPerHour: init.gpu ? gpuPrice(init.gpu.id, init.cloud, init.gpu.count) : 0,
      podRoot: path.join(rootDir, id),
      direct: null,
      previousDirect: null,
      staleUntil: 0,
      starts: 0,
      loopback: null,
      log: new PodLog(),
      meter: new PodMeter({ running: false, computeUsdPerHour: 0, containerDiskGb: 0, volumeGb: 0 }),
      timer: null,
      generation: 0,
      failNextStart: null,
      hostSuffix: crypto.randomBytes(4).toString('hex'),
    };
    return pod;
  }

  /**
   * The real directory of a persistent volume: the requested path itself when it lies in the
   * temp dir (tests pass a temp workspace), else a directory of the pod under this server's
   * root (a client asking for RunPod's default /workspace must not get, or on terminate
   * remove, this machine's /workspace).
   */
  function persistentVolumeDir(pod: PodRecord, requested: string): string {
    const resolved = path.resolve(requested);
    const inTmp = [os.tmpdir(), fs.realpathSync(os.tmpdir())].some((t) => resolved.startsWith(t + path.sep));
    if (inTmp && !resolved.startsWith(rootDir + path.sep)) return resolved;
    return path.join(rootDir, 'volumes', pod.id, resolved);
  }

  function apiPod(pod: PodRecord): Record<string, unknown> {
    const now = Date.now();
    const running = pod.status === 'RUNNING';
    const direct = machine.reportedDirect(pod, now);
    const holdsCompute = pod.status === 'RUNNING' || pod.status === 'STARTING' || pod.status === 'PROVISIONING';
    return {
      id: pod.id,
      name: pod.name,
      image: pod.image,
      args: pod.args,
      disk: pod.disk,
      ports: pod.ports,
      env: pod.env,
      registry: pod.registry,
      status: pod.status,
      actions: ACTIONS[pod.status],
      mounts: pod.mounts,
      ...(pod.gpu ? { gpu: pod.gpu } : {}),
      cloud: pod.cloud,
      dataCenterId: pod.dataCenterId,
      cudaVersion: pod.cudaVersion,
      ssh: { proxy: null, direct },
      template: pod.templateId,
      cost: holdsCompute ? pod.gpuUsdPerHour : 0,
      locked: pod.locked,
      globalNetworking: { enabled: false },
      runtime: running
        ? {
            uptime: Math.floor((now - (pod.runningSince ?? now)) / 1000),
            gpus: Array.from({ length: pod.gpu?.count ?? 0 }, () => ({ util: 0, memoryUtil: 0 })),
            ports: pod.ports.map((p) => {
              const [num, type] = p.split('/');
              const isSsh = p === '22/tcp' && direct;
              return { private: Number(num), public: isSsh ? direct.port : null, type: type ?? 'tcp', ip: isSsh ? direct.host : null };
            }),
          }
        : null,
      createdAt: pod.createdAt,
      startedAt: pod.startedAt,
    };
  }

  function snapshot(pod: PodRecord): PodSnapshot {
    const holdsCompute = pod.status === 'RUNNING' || pod.status === 'STARTING' || pod.status === 'PROVISIONING';
    return {
      id: pod.id,
      name: pod.name,
      status: pod.status,
      actions: [...ACTIONS[pod.status]],
      gpu: pod.gpu ? { ...pod.gpu } : null,
      cost: holdsCompute ? pod.gpuUsdPerHour : 0,
      direct: pod.status === 'RUNNING' ? pod.direct : null,
      reportedDirect: machine.reportedDirect(pod),
      fingerprints: pod.loopback?.fingerprints ?? [],
      volumePath: pod.volumePath,
      envFile: pod.starts > 0 && pod.status !== 'TERMINATED' ? path.join(pod.podRoot, 'rp_environment') : null,
      podApiKey: pod.podApiKey,
      authorizedKeys: [...pod.authorizedKeys],
      madeOnWebsite: pod.madeOnWebsite,
      starts: pod.starts,
    };
  }

  function livePod(id: string): PodRecord {
    const pod = machine.pods.get(id);
    if (!pod || pod.status === 'TERMINATED') throw new HttpError(404, `Pod ${id} not found.`);
    return pod;
  }

  function networkVolumeJson(v: NetworkVolume) {
    return { id: v.id, name: v.name, size: v.size, dataCenter: v.dataCenter, type: v.type };
  }

  function addVolume(input: NetworkVolumeInput & { type?: 'STANDARD' | 'HIGH_PERFORMANCE' }): NetworkVolume {
    const id = newId().slice(0, 10);
    const ownDir = !input.path;
    const dir = input.path ?? path.join(rootDir, 'network-volumes', id);
    fs.mkdirSync(dir, { recursive: true });
    const v: NetworkVolume = { id, name: input.name, size: input.size, dataCenter: input.dataCenter ?? DATA_CENTERS[0]!.id, type: input.type ?? 'STANDARD', dir, ownDir };
    volumes.set(id, v);
    return v;
  }

  // ---- operations -------------------------------------------------------------------------

  type Body = Record<string, unknown>;
  type Result = { status: number; body?: unknown; sse?: true };

  function createPod(b: Body): Result {
    const gpuIn = b.gpu as { id: string; count?: number } | undefined;
    if (!gpuIn === !b.cpu) throw new HttpError(400, 'Supply exactly one of `gpu` or `cpu`.');
    if (b.cpu) throw new HttpError(400, 'CPU pods are not offered by this test server.');
    if (!b.image) throw new HttpError(400, `Template ${String(b.templateId)} not found.`);
    const gpu = gpus.get(gpuIn!.id);
    if (!gpu) throw new HttpError(400, `GPU type ${JSON.stringify(gpuIn!.id)} does not exist; see GET /v2/catalog/gpus.`);
    const count = gpuIn!.count ?? 1;
    const cloud = (b.cloud as 'SECURE' | 'COMMUNITY' | undefined) ?? 'SECURE';
    if (count > (cloud === 'SECURE' ? gpu.maxCount.secure : gpu.maxCount.community)) throw new HttpError(400, `At most ${gpu.maxCount.secure} x ${gpu.id} per pod.`);
    if (gpu.available < count) throw new HttpError(400, NO_CAPACITY_DETAIL);
    const mounts = (b.mounts as PodRecord['mounts'] | undefined) ?? {};
    let volumePath: string | null = null;
    let dataCenterId = (b.dataCenterIds as string[] | undefined)?.[0] ?? DATA_CENTERS[0]!.id;
    if (mounts.persistent && mounts.network?.length) throw new HttpError(400, 'Use either a persistent volume or a network volume, not both.');
    if (mounts.persistent && !path.isAbsolute(mounts.persistent.path)) throw new HttpError(400, `mounts.persistent.path must be absolute (got ${JSON.stringify(mounts.persistent.path)}).`);
    if (mounts.network?.[0]) {
      const v = volumes.get(mounts.network[0].volumeId);
      if (!v) throw new HttpError(400, `Network volume ${mounts.network[0].volumeId} not found.`);
      volumePath = v.dir;
      dataCenterId = v.dataCenter;
    }
    const pod = newRecord({
      name: b.name as string,
      image: b.image as string,
      gpu: { id: gpu.id, count },
      cloud,
      ports: (b.ports as string[] | undefined) ?? [],
      env: (b.env as Record<string, string> | undefined) ?? {},
      disk: (b.disk as number | undefined) ?? 50,
      args: (b.args as string | undefined) ?? '',
      mounts,
      volumePath,
      authorizedKeys: b.startSsh === true ? [...registeredKeys] : [],
      dataCenterId,
      madeOnWebsite: false,
      registry: (b.registry as string | null | undefined) ?? null,
      templateId: (b.templateId as string | undefined) ?? null,
    });
    if (mounts.persistent) pod.volumePath = persistentVolumeDir(pod, mounts.persistent.path);
    machine.add(pod, 'PROVISIONING');
    return { status: 201, body: apiPod(pod) };
  }

  function listGpuTypes(q: Record<string, unknown>): Result {
    const include = (q.include as string[] | undefined) ?? [];
    const product = q.product as string[] | undefined;
    if (include.includes('AVAILABILITY') && !product?.length) throw new HttpError(400, 'include=AVAILABILITY requires `product` (stock differs by product).');
    const count = (q.count as number | undefined) ?? 1;
    const cloud = q.cloud as 'SECURE' | 'COMMUNITY' | undefined;
    const minCuda = q.minCudaVersion as string | undefined;
    const list = [...gpus.values()]
      .filter((g) => (cloud === 'COMMUNITY' ? g.maxCount.community : cloud === 'SECURE' ? g.maxCount.secure : Math.max(g.maxCount.secure, g.maxCount.community)) >= count)
      .filter((g) => !minCuda || g.cudaVersions.some((v) => Number(v) >= Number(minCuda)))
      .map((g) => gpuJson(g, include.includes('AVAILABILITY')));
    return { status: 200, body: { gpus: list } };
  }

  function gpuJson(g: CatalogGpu, withAvailability: boolean) {
    const level = availabilityLevel(g.available);
    return {
      id: g.id,
      name: g.name,
      pool: null,
      manufacturer: g.manufacturer,
      memory: g.memory,
      secure: g.maxCount.secure > 0,
      community: g.maxCount.community > 0,
      price: { secure: g.price.secure, community: g.price.community },
      maxCount: { ...g.maxCount },
      ...(withAvailability
        ? {
            availability: level,
            dataCenters: DATA_CENTERS.map((d) => ({ id: d.id, name: d.name, availability: level })),
            cudaVersions: g.cudaVersions.map((version) => ({ version, available: level !== 'NONE' })),
          }
        : {}),
    };
  }

  function listPodBilling(q: Record<string, unknown>): Result {
    const now = new Date();
    const podId = (q.podId as string | undefined) ?? null;
    const records = [...machine.pods.values()]
      .filter((p) => !podId || p.id === podId)
      .map((p) => {
        const a = machine.accrued(p);
        return { startTime: p.createdAt, endTime: now.toISOString(), podId: p.id, gpuAmount: a.gpuUsd, cpuAmount: 0, diskAmount: a.diskUsd, totalAmount: a.gpuUsd + a.diskUsd };
      });
    const sum = (k: 'gpuAmount' | 'cpuAmount' | 'diskAmount' | 'totalAmount') => records.reduce((n, r) => n + r[k], 0);
    const start = records.reduce((m, r) => (r.startTime < m ? r.startTime : m), now.toISOString());
    return {
      status: 200,
      body: {
        records,
        metadata: {
          query: { startTime: start, endTime: now.toISOString(), bucketSize: (q.bucketSize as string | undefined) ?? 'day', podId },
          recordCount: records.length,
          uniquePodCount: new Set(records.map((r) => r.podId)).size,
          totals: { totalAmount: sum('totalAmount'), gpuAmount: sum('gpuAmount'), cpuAmount: sum('cpuAmount'), diskAmount: sum('diskAmount') },
        },
      },
    };
  }

  async function dispatch(op: string, params: Record<string, string>, q: Record<string, unknown>, b: Body, who: Principal): Promise<Result> {
    switch (op) {
      case 'listPods':
        return { status: 200, body: { pods: [...machine.pods.values()].filter((p) => p.status !== 'TERMINATED').map(apiPod) } };
      case 'createPod':
        return createPod(b);
      case 'getPod':
        return { status: 200, body: apiPod(livePod(params.id!)) };
      case 'deletePod':
        await machine.terminate(livePod(params.id!));
        return { status: 204 };
      case 'podAction': {
        const pod = livePod(params.id!);
        const action = b.action as PodAction;
        const conflict = await machine.act(pod, action, { replyFirst: who.kind === 'pod' });
        if (conflict) throw new HttpError(409, conflict);
        return action === 'terminate' ? { status: 204 } : { status: 200, body: apiPod(pod) };
      }
      case 'getPodLogs':
        livePod(params.id!);
        return { status: 200, sse: true };
      case 'getSshKeys':
        return { status: 200, body: { keys: [...registeredKeys] } };
      case 'updateSshKeys':
        registeredKeys = [...(b.keys as string[])];
        return { status: 200, body: { keys: [...registeredKeys] } };
      case 'listGpuTypes':
        return listGpuTypes(q);
      case 'getGpuType': {
        const g = gpus.get(params.id!);
        if (!g) throw new HttpError(404, `GPU type ${params.id} not found.`);
        return { status: 200, body: gpuJson(g, false) };
      }
      case 'listNetworkVolumes':
        return { status: 200, body: { networkVolumes: [...volumes.values()].map(networkVolumeJson) } };
      case 'createNetworkVolume': {
        if (!DATA_CENTERS.some((d) => d.id === b.dataCenter)) throw new HttpError(400, `Data center ${String(b.dataCenter)} does not exist.`);
        const v = addVolume({ name: b.name as string, size: b.size as number, dataCenter: b.dataCenter as string, type: b.type as 'STANDARD' | 'HIGH_PERFORMANCE' | undefined });
        return { status: 201, body: networkVolumeJson(v) };
      }
      case 'getNetworkVolume': {
        const v = volumes.get(params.id!);
        if (!v) throw new HttpError(404, `Network volume ${params.id} not found.`);
        return { status: 200, body: networkVolumeJson(v) };
      }
      case 'deleteNetworkVolume': {
        const v = volumes.get(params.id!);
        if (!v) throw new HttpError(404, `Network volume ${params.id} not found.`);
        volumes.delete(v.id);
        if (v.ownDir) fs.rmSync(v.dir, { recursive: true, force: true });
        return { status: 204 };
      }
      case 'listPodBilling':
        return listPodBilling(q);
      default:
        throw new HttpError(404, `${op} is not served by the local RunPod server.`);
    }
  }

  // ---- HTTP -------------------------------------------------------------------------------

  function rateHeaders(): Record<string, string> {
    return { 'RateLimit-Policy': '"default";q=100;w=1', RateLimit: '"default";r=99;t=1' };
  }

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

  function problem(status: number, detail: string, errors?: string[]) {
    return { title: titleOf(status), status, detail, ...(errors?.length ? { errors } : {}) };
  }

  type Principal = { kind: 'account' } | { kind: 'read' } | { kind: 'pod'; podId: string };

  function authenticate(header: string | undefined): Principal | null {
    const m = /^Bearer\s+(\S+)$/.exec(header ?? '');
    if (!m) return null;
    const key = m[1];
    if (key === apiKey) return { kind: 'account' };
    if (key === readOnlyApiKey) return { kind: 'read' };
    for (const p of machine.pods.values()) if (p.podApiKey === key && p.status !== 'TERMINATED') return { kind: 'pod', podId: p.id };
    return null;
  }

  function permitted(who: Principal, op: string, params: Record<string, string>, body: Body): boolean {
    if (who.kind === 'account') return true;
    if (who.kind === 'read') return ['listPods', 'getPod', 'getPodLogs', 'getSshKeys', 'listGpuTypes', 'getGpuType', 'listNetworkVolumes', 'getNetworkVolume', 'listPodBilling'].includes(op);
    return params.id === who.podId && (op === 'getPod' || (op === 'podAction' && body.action === 'stop'));
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
    for (const line of pod.log.select({ source, tail: q.tail as number | undefined, since: q.since as string | undefined, lastEventId })) write(line);
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
    const rec: RecordedRequest = { method, path: u.pathname, status: 0, operationId: null, at: Date.now() };
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
      const who = authenticate(req.headers.authorization);
      if (!who) throw new HttpError(401, 'Missing or invalid API key: send `Authorization: Bearer <api key>`.');
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
      const result = await dispatch(op.operationId!, params, check.query, b, who);
      if (result.sse) {
        streamLogs(req, res, rec, op, livePod(params.id!), check.query);
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
    pods: () => [...machine.pods.values()].map(snapshot),
    pod: (id) => {
      const p = machine.pods.get(id);
      return p ? snapshot(p) : undefined;
    },
    setCapacity(gpuId, available) {
      const g = gpus.get(gpuId);
      if (!g) throw new Error(`setCapacity: unknown GPU type ${gpuId} (known: ${[...gpus.keys()].join(', ')})`);
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
      if (!gpus.has(gpuId)) throw new Error(`addPod: unknown GPU type ${gpuId}`);
      const size = input.volumeGb ?? 20;
      const pod = newRecord({
        name: input.name,
        image: input.image ?? 'runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04',
        gpu: { id: gpuId, count: input.gpuCount ?? 1 },
        cloud: input.cloud ?? 'SECURE',
        ports: input.ports ?? ['8888/http', '22/tcp'],
        env: {},
        disk: 50,
        args: '',
        mounts: input.volumePath ? { persistent: { size, path: input.volumePath } } : {},
        volumePath: null,
        authorizedKeys: input.authorizedKeys ?? [...registeredKeys],
        dataCenterId: DATA_CENTERS[0]!.id,
        madeOnWebsite: true,
        registry: null,
        templateId: null,
      });
      if (input.volumePath) pod.volumePath = persistentVolumeDir(pod, input.volumePath);
      machine.add(pod, input.status ?? 'RUNNING');
      return pod.id;
    },
    addNetworkVolume: (input) => addVolume(input).id,
    sshKeys: () => [...registeredKeys],
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
        if (p?.status === status) return snapshot(p);
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

export { STORAGE_USD_PER_GB_HOUR };
