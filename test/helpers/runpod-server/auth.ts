// API keys of the local RunPod server. RunPod v2 keys are permission-scoped, so a valid key can
// still get 403: `apiKey` may do everything, `readOnlyApiKey` only reads, and the key a pod
// carries as RUNPOD_API_KEY only reads and stops that pod (what the on-pod watchdog needs).
import type { PodMachine } from './pod-state';

export type Principal = { kind: 'account' } | { kind: 'read' } | { kind: 'pod'; podId: string };

const READS = ['listPods', 'getPod', 'getPodLogs', 'getSshKeys', 'listGpuTypes', 'getGpuType', 'listNetworkVolumes', 'getNetworkVolume', 'listPodBilling'];

/** Who an `Authorization: Bearer <key>` header is; null → 401. */
export function authenticate(header: string | undefined, keys: { apiKey: string; readOnlyApiKey: string }, machine: PodMachine): Principal | null {
  const m = /^Bearer\s+(\S+)$/.exec(header ?? '');
  if (!m) return null;
  const key = m[1];
  if (key === keys.apiKey) return { kind: 'account' };
  if (key === keys.readOnlyApiKey) return { kind: 'read' };
  for (const p of machine.pods.values()) if (p.podApiKey === key && p.status !== 'TERMINATED') return { kind: 'pod', podId: p.id };
  return null;
}

/** Whether the key may do this; false → 403. */
export function permitted(who: Principal, operationId: string, params: Record<string, string>, body: Record<string, unknown>): boolean {
  if (who.kind === 'account') return true;
  if (who.kind === 'read') return READS.includes(operationId);
  return params.id === who.podId && (operationId === 'getPod' || (operationId === 'podAction' && body.action === 'stop'));
}
