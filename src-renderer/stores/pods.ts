// Pods and runtimes for the Generate page's runtime toggle and the Settings → Pods section:
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
  return gpu ? `connected · ${gpu.name} · ${(gpu.memoryUsedMiB / 1024).toFixed(1)} / ${(gpu.memoryTotalMiB / 1024).toFixed(1)} GiB` : `connected${s.gpuNote ? ` · ${s.gpuNote}` : ''}`;
}
