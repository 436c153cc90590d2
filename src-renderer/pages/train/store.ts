// Training runs for the Train page: the list (kept live by training.updated events), the
// selected run's detail (re-read at most once a second while it changes) and the wizard's options.
import { create } from 'zustand';
import type { CallResponse, TrainingRun, TrainingRunDetail } from '@shared/contract';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';

export type TrainingOptions = CallResponse<'training.options'>;

interface TrainState {
  runs: TrainingRun[];
  loaded: boolean;
  options: TrainingOptions | null;
  selected: string | null;
  detail: TrainingRunDetail | null;
  load(): Promise<void>;
  loadOptions(): Promise<void>;
  upsert(run: TrainingRun): void;
  select(id: string | null): void;
  refreshDetail(): Promise<void>;
}

const byNewest = (a: TrainingRun, b: TrainingRun) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0);

let detailTimer: ReturnType<typeof setTimeout> | null = null;
let lastDetail = 0;

export const useTraining = create<TrainState>()((set, get) => ({
  runs: [],
  loaded: false,
  options: null,
  selected: null,
  detail: null,
  async load() {
    try {
      const runs = await studio.training.list();
      set({ runs: [...runs].sort(byNewest), loaded: true });
      if (!get().selected && runs[0]) get().select(runs[0].id);
    } catch (err) {
      reportError(err);
    }
  },
  async loadOptions() {
    try {
      set({ options: await studio.training.options() });
    } catch (err) {
      reportError(err);
    }
  },
  upsert(run) {
    const rest = get().runs.filter((r) => r.id !== run.id);
    set({ runs: [run, ...rest].sort(byNewest) });
    if (get().selected === run.id) {
      const d = get().detail;
      if (d) set({ detail: { ...d, run } });
      // Samples, checkpoints, the loss curve and the log: re-read, at most once a second.
      if (detailTimer) return;
      const wait = Math.max(0, 1000 - (Date.now() - lastDetail));
      detailTimer = setTimeout(() => {
        detailTimer = null;
        void get().refreshDetail();
      }, wait);
    }
  },
  select(id) {
    set({ selected: id, detail: id && get().detail?.run.id === id ? get().detail : null });
    void get().refreshDetail();
  },
  async refreshDetail() {
    const id = get().selected;
    if (!id) return;
    lastDetail = Date.now();
    try {
      const detail = await studio.training.get({ id });
      if (get().selected === id) set({ detail });
    } catch (err) {
      reportError(err);
    }
  },
}));

let wired = false;
export function wireTrainingEvents(): void {
  if (wired) return;
  wired = true;
  studio.on('training.updated', (run) => useTraining.getState().upsert(run));
  studio.onReconnect(() => void useTraining.getState().load());
}

export function formatEta(seconds: number | null): string {
  if (seconds === null) return '—';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`;
}

export const ACTIVE_STATES: readonly TrainingRun['state'][] = ['queued', 'preparing', 'running', 'stopping'];
