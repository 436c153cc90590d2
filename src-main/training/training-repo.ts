// training_runs rows (migrations 6 and 8) and their loss points. The row is the studio's
// memory of a run that lives on a host: where (target, folder, pid), how far the log was read
// (byte offset, only ever advanced past complete lines), what the log said so far, and the
// job (kind training.run) that runs it.
import type { TrainingRun, TrainingState } from '@shared/contract/training';
import type { Db } from '../db/open-database';

export interface RunRow {
  id: string;
  dataset: string;
  model: string;
  target: string;
  host_label: string;
  training_folder: string;
  config_json: string;
  yaml: string;
  state: TrainingState;
  step: number;
  total: number;
  loss: number | null;
  lr: number | null;
  seconds_per_step: number | null;
  message: string | null;
  pid: number | null;
  log_offset: number;
  outcome: 'completed' | 'stopped' | 'error' | null;
  oom_count: number;
  stop_requested: number;
  expected_resume_step: number | null;
  resumed_from_step: number | null;
  resume_note: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  job_id: string | null;
  /** The RunPod GPU type it trained on (migration 12); null: unknown or not a RunPod pod. */
  gpu: string | null;
}

export type RunPatch = Partial<Omit<RunRow, 'id' | 'created_at'>>;

const COLUMNS = new Set([
  'dataset', 'model', 'target', 'host_label', 'training_folder', 'config_json', 'yaml', 'state', 'step', 'total', 'loss', 'lr',
  'seconds_per_step', 'message', 'pid', 'log_offset', 'outcome', 'oom_count', 'stop_requested', 'expected_resume_step',
  'resumed_from_step', 'resume_note', 'error_code', 'error_message', 'started_at', 'finished_at', 'updated_at', 'job_id', 'gpu',
]);

/** States in which a run belongs to a job that is queued or running. */
export const ACTIVE_STATES: readonly TrainingState[] = ['queued', 'preparing', 'running', 'stopping'];

export class TrainingRepo {
  constructor(private readonly db: Db) {}

  insert(row: Pick<RunRow, 'id' | 'dataset' | 'model' | 'target' | 'host_label' | 'training_folder' | 'config_json' | 'yaml' | 'total'>): RunRow {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO training_runs (id, dataset, model, target, host_label, training_folder, config_json, yaml, state, message, total, created_at, updated_at)
         VALUES (@id, @dataset, @model, @target, @host_label, @training_folder, @config_json, @yaml, 'queued', 'queued', @total, @now, @now)`,
      )
      .run({ ...row, now });
    return this.require(row.id);
  }

  get(id: string): RunRow | null {
    return (this.db.prepare('SELECT * FROM training_runs WHERE id = ?').get(id) as RunRow | undefined) ?? null;
  }

  require(id: string): RunRow {
    const r = this.get(id);
    if (!r) throw new Error(`no training run ${id}`);
    return r;
  }

  list(): RunRow[] {
    return this.db.prepare('SELECT * FROM training_runs ORDER BY created_at DESC, id').all() as RunRow[];
  }

  update(id: string, patch: RunPatch): RunRow {
    const keys = Object.keys(patch).filter((k) => COLUMNS.has(k));
    const values: Record<string, unknown> = { id, updated_at: new Date().toISOString() };
    for (const k of keys) values[k] = (patch as Record<string, unknown>)[k] ?? null;
    const sets = [...new Set([...keys, 'updated_at'])].map((k) => `${k} = @${k}`).join(', ');
    this.db.prepare(`UPDATE training_runs SET ${sets} WHERE id = @id`).run(values);
    return this.require(id);
  }

  addPoints(id: string, points: readonly { step: number; loss: number }[]): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO training_points (run_id, step, loss) VALUES (?, ?, ?)');
    for (const p of points) ins.run(id, p.step, p.loss);
  }

  /** Forget points after `step` (a resume rewrites them). */
  deletePointsAfter(id: string, step: number): void {
    this.db.prepare('DELETE FROM training_points WHERE run_id = ? AND step > ?').run(id, step);
  }

  points(id: string): { step: number; loss: number }[] {
    return this.db.prepare('SELECT step, loss FROM training_points WHERE run_id = ? ORDER BY step').all(id) as { step: number; loss: number }[];
  }

  /** Seconds per step of earlier runs of `model` on `gpu` (their last reported speed), newest first. */
  speeds(gpu: string, model: string, limit = 5): number[] {
    const rows = this.db
      .prepare(`SELECT seconds_per_step AS s FROM training_runs WHERE gpu = ? AND model = ? AND seconds_per_step > 0 ORDER BY updated_at DESC LIMIT ?`)
      .all(gpu, model, limit) as { s: number }[];
    return rows.map((r) => r.s);
  }

  /** What the run's jobs cost (jobs.cost_usd of its training.run jobs); null when none was billed. */
  cost(id: string): number | null {
    const r = this.db
      .prepare(`SELECT SUM(cost_usd) AS usd, COUNT(cost_usd) AS n FROM jobs WHERE kind = 'training.run' AND json_extract(params_json, '$.runId') = ?`)
      .get(id) as { usd: number | null; n: number };
    return r.n > 0 ? Math.round((r.usd ?? 0) * 1e6) / 1e6 : null;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

export function toRun(
  r: RunRow,
  extra: {
    attached: boolean;
    sampleCount: number;
    checkpointCount: number;
    etaSeconds: number | null;
    queuePosition: number | null;
    stalledSince: string | null;
    costUsd: number | null;
    ratePerHr: number | null;
  },
): TrainingRun {
  return {
    id: r.id,
    name: r.id,
    dataset: r.dataset,
    model: r.model,
    target: r.target,
    hostLabel: r.host_label,
    state: r.state,
    jobId: r.job_id,
    queuePosition: r.state === 'queued' ? extra.queuePosition : null,
    attached: extra.attached,
    step: r.step,
    total: r.total,
    loss: r.loss,
    lr: r.lr,
    secondsPerStep: r.seconds_per_step,
    etaSeconds: extra.etaSeconds,
    message: r.message,
    resumedFromStep: r.resumed_from_step,
    resumeNote: r.resume_note,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
    sampleCount: extra.sampleCount,
    checkpointCount: extra.checkpointCount,
    stalledSince: extra.stalledSince,
    costUsd: extra.costUsd,
    ratePerHr: extra.ratePerHr,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    updatedAt: r.updated_at,
  };
}
