import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { afterEach, describe, expect, test } from 'vitest';
import type { Job } from '@shared/contract';
import type { JobExecutor } from '../../src-main/jobs/job-service';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.close();
  studio = null;
});

type SleepParams = { lane: string; steps: number; ms: number; fail?: boolean };

/** A job that takes real time in steps and honours its AbortSignal, like a generation does. */
function sleeper(log: string[]): JobExecutor<SleepParams> {
  return {
    kind: 'test.sleep',
    params: z.object({ lane: z.string(), steps: z.number().int(), ms: z.number(), fail: z.boolean().optional() }),
    lane: (p) => p.lane,
    title: (p) => `sleep ${p.steps}×${p.ms}ms on ${p.lane}`,
    async run({ params, signal, progress, job }) {
      log.push(`start ${job.id}`);
      for (let i = 1; i <= params.steps; i++) {
        await new Promise((r) => setTimeout(r, params.ms));
        signal.throwIfAborted();
        progress({ step: i, total: params.steps, message: `step ${i}` });
      }
      log.push(`end ${job.id}`);
      if (params.fail) throw Object.assign(new Error('out of GPU memory'), { code: 'oom' });
      return { slept: params.steps * params.ms };
    },
  };
}

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('job queue', () => {
  test('one job at a time per lane, lanes in parallel, states and results recorded', async () => {
    studio = await makeStudio();
    const log: string[] = [];
    studio.jobs.register(sleeper(log));
    const a1 = studio.jobs.submit('test.sleep', { lane: 'A', steps: 3, ms: 15 });
    const a2 = studio.jobs.submit('test.sleep', { lane: 'A', steps: 1, ms: 5 });
    const b1 = studio.jobs.submit('test.sleep', { lane: 'B', steps: 1, ms: 5 });
    expect(studio.jobs.get(a2.id).state).toBe('queued');
    await studio.jobs.whenIdle();
    // a2 started only after a1 ended; b1 ran while a1 was running.
    expect(log.indexOf(`start ${a2.id}`)).toBeGreaterThan(log.indexOf(`end ${a1.id}`));
    expect(log.indexOf(`end ${b1.id}`)).toBeLessThan(log.indexOf(`end ${a1.id}`));
    const done = studio.jobs.get(a1.id);
    expect(done).toMatchObject({ state: 'succeeded', result: { slept: 45 }, progress: { step: 3, total: 3, fraction: 1 } });
    expect(done.startedAt && done.finishedAt).toBeTruthy();
  });

  test('progress is an event stream keyed by job id; state changes are job.updated events', async () => {
    studio = await makeStudio();
    studio.jobs.register(sleeper([]));
    const events: { name: string; payload: unknown }[] = [];
    studio.events.subscribe((name, payload) => events.push({ name, payload }));
    const job = studio.jobs.submit('test.sleep', { lane: 'A', steps: 4, ms: 2 });
    await studio.jobs.whenIdle();
    const progress = events.filter((e) => e.name === 'job.progress').map((e) => e.payload as { jobId: string; progress: { step: number } });
    expect(progress.map((p) => p.progress.step)).toEqual([1, 2, 3, 4]);
    expect(progress.every((p) => p.jobId === job.id)).toBe(true);
    const states = events.filter((e) => e.name === 'job.updated').map((e) => (e.payload as Job).state);
    expect(states).toEqual(['queued', 'running', 'succeeded']);
  });

  test('cancelling a running job aborts its signal; cancelling a queued one never starts it', async () => {
    studio = await makeStudio();
    const log: string[] = [];
    studio.jobs.register(sleeper(log));
    const running = studio.jobs.submit('test.sleep', { lane: 'A', steps: 200, ms: 5 });
    const queued = studio.jobs.submit('test.sleep', { lane: 'A', steps: 1, ms: 1 });
    await waitFor(() => studio!.jobs.get(running.id).state === 'running');
    const r = await studio.dispatch('jobs.cancel', { id: queued.id });
    expect(r).toMatchObject({ ok: true, data: { state: 'cancelled' } });
    await studio.dispatch('jobs.cancel', { id: running.id });
    await studio.jobs.whenIdle();
    expect(studio.jobs.get(running.id)).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' } });
    expect(log).not.toContain(`start ${queued.id}`);
    expect(log).not.toContain(`end ${running.id}`);
    // A finished job cannot be cancelled again.
    expect(await studio.dispatch('jobs.cancel', { id: running.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await studio.dispatch('jobs.cancel', { id: 'no-such-job' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  test('a failing job records its error code and message and the lane moves on', async () => {
    studio = await makeStudio();
    studio.jobs.register(sleeper([]));
    const bad = studio.jobs.submit('test.sleep', { lane: 'A', steps: 1, ms: 1, fail: true });
    const next = studio.jobs.submit('test.sleep', { lane: 'A', steps: 1, ms: 1 });
    await studio.jobs.whenIdle();
    expect(studio.jobs.get(bad.id)).toMatchObject({ state: 'failed', error: { code: 'oom', message: 'out of GPU memory' } });
    expect(studio.jobs.get(next.id).state).toBe('succeeded');
  });

  test('start-up reconciliation: running rows become interrupted unless reclaimed; queued rows run again', async () => {
    const dataDir = tempDir();
    studio = await makeStudio({ dataDir });
    await studio.close();
    // Simulate a crash: rows left as they were when the process died.
    const db = new Database(path.join(dataDir, 'studio.db'));
    const insert = db.prepare(
      `INSERT INTO jobs (id, kind, lane, title, state, params_json, created_at, updated_at, seq) VALUES (?, ?, ?, 't', ?, ?, 'x', 'x', ?)`,
    );
    insert.run('dead', 'test.sleep', 'A', 'running', '{"lane":"A","steps":1,"ms":1}', 1);
    insert.run('alive', 'test.reattach', 'pod', 'running', '{}', 2);
    insert.run('waiting', 'test.sleep', 'A', 'queued', '{"lane":"A","steps":1,"ms":1}', 3);
    insert.run('orphan', 'test.gone', 'A', 'queued', '{}', 4);
    db.close();

    const reclaimed: string[] = [];
    let release: (result: unknown) => void = () => undefined;
    const reattach: JobExecutor<Record<string, never>> = {
      kind: 'test.reattach',
      params: z.object({}) as unknown as z.ZodType<Record<string, never>>,
      lane: () => 'pod',
      title: () => 'training on a pod',
      run: () => Promise.reject(new Error('a reclaimed job is followed, never run again')),
      reclaim: (job) => {
        reclaimed.push(job.id);
        // Follow the work that kept going: it ends when the "pod" says so.
        return Promise.resolve(({ progress }) => {
          progress({ step: 7, total: 10, message: 'followed again', etaSeconds: 30 });
          return new Promise((r) => (release = r));
        });
      },
    };
    const log: string[] = [];
    studio = await makeStudio({ dataDir, executors: [sleeper(log), reattach] as unknown as JobExecutor<never>[] });
    await waitFor(() => studio!.jobs.get('waiting').state === 'succeeded');
    expect(studio.jobs.get('dead')).toMatchObject({ state: 'interrupted', error: { code: 'interrupted' } });
    expect(reclaimed).toEqual(['alive']);
    expect(studio.jobs.get('alive').state).toBe('running'); // its executor follows it now
    expect(log).toEqual(['start waiting', 'end waiting']);
    expect(studio.jobs.get('orphan')).toMatchObject({ state: 'interrupted', error: { code: 'unknown_kind' } });
    // The reclaimed work holds its lane and finishes the row through the job system.
    const blocked = studio.jobs.submit('test.sleep', { lane: 'pod', steps: 1, ms: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(studio.jobs.get(blocked.id).state).toBe('queued');
    release({ followed: true });
    await studio.jobs.whenIdle();
    expect(studio.jobs.get('alive')).toMatchObject({ state: 'succeeded', result: { followed: true }, progress: { step: 7, total: 10, etaSeconds: 30 } });
    expect(studio.jobs.get(blocked.id).state).toBe('succeeded');
  });

  test('queued jobs run in their lane’s order; reorder moves them, other lanes untouched; the order survives a restart', async () => {
    const dataDir = tempDir();
    studio = await makeStudio({ dataDir });
    const log: string[] = [];
    studio.jobs.register(sleeper(log));
    const blocker = studio.jobs.submit('test.sleep', { lane: 'A', steps: 400, ms: 5 });
    const [a, b, c, d] = [1, 2, 3, 4].map(() => studio!.jobs.submit('test.sleep', { lane: 'A', steps: 1, ms: 1 }));
    const other = studio.jobs.submit('test.sleep', { lane: 'B', steps: 400, ms: 5 });
    const ids = (jobs: Job[]) => jobs.map((j) => j.id);
    expect(ids(studio.jobs.queue('A'))).toEqual([a!.id, b!.id, c!.id, d!.id]);
    expect(ids(studio.jobs.reorder(d!.id, 'first'))).toEqual([d!.id, a!.id, b!.id, c!.id]);
    expect(ids(studio.jobs.reorder(a!.id, 'down'))).toEqual([d!.id, b!.id, a!.id, c!.id]);
    expect(ids(studio.jobs.reorder(c!.id, 'up'))).toEqual([d!.id, b!.id, c!.id, a!.id]);
    expect(ids(studio.jobs.reorder(d!.id, 2))).toEqual([b!.id, c!.id, d!.id, a!.id]);
    expect(ids(studio.jobs.reorder(b!.id, 'up'))).toEqual([b!.id, c!.id, d!.id, a!.id]); // already first: stays
    const r = await studio.dispatch('jobs.reorder', { id: a!.id, to: 'first' });
    expect(r.ok && ids(r.data as Job[])).toEqual([a!.id, b!.id, c!.id, d!.id]);
    // Only queued jobs move.
    expect(await studio.dispatch('jobs.reorder', { id: blocker.id, to: 'last' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(ids(studio.jobs.queue('B'))).toEqual([]);
    // The order survives a restart: a new studio runs them in that order.
    studio.jobs.reorder(c!.id, 'first');
    await studio.close();
    studio = await makeStudio({ dataDir, executors: [sleeper(log)] as unknown as JobExecutor<never>[] });
    await studio.jobs.whenIdle();
    const starts = log.filter((l) => l.startsWith('start ')).map((l) => l.slice(6));
    expect(starts.filter((id) => [a!.id, b!.id, c!.id, d!.id].includes(id))).toEqual([c!.id, a!.id, b!.id, d!.id]);
    expect(studio.jobs.get(other.id).state).toBe('cancelled');
  });

  test('clearFinished removes finished rows only', async () => {
    studio = await makeStudio();
    studio.jobs.register(sleeper([]));
    studio.jobs.submit('test.sleep', { lane: 'A', steps: 1, ms: 1 });
    await studio.jobs.whenIdle();
    const long = studio.jobs.submit('test.sleep', { lane: 'A', steps: 100, ms: 5 });
    const cleared: unknown[] = [];
    studio.events.subscribe((name, payload) => {
      if (name === 'jobs.cleared') cleared.push(payload);
    });
    expect(await studio.dispatch('jobs.clearFinished', {})).toEqual({ ok: true, data: { removed: 1 } });
    expect(cleared).toEqual([{ removed: 1 }]);
    const list = await studio.dispatch('jobs.list', {});
    expect(list.ok && (list.data as Job[]).map((j) => j.id)).toEqual([long.id]);
    studio.jobs.cancel(long.id);
  });
});

describe('database backup job', () => {
  test('produces a consistent copy with progress, through the contract', async () => {
    studio = await makeStudio();
    // Give it some pages to copy.
    const insert = studio.db.prepare(`INSERT INTO settings VALUES (?, ?, 'x')`);
    studio.db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`filler${i}`, JSON.stringify('x'.repeat(200)));
    })();
    const progress: number[] = [];
    studio.events.subscribe((name, payload) => {
      if (name === 'job.progress') progress.push((payload as { progress: { step: number } }).progress.step);
    });
    const r = await studio.dispatch('maintenance.backup', {});
    expect(r).toMatchObject({ ok: true, data: { kind: 'maintenance.backup', state: 'queued' } });
    await studio.jobs.whenIdle();
    const job = studio.jobs.get((r as { data: Job }).data.id);
    expect(job.state).toBe('succeeded');
    const { file, pages } = job.result as { file: string; pages: number };
    expect(pages).toBeGreaterThan(64);
    expect(progress.length).toBeGreaterThan(2);
    const copy = new Database(file, { readonly: true });
    expect(copy.prepare(`SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'filler%'`).get()).toEqual({ n: 3000 });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });

  test('a cancelled backup leaves no partial file', async () => {
    studio = await makeStudio();
    const insert = studio.db.prepare(`INSERT INTO settings VALUES (?, ?, 'x')`);
    studio.db.transaction(() => {
      for (let i = 0; i < 20000; i++) insert.run(`filler${i}`, JSON.stringify('y'.repeat(400)));
    })();
    const job = studio.jobs.submit('maintenance.backup', {});
    await waitFor(() => studio!.jobs.get(job.id).state === 'running');
    studio.jobs.cancel(job.id);
    await studio.jobs.whenIdle();
    expect(studio.jobs.get(job.id).state).toBe('cancelled');
    expect(fs.readdirSync(path.join(studio.info.dataDir, 'backups'))).toEqual([]);
  });
});
