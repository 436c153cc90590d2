// The operations of RunPod's v2 API the local server serves, by operationId. Requests reach
// here already validated against the spec (spec-validation.ts) and authorized (auth.ts), so
// only RunPod's own rules are checked: exactly one of gpu/cpu, capacity ("no capacity" is a
// 400 told apart only by its detail), network volumes that exist, valid transitions (409).
import fs from 'node:fs';
import path from 'node:path';
import type { Account } from './account';
import { DATA_CENTERS, NO_CAPACITY_DETAIL } from './catalog';
import { HttpError } from './http-errors';
import type { PodAction, PodRecord } from './pod-state';
import { apiPod, gpuJson, networkVolumeJson } from './views';

export type Body = Record<string, unknown>;
export type Result = { status: number; body?: unknown; sse?: true };

export interface Call {
  operationId: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Body;
  /** The caller is the pod itself (its RUNPOD_API_KEY). */
  fromPod: boolean;
}

function createPod(acct: Account, b: Body): Result {
  const gpuIn = b.gpu as { id: string; count?: number } | undefined;
  if (!gpuIn === !b.cpu) throw new HttpError(400, 'Supply exactly one of `gpu` or `cpu`.');
  if (!gpuIn) throw new HttpError(400, 'CPU pods are not offered by this test server.');
  if (!b.image) throw new HttpError(400, `Template ${String(b.templateId)} not found.`);
  const gpu = acct.gpus.get(gpuIn.id);
  if (!gpu) throw new HttpError(400, `GPU type ${JSON.stringify(gpuIn.id)} does not exist; see GET /v2/catalog/gpus.`);
  const count = gpuIn.count ?? 1;
  const cloud = (b.cloud as 'SECURE' | 'COMMUNITY' | undefined) ?? 'SECURE';
  const max = cloud === 'SECURE' ? gpu.maxCount.secure : gpu.maxCount.community;
  if (count > max) throw new HttpError(400, `At most ${max} x ${gpu.id} per pod on ${cloud} cloud.`);
  if (gpu.available < count) throw new HttpError(400, NO_CAPACITY_DETAIL);
  const mounts = (b.mounts as PodRecord['mounts'] | undefined) ?? {};
  let networkVolumeDir: string | null = null;
  let dataCenterId = (b.dataCenterIds as string[] | undefined)?.[0] ?? DATA_CENTERS[0]!.id;
  if (mounts.persistent && mounts.network?.length) throw new HttpError(400, 'Use either a persistent volume or a network volume, not both.');
  if (mounts.persistent && !path.isAbsolute(mounts.persistent.path)) throw new HttpError(400, `mounts.persistent.path must be absolute (got ${JSON.stringify(mounts.persistent.path)}).`);
  if (mounts.network?.[0]) {
    const v = acct.volumes.get(mounts.network[0].volumeId);
    if (!v) throw new HttpError(400, `Network volume ${mounts.network[0].volumeId} not found.`);
    networkVolumeDir = v.dir;
    dataCenterId = v.dataCenter;
  }
  const pod = acct.newPod({
    name: b.name as string,
    image: b.image as string,
    gpu: { id: gpu.id, count },
    cloud,
    ports: (b.ports as string[] | undefined) ?? [],
    env: (b.env as Record<string, string> | undefined) ?? {},
    disk: (b.disk as number | undefined) ?? 50,
    args: (b.args as string | undefined) ?? '',
    mounts,
    networkVolumeDir,
    // PUBLIC_KEY semantics: the keys registered now; later key changes affect only new pods.
    authorizedKeys: b.startSsh === true ? [...acct.registeredKeys] : [],
    dataCenterId,
    madeOnWebsite: false,
    registry: (b.registry as string | null | undefined) ?? null,
    templateId: (b.templateId as string | undefined) ?? null,
  });
  acct.machine.add(pod, 'PROVISIONING');
  return { status: 201, body: apiPod(acct.machine, pod) };
}

function listGpuTypes(acct: Account, q: Record<string, unknown>): Result {
  const include = (q.include as string[] | undefined) ?? [];
  const product = q.product as string[] | undefined;
  if (include.includes('AVAILABILITY') && !product?.length) throw new HttpError(400, 'include=AVAILABILITY requires `product` (stock differs by product).');
  const count = q.count === undefined ? 1 : Number(q.count); // query values arrive as strings (validated as integers)
  const cloud = q.cloud as 'SECURE' | 'COMMUNITY' | undefined;
  const minCuda = q.minCudaVersion as string | undefined;
  const gpus = [...acct.gpus.values()]
    .filter((g) => (cloud === 'COMMUNITY' ? g.maxCount.community : cloud === 'SECURE' ? g.maxCount.secure : Math.max(g.maxCount.secure, g.maxCount.community)) >= count)
    .filter((g) => !minCuda || g.cudaVersions.some((v) => Number(v) >= Number(minCuda)))
    .map((g) => gpuJson(g, include.includes('AVAILABILITY')));
  return { status: 200, body: { gpus } };
}

