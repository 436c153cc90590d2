// Pods and runtimes for the Generate page's runtime toggle and the Pods page's SSH pods:
// profiles, live connection status (pods.status events), which runtimes exist, and the
// user's choice of runtime and pod (kept in localStorage).
import { create } from 'zustand';
import type { PodProfile, PodStatus } from '@shared/contract';
import { studio } from '../transport/client';
import { reportError } from './toasts';

type RuntimeId = 'remote' | 'local';
const KEY = 'flux-studio.runtime-choice';

function readChoice(): { runtime: RuntimeId | null; podId: string | null } {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as { runtime?: unknown; podId?: unknown };
    return { runtime: v.runtime === 'local' || v.runtime === 'remote' ? v.runtime : null, podId: typeof v.podId === 'string' ? v.podId : null };
  } catch {
    return { runtime: null, podId: null };
  }
}

interface PodsState {
  pods: PodProfile[];
  status: Record<string, PodStatus>;
  runtimes: { id: RuntimeId; available: boolean; label: string }[];
  loaded: boolean;
  runtime: RuntimeId | null;
  podId: string | null;
  load(): Promise<void>;
  choose(runtime: RuntimeId, podId?: string | null): void;
}

export const usePods = create<PodsState>()((set, get) => ({
  pods: [],
  status: {},
  runtimes: [],
  loaded: false,
  ...readChoice(),
  async load() {
    try {
      const [pods, status, runtimes] = await Promise.all([studio.pods.list(), studio.pods.status(), studio.generation.runtimes()]);
      const podId = get().podId && pods.some((p) => p.id === get().podId) ? get().podId : (pods[0]?.id ?? null);
      set({ pods, status: Object.fromEntries(status.map((s) => [s.id, s])), runtimes, loaded: true, podId });
    } catch (err) {
      reportError(err);
    }
  },
  choose(runtime, podId) {
    const next = { runtime, podId: podId === undefined ? get().podId : podId };
    set(next);
    try {
      localStorage.setItem(KEY, JSON.stringify(next));
    } catch {
      // private mode: the choice lasts this session only
    }
  },
}));

let wired = false;
export function wirePodEvents(): void {
  if (wired) return;
  wired = true;
  studio.on('pods.status', (s) => usePods.setState((st) => ({ status: { ...st.status, [s.id]: s } })));
  studio.on('pods.changed', () => void usePods.getState().load());
  studio.onReconnect(() => void usePods.getState().load());
}

export function statusTone(s: PodStatus | undefined): 'ok' | 'busy' | 'bad' | 'off' {
  if (!s || s.state === 'disconnected') return 'off';
  if (s.state === 'connected') return 'ok';
  if (s.state === 'error') return 'bad';
  return 'busy';
}

export function statusText(s: PodStatus | undefined): string {
  if (!s || s.state === 'disconnected') return 'not connected';
  if (s.state === 'error') return s.error?.message ?? 'error';
  if (s.state !== 'connected') return s.state;
  const gpu = s.gpus[0];
  const base = gpu ? `connected · ${gpu.name} · ${(gpu.memoryUsedMiB / 1024).toFixed(1)} / ${(gpu.memoryTotalMiB / 1024).toFixed(1)} GiB` : `connected${s.gpuNote ? ` · ${s.gpuNote}` : ''}`;
  return s.prepared === false ? `${base} · not prepared` : base;
}

/**
 * Whether a pod can run the worker: "ready" means connected, prepared and with a GPU (issue 16,
 * item 5); otherwise what is missing, in words, and whether Prepare is the way out.
 */
export type PodReadiness =
  | { kind: 'ready'; gpu: string }
  | { kind: 'missing'; missing: string[]; offerPrepare: boolean }
  | { kind: 'unknown'; text: string }
  /** Connected by other work (a generation, the watchdog) without the GPU and venv checks. */
  | { kind: 'unchecked' };

export function podReadiness(s: PodStatus | undefined): PodReadiness {
  if (!s || s.state !== 'connected') return { kind: 'unknown', text: statusText(s) };
  const gpu = s.gpus[0];
  if (!gpu && s.gpuNote === null && s.prepared === null) return { kind: 'unchecked' };
  const missing: string[] = [];
  if (!gpu) missing.push(s.gpuNote ?? 'no NVIDIA GPU');
  if (s.prepared === false) missing.push('not prepared (no worker environment yet)');
  if (s.prepared === null) missing.push('preparation not checked');
  if (gpu && missing.length === 0) return { kind: 'ready', gpu: `${gpu.name} · ${(gpu.memoryUsedMiB / 1024).toFixed(1)} / ${(gpu.memoryTotalMiB / 1024).toFixed(1)} GiB` };
  return { kind: 'missing', missing, offerPrepare: s.prepared !== true };
}
