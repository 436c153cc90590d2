// Jobs are rows: every state change is written before it is announced, so after a crash
// the table says exactly what was queued, running or finished.
import { randomUUID } from 'node:crypto';
import type { Job, JobProgress, JobState } from '@shared/contract';
import type { Db } from '../db/open-database';
import { costOf } from './job-billing';

interface Row {
  id: string;
  kind: string;
  lane: string;
  title: string;
  state: JobState;
  params_json: string;
  progress_json: string | null;
  result_json: string | null;
  error_json: string | null;
  host: string | null;
  remote_ref_json: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  cost_usd: number | null;
}

export interface StoredJob extends Job {
  remoteRef: unknown;
}

function parse(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

function toJob(row: Row): StoredJob {
  return {
    id: row.id,
    kind: row.kind,
    lane: row.lane,
    title: row.title,
    state: row.state,
    params: (parse(row.params_json) ?? {}) as Record<string, unknown>,
    progress: parse(row.progress_json) as JobProgress | null,
    result: parse(row.result_json),
    error: parse(row.error_json) as Job['error'],
    host: row.host,
    remoteRef: parse(row.remote_ref_json),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    costUsd: row.cost_usd ?? null,
  };
}

export class JobRepo {
  constructor(private readonly db: Db) {}

  insert(input: { kind: string; lane: string; title: string; params: Record<string, unknown>; host?: string | null }): StoredJob {
    const now = new Date().toISOString();
    const id = randomUUID();
    const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM jobs').get() as { n: number }).n;
    const position = (this.db.prepare('SELECT COALESCE(MAX(position), 0) + 1 AS n FROM jobs').get() as { n: number }).n;
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, lane, title, state, params_json, host, created_at, updated_at, seq, position)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.kind, input.lane, input.title, JSON.stringify(input.params), input.host ?? null, now, now, seq, position);
    return this.require(id);
  }

  get(id: string): StoredJob | null {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? toJob(row) : null;
  }

  require(id: string): StoredJob {
    const job = this.get(id);
    if (!job) throw new Error(`job ${id} vanished`);
    return job;
  }

  list(opts: { states?: readonly JobState[]; limit?: number } = {}): StoredJob[] {
    const states = opts.states ?? [];
    const where = states.length > 0 ? `WHERE state IN (${states.map(() => '?').join(',')})` : '';
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${where} ORDER BY seq DESC LIMIT ?`)
      .all(...states, opts.limit ?? 100) as Row[];
    return rows.map(toJob);
  }

  /** A lane's queued jobs in the order they will run (position, then submission). */
  queued(lane: string): StoredJob[] {
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE lane = ? AND state = 'queued' ORDER BY position, seq`)
      .all(lane) as Row[];
    return rows.map(toJob);
  }

  /** Give these queued jobs the positions they already hold among themselves, in this new order. */
  reorder(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const rows = this.db
      .prepare(`SELECT id, position FROM jobs WHERE id IN (${ids.map(() => '?').join(',')})`)
      .all(...ids) as { id: string; position: number }[];
    const positions = rows.map((r) => r.position).sort((a, b) => a - b);
    // Equal positions (rows from before ordering existed) are spread apart first.
    for (let i = 1; i < positions.length; i++) positions[i] = Math.max(positions[i] as number, (positions[i - 1] as number) + 1);
    const set = this.db.prepare('UPDATE jobs SET position = ?, updated_at = ? WHERE id = ?');
    const now = new Date().toISOString();
    this.db.transaction(() => ids.forEach((id, i) => set.run(positions[i], now, id)))();
  }

  markRunning(id: string): StoredJob {
    const now = new Date().toISOString();
    this.db.prepare(`UPDATE jobs SET state = 'running', started_at = ?, updated_at = ? WHERE id = ?`).run(now, now, id);
    return this.require(id);
  }

  /**
   * The job's final state. `ratePerHour` (a job on a rented pod): its cost is that rate x the
   * seconds from started_at to this finish, stored in cost_usd (migration 9).
   */
  finish(
    id: string,
    state: Exclude<JobState, 'queued' | 'running'>,
    outcome: { result?: unknown; error?: { code: string; message: string }; ratePerHour?: number | null },
  ): StoredJob {
    const at = new Date();
    const now = at.toISOString();
    let cost: number | null = null;
    if (outcome.ratePerHour !== undefined && outcome.ratePerHour !== null) {
      const started = this.get(id)?.startedAt;
      cost = started ? costOf(outcome.ratePerHour, (at.getTime() - Date.parse(started)) / 1000) : 0;
    }
    this.db
      .prepare(`UPDATE jobs SET state = ?, result_json = ?, error_json = ?, finished_at = ?, updated_at = ?, cost_usd = COALESCE(?, cost_usd) WHERE id = ?`)
      .run(
        state,
        outcome.result === undefined ? null : JSON.stringify(outcome.result),
        outcome.error ? JSON.stringify(outcome.error) : null,
        now,
        now,
        cost,
        id,
      );
    return this.require(id);
  }

  saveProgress(id: string, progress: JobProgress): void {
    this.db
      .prepare('UPDATE jobs SET progress_json = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(progress), new Date().toISOString(), id);
  }

  setRemoteRef(id: string, host: string | null, ref: unknown): void {
    this.db
      .prepare('UPDATE jobs SET host = ?, remote_ref_json = ?, updated_at = ? WHERE id = ?')
      .run(host, JSON.stringify(ref), new Date().toISOString(), id);
  }

  deleteFinished(): number {
    return this.db.prepare(`DELETE FROM jobs WHERE state IN ('succeeded','failed','cancelled','interrupted')`).run().changes;
  }
}
