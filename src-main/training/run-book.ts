// The runs' shared book: the training_runs rows, how each is shown (TrainingRun: local
// sample/checkpoint counts, ETA, queue place, whether it is followed) and the announcement of
// every change — to the studio (training.updated) and to whoever watches one run (its job).
import type { TrainingRun } from '@shared/contract/training';
import { StudioError } from '../core/studio-error';
import type { LocalRunFiles } from './local-files';
import { etaSeconds } from './log-parser';
import { toRun, type RunPatch, type RunRow, type TrainingRepo } from './training-repo';

export class RunBook {
  /** Runs whose log this studio follows right now (a host open). */
  readonly attached = new Set<string>();
  /** Queued runs' places in their target's queue (1 = next), from the job system. */
  readonly queuePlaces = new Map<string, number>();
  /** Runs whose step has not advanced for the stall time: since when (ISO). Kept while followed. */
  readonly stalled = new Map<string, string>();
  /** The GPU $/h of a run's pod while it runs (a RunPod pod), set by its job. */
  readonly rates = new Map<string, number>();
  private readonly watchers = new Map<string, (row: RunRow) => void>();
  closed = false;

  constructor(
    readonly repo: TrainingRepo,
    readonly files: LocalRunFiles,
    private readonly announce: (run: TrainingRun) => void,
  ) {}

  get(id: string): RunRow | null {
    return this.repo.get(id);
  }

  require(id: string): RunRow {
    const r = this.repo.get(id);
    if (!r) throw new StudioError('not_found', `No training run ${id}.`, 'id');
    return r;
  }

  list(): RunRow[] {
    return this.repo.list();
  }

  patch(id: string, patch: RunPatch): RunRow {
    const row = this.repo.update(id, patch);
    this.emit(row);
    return row;
  }

  finish(id: string, state: RunRow['state'], patch: RunPatch): RunRow {
    return this.patch(id, { ...patch, state, finished_at: new Date().toISOString() });
  }

  /** One watcher per run (the job running it): called with every change of its row. */
  watch(id: string, fn: (row: RunRow) => void): () => void {
    this.watchers.set(id, fn);
    return () => {
      if (this.watchers.get(id) === fn) this.watchers.delete(id);
    };
  }

  view(r: RunRow): TrainingRun {
    const eta = r.state === 'running' ? etaSeconds(r.step, r.total, r.seconds_per_step) : null;
    return toRun(r, {
      attached: this.attached.has(r.id),
      sampleCount: this.files.samples(r.id).length,
      checkpointCount: this.files.checkpoints(r.id).length,
      etaSeconds: eta,
      queuePosition: this.queuePlaces.get(r.id) ?? null,
      stalledSince: this.stalled.get(r.id) ?? null,
      costUsd: this.repo.cost(r.id),
      ratePerHr: this.rates.get(r.id) ?? null,
    });
  }

  emit(r: RunRow): void {
    this.watchers.get(r.id)?.(r);
    if (this.closed) return;
    this.announce(this.view(r));
  }
}
