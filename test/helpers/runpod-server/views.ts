// The JSON the local RunPod server answers with (shapes of RunPod's v2 spec: Pod, GpuType,
// NetworkVolume), and the test-side snapshot of a pod.
import path from 'node:path';
import type { NetworkVolume } from './account';
import { availabilityLevel, DATA_CENTERS, type CatalogGpu } from './catalog';
import { ACTIONS, type PodMachine, type PodRecord } from './pod-state';
import type { PodSnapshot } from './types';

function holdsCompute(pod: PodRecord): boolean {
  return pod.status === 'RUNNING' || pod.status === 'STARTING' || pod.status === 'PROVISIONING';
}

/**
 * A `Pod`: `cost` is the GPUs' $/h while the pod holds compute (0 when EXITED), `runtime` is
 * null unless RUNNING, `ssh.direct` only when RUNNING with 22/tcp (the previous address during
 * the stale window), `ssh.proxy` null (the proxy is RunPod's, and interactive only).
 */
export function apiPod(machine: PodMachine, pod: PodRecord): Record<string, unknown> {
  const now = Date.now();
  const direct = machine.reportedDirect(pod, now);
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
    cost: holdsCompute(pod) ? pod.gpuUsdPerHour : 0,
    locked: pod.locked,
    globalNetworking: { enabled: false },
    runtime:
      pod.status === 'RUNNING'
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

export function snapshot(machine: PodMachine, pod: PodRecord): PodSnapshot {
  return {
    id: pod.id,
    name: pod.name,
    status: pod.status,
    actions: [...ACTIONS[pod.status]],
    gpu: pod.gpu ? { ...pod.gpu } : null,
    cost: holdsCompute(pod) ? pod.gpuUsdPerHour : 0,
    direct: pod.status === 'RUNNING' ? pod.direct : null,
    reportedDirect: machine.reportedDirect(pod),
    fingerprints: pod.loopback?.fingerprints ?? [],
    volumePath: pod.volumePath,
    envFile: pod.starts > 0 && pod.status !== 'TERMINATED' ? path.join(pod.podRoot, 'rp_environment') : null,
    podApiKey: pod.podApiKey,
    authorizedKeys: [...pod.authorizedKeys],
    madeOnWebsite: pod.madeOnWebsite,
    starts: pod.starts,
    accruedUsd: (({ gpuUsd, diskUsd }) => gpuUsd + diskUsd)(machine.accrued(pod)),
  };
}

/** A `GpuType`; availability, per data center and per CUDA version, only when asked for. */
export function gpuJson(g: CatalogGpu, withAvailability: boolean) {
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

export function networkVolumeJson(v: NetworkVolume) {
  return { id: v.id, name: v.name, size: v.size, dataCenter: v.dataCenter, type: v.type };
}
