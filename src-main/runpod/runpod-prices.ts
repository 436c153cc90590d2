// What a pod costs besides its GPU: storage, from RunPod's published prices
// (docs.runpod.io pods/storage; README "RunPod"). Billing is per second.
//   container disk  $0.10/GB/month while running (wiped on stop, not billed then)
//   volume disk     $0.10/GB/month running, $0.20/GB/month stopped
//   network volume  $0.07/GB/month, billed on its own whatever the pods do (not counted per pod)
import type { RunpodPod } from '@shared/contract/runpod';
import type { ApiGpuType, ApiPod } from './runpod-client';

export const HOURS_PER_MONTH = 730;
export const PRICE = { containerDiskGbMonth: 0.1, volumeRunningGbMonth: 0.1, volumeStoppedGbMonth: 0.2, networkVolumeGbMonth: 0.07 } as const;

const RUNNING_LIKE = new Set(['RUNNING', 'STARTING', 'PROVISIONING']);

export function storageCostPerHr(p: { status: string; disk?: number; volumeGb: number }): number {
  const running = RUNNING_LIKE.has(p.status);
  if (p.status === 'TERMINATED') return 0;
  const container = running ? (p.disk ?? 0) * PRICE.containerDiskGbMonth : 0;
  const volume = p.volumeGb * (running ? PRICE.volumeRunningGbMonth : PRICE.volumeStoppedGbMonth);
  return (container + volume) / HOURS_PER_MONTH;
}

/** Marks a pod the studio created (env on the pod: visible in RunPod's console too). */
export const STUDIO_ENV = 'FLUX_STUDIO_POD';

export function toRunpodPod(
  p: ApiPod,
  extra: { displayName(gpuId: string): string; profileId: string | null; sessionSpendUsd: number; watchdog: RunpodPod['watchdog'] },
): RunpodPod {
  const volumeGb = p.mounts?.persistent?.size ?? 0;
  const direct = p.ssh?.direct ?? null;
  return {
    id: p.id,
    name: p.name,
    status: p.status,
    actions: p.actions ?? [],
    gpu: p.gpu ? { id: p.gpu.id, displayName: extra.displayName(p.gpu.id), count: p.gpu.count ?? 1 } : null,
    cloud: p.cloud ?? null,
    image: p.image ?? '',
    // RunPod bills compute from allocation (PROVISIONING, STARTING) until stop.
    costPerHr: RUNNING_LIKE.has(p.status) ? Math.max(0, p.cost ?? 0) : 0,
    storageCostPerHr: storageCostPerHr({ status: p.status, disk: p.disk, volumeGb }),
    containerDiskGb: p.disk ?? 0,
    volumeGb,
    networkVolumeId: p.mounts?.network?.[0]?.volumeId ?? null,
    uptimeSec: p.status === 'RUNNING' ? (p.runtime?.uptime ?? null) : null,
    ssh: p.status === 'RUNNING' && direct ? { host: direct.host, port: direct.port } : null,
    profileId: extra.profileId,
    createdByStudio: p.env?.[STUDIO_ENV] === '1',
    sessionSpendUsd: extra.sessionSpendUsd,
    watchdog: extra.watchdog,
  };
}

const STOCK: Record<string, string | null> = { HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low', NONE: null };
export const stockLabel = (a: string | undefined | null): string | null => (a ? (STOCK[a] ?? null) : null);

export function gpuDisplayName(g: Pick<ApiGpuType, 'name' | 'id'>): string {
  return g.name || g.id;
}
