// Migration 8: training runs become jobs. A run left going on its host before the upgrade
// gets a running training.run job (reclaimed at start-up like any other); one caught while
// preparing is failed as before; rows and loss points are kept; queued jobs get an order.
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { migrate, openDatabase } from '../../src-main/db/open-database';
import { MIGRATIONS } from '../../src-main/db/migrations';
import { TrainingJobParams } from '../../src-main/training/run-executor';
import { tempDir } from '../helpers/studio';

test('migration 8 links live runs to running training.run jobs and keeps their data', () => {
  const file = path.join(tempDir(), 'old.db');
  const old = new Database(file);
  expect(migrate(old, MIGRATIONS, 7)).toBe(7);
  const run = old.prepare(
    `INSERT INTO training_runs (id, dataset, model, target, host_label, training_folder, config_json, yaml, state, pid, step, total, created_at, started_at, updated_at)
     VALUES (?, 'faces', 'flux-dev', ?, 'pod', '/w/t', '{}', 'y', ?, ?, 7, 100, '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z')`,
  );
  run.run('live', 'pod:p1', 'running', 4242);
  run.run('prep', 'local', 'preparing', null);
  run.run('done', 'local', 'completed', 99);
  old.prepare(`INSERT INTO training_points VALUES ('live', 1, 0.5), ('live', 2, 0.4)`).run();
  old.prepare(
    `INSERT INTO jobs (id, kind, lane, title, state, params_json, created_at, updated_at, seq) VALUES ('q1', 'test', 'A', 't', 'queued', '{}', 'x', 'x', 5)`,
  ).run();
  old.close();

  const db = openDatabase(file);
  const rows = db.prepare('SELECT id, state, job_id, error_code FROM training_runs ORDER BY id').all() as { id: string; state: string; job_id: string | null; error_code: string | null }[];
  expect(rows.map((r) => [r.id, r.state, r.error_code])).toEqual([
    ['done', 'completed', null],
    ['live', 'running', null],
    ['prep', 'failed', 'interrupted'],
  ]);
  const live = rows.find((r) => r.id === 'live');
  expect(live?.job_id).toBeTruthy();
  expect(rows.filter((r) => r.id !== 'live').every((r) => r.job_id === null)).toBe(true);
  const job = db.prepare('SELECT kind, lane, state, params_json, started_at FROM jobs WHERE id = ?').get(live?.job_id) as Record<string, string>;
  expect(job).toMatchObject({ kind: 'training.run', lane: 'training:pod:p1', state: 'running', started_at: '2026-01-01T00:00:01Z' });
  expect(TrainingJobParams.parse(JSON.parse(job.params_json as string))).toEqual({ runId: 'live', target: 'pod:p1' });
  expect(db.prepare(`SELECT step, loss FROM training_points WHERE run_id = 'live' ORDER BY step`).all()).toEqual([
    { step: 1, loss: 0.5 },
    { step: 2, loss: 0.4 },
  ]);
  expect(db.prepare(`SELECT position FROM jobs WHERE id = 'q1'`).get()).toEqual({ position: 5 });
  // The points still cascade with their run.
  db.prepare(`DELETE FROM training_runs WHERE id = 'live'`).run();
  expect(db.prepare(`SELECT COUNT(*) AS n FROM training_points`).get()).toEqual({ n: 0 });
  db.close();
});
