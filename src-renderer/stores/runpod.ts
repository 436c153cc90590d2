// RunPod in the renderer (issue 15): the account's pods, the GPU catalog, network volumes and
// the spend meter, kept fresh by the `runpod.pods` / `runpod.spend` events. The API key never
// comes here: whether one is set is all the page knows (SpendMeter.configured).
// Used by the Pods page and the header's SpendChip; see docs/architecture.md ("Pods page").
import { create } from 'zustand';
import type { GpuOffer, NetworkVolume, RunpodPod, SpendMeter } from '@shared/contract';
import { StudioCallError, studio } from '../transport/client';
import { usePods } from './pods';

/** Whether the account can be used: ready, no key set, or unreachable (with what went wrong). */
export type RunpodAccess = { state: 'loading' } | { state: 'ready' } | { state: 'no-key' } | { state: 'error'; code: string; message: string };

interface RunpodState {
  access: RunpodAccess;
  pods: RunpodPod[];
  spend: SpendMeter | null;
  gpus: GpuOffer[] | null;
  volumes: NetworkVolume[] | null;
  /** Loads the spend meter and, with a key, the account's pods. */
  load(): Promise<void>;
  /** The create form's catalog: GPU types and network volumes (once per page visit). */
  loadCatalog(): Promise<void>;
  loadSpend(): Promise<void>;
  upsertPod(pod: RunpodPod): void;
}

function toAccess(err: unknown): RunpodAccess {
  if (err instanceof StudioCallError) return { state: 'error', code: err.code, message: err.message };
  return { state: 'error', code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export const useRunpod = create<RunpodState>()((set, get) => ({
  access: { state: 'loading' },
  pods: [],
  spend: null,
  gpus: null,
  volumes: null,
  async load() {
    let spend: SpendMeter;
    try {
      spend = await studio.runpod.spend();
    } catch (err) {
      set({ access: toAccess(err), spend: null });
      return;
    }
    set({ spend });
    if (!spend.configured) {
      set({ access: { state: 'no-key' }, pods: [] });
      return;
    }
    try {
      const pods = await studio.runpod.pods();
      set({ pods, access: { state: 'ready' } });
      profilesFollow(pods);
    } catch (err) {
      set({ access: toAccess(err) });
    }
  },
  async loadCatalog() {
    if (get().access.state !== 'ready') return;
    try {
      const [gpus, volumes] = await Promise.all([studio.runpod.gpus(), studio.runpod.volumes()]);
      set({ gpus, volumes });
    } catch (err) {
      set({ access: toAccess(err) });
    }
  },
  async loadSpend() {
    try {
      set({ spend: await studio.runpod.spend() });
    } catch {
      // The chip hides itself without a meter; the Pods page says what is wrong.
      set({ spend: null });
    }
  },
  upsertPod(pod) {
    set((s) => {
      const i = s.pods.findIndex((p) => p.id === pod.id);
      if (pod.status === 'TERMINATED') return { pods: s.pods.filter((p) => p.id !== pod.id) };
      if (i < 0) return { pods: [...s.pods, pod] };
      const pods = [...s.pods];
      pods[i] = pod;
      return { pods };
    });
  },
}));

/**
 * A pod the studio created or linked has a pod profile (contract/pods.ts) the SSH pods list
 * and Generate use: when one appears that the pods store does not know yet, reload it.
 */
const asked = new Set<string>();
function profilesFollow(pods: readonly RunpodPod[]): void {
  const known = new Set(usePods.getState().pods.map((p) => p.id));
  // Once per unknown id: a profile removed since would otherwise reload on every poll.
  const fresh = pods.map((p) => p.profileId).filter((id): id is string => id !== null && !known.has(id) && !asked.has(id));
  if (fresh.length === 0) return;
  for (const id of fresh) asked.add(id);
  void usePods.getState().load();
}

let wired = false;
/** Once per page load: events keep the pods and the meter current. */
export function wireRunpodEvents(): void {
  if (wired) return;
  wired = true;
  studio.on('runpod.pods', (pods) => {
    useRunpod.setState({ pods: pods.filter((p) => p.status !== 'TERMINATED') });
    profilesFollow(pods);
  });
  studio.on('runpod.spend', (spend) => useRunpod.setState({ spend }));
  // Budget caps live in settings: the meter shows them.
  studio.on('settings.changed', () => void useRunpod.getState().loadSpend());
  studio.onReconnect(() => void useRunpod.getState().load());
}