/** One record per pod covering its whole life (no bucketing: enough to check a spend meter). */
function listPodBilling(acct: Account, q: Record<string, unknown>): Result {
  const now = new Date().toISOString();
  const podId = (q.podId as string | undefined) ?? null;
  const records = [...acct.machine.pods.values()]
    .filter((p) => !podId || p.id === podId)
    .map((p) => {
      const a = acct.machine.accrued(p);
      return { startTime: p.createdAt, endTime: now, podId: p.id, gpuAmount: a.gpuUsd, cpuAmount: 0, diskAmount: a.diskUsd, totalAmount: a.gpuUsd + a.diskUsd };
    });
  const sum = (k: 'gpuAmount' | 'cpuAmount' | 'diskAmount' | 'totalAmount') => records.reduce((n, r) => n + r[k], 0);
  const start = records.reduce((m, r) => (r.startTime < m ? r.startTime : m), now);
  return {
    status: 200,
    body: {
      records,
      metadata: {
        query: { startTime: start, endTime: now, bucketSize: (q.bucketSize as string | undefined) ?? 'day', podId },
        recordCount: records.length,
        uniquePodCount: new Set(records.map((r) => r.podId)).size,
        totals: { totalAmount: sum('totalAmount'), gpuAmount: sum('gpuAmount'), cpuAmount: sum('cpuAmount'), diskAmount: sum('diskAmount') },
      },
    },
  };
}

export async function dispatch(acct: Account, call: Call): Promise<Result> {
  const { machine } = acct;
  const { params, query: q, body: b } = call;
  switch (call.operationId) {
    case 'listPods':
      return { status: 200, body: { pods: [...machine.pods.values()].filter((p) => p.status !== 'TERMINATED').map((p) => apiPod(machine, p)) } };
    case 'createPod':
      return createPod(acct, b);
    case 'getPod':
      return { status: 200, body: apiPod(machine, acct.livePod(params.id!)) };
    case 'deletePod':
      await machine.terminate(acct.livePod(params.id!));
      return { status: 204 };
    case 'podAction': {
      const pod = acct.livePod(params.id!);
      const action = b.action as PodAction;
      const conflict = await machine.act(pod, action, { replyFirst: call.fromPod });
      if (conflict) throw new HttpError(409, conflict);
      return action === 'terminate' ? { status: 204 } : { status: 200, body: apiPod(machine, pod) };
    }
    case 'getPodLogs':
      acct.livePod(params.id!);
      return { status: 200, sse: true };
    case 'getSshKeys':
      return { status: 200, body: { keys: [...acct.registeredKeys] } };
    case 'updateSshKeys':
      acct.registeredKeys = [...(b.keys as string[])];
      return { status: 200, body: { keys: [...acct.registeredKeys] } };
    case 'listGpuTypes':
      return listGpuTypes(acct, q);
    case 'getGpuType': {
      const g = acct.gpus.get(params.id!);
      if (!g) throw new HttpError(404, `GPU type ${params.id} not found.`);
      return { status: 200, body: gpuJson(g, false) };
    }
    case 'listNetworkVolumes':
      return { status: 200, body: { networkVolumes: [...acct.volumes.values()].map(networkVolumeJson) } };
    case 'createNetworkVolume': {
      if (!DATA_CENTERS.some((d) => d.id === b.dataCenter)) throw new HttpError(400, `Data center ${String(b.dataCenter)} does not exist.`);
      const v = acct.addVolume({ name: b.name as string, size: b.size as number, dataCenter: b.dataCenter as string, type: b.type as 'STANDARD' | 'HIGH_PERFORMANCE' | undefined });
      return { status: 201, body: networkVolumeJson(v) };
    }
    case 'getNetworkVolume': {
      const v = acct.volumes.get(params.id!);
      if (!v) throw new HttpError(404, `Network volume ${params.id} not found.`);
      return { status: 200, body: networkVolumeJson(v) };
    }
    case 'deleteNetworkVolume': {
      const v = acct.volumes.get(params.id!);
      if (!v) throw new HttpError(404, `Network volume ${params.id} not found.`);
      acct.volumes.delete(v.id);
      if (v.ownDir) fs.rmSync(v.dir, { recursive: true, force: true });
      return { status: 204 };
    }
    case 'listPodBilling':
      return listPodBilling(acct, q);
    default:
      throw new HttpError(404, `${call.operationId} is not served by the local RunPod server.`);
  }
}
