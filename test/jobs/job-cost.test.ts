// What a job cost (GPU $/h x its running seconds, stored in jobs.cost_usd) and the billing
// gate (a refused job fails with the reason, at submit or at its turn). The rates here come
// from the hooks the composition gives the job system (src-main/jobs/job-billing.ts).
import Database from 'better-sqlite3';
import path from 'node:path';
import { z } from 'zod';
import { afterEach, describe, expect, test } from 'vitest';
import type { JobExecutor } from '../../src-main/jobs/job-service';
import { costOf } from '../../src-main/jobs/job-billing';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.close();
  studio = null;
});

type P = { lane: string; ms: number; rate?: number; fail?: boolean };
const sleeper: JobExecutor<P> = {
  kind: 'test.billed',
  params: z.object({ lane: z.string(), ms: z.number(), rate: z.number().optional(), fail: z.boolean().optional() }),
  lane: (p) => p.lane,
  title: (p) => `sleep ${p.ms} ms on ${p.lane}`,
  async run({ params, signal, setRate }) {
    if (params.rate !== undefined) setRate(params.rate);
    await new Promise((r) => setTimeout(r, params.ms));
    signal.throwIfAborted();
    if (params.fail) throw new Error('boom');
    return { ok: true };
  },
};

const seconds = (a: string | null, b: string | null) => (Date.parse(b as string) - Date.parse(a as string)) / 1000;

describe('job cost', () => {
  test('a job in a billed lane costs rate x running seconds, stored with the job and read back after a restart', async () => {
    const dataDir = tempDir();
    studio = await makeStudio({ dataDir });
    studio.jobs.register(sleeper);
    studio.jobs.useBilling({ rate: (job) => (job.lane === 'remote:rented' ? 3.6 : null) });
    const billed = studio.jobs.submit('test.billed', { lane: 'remote:rented', ms: 300 });
    const failed = studio.jobs.submit('test.billed', { lane: 'remote:rented', ms: 50, fail: true });
    const free = studio.jobs.submit('test.billed', { lane: 'local', ms: 20 });
    await studio.jobs.whenIdle();
    const b = studio.jobs.get(billed.id);
    expect(b.state).toBe('succeeded');
    // 3.6 $/h = 0.001 $/s: ~0.3 s -> ~0.0003 $, exactly rate x (finishedAt - startedAt) within rounding.
    expect(b.costUsd).toBeCloseTo(3.6 * (seconds(b.startedAt, b.finishedAt) / 3600), 5);
    expect(b.costUsd as number).toBeGreaterThan(0.00025);
    const f = studio.jobs.get(failed.id);
    expect(f.state).toBe('failed');
    expect(f.costUsd).toBeCloseTo(3.6 * (seconds(f.startedAt, f.finishedAt) / 3600), 5);
    expect(studio.jobs.get(free.id).costUsd).toBeNull();
    await studio.close();
    studio = null;
    const db = new Database(path.join(dataDir, 'studio.db'), { readonly: true });
    const row = db.prepare('SELECT cost_usd, started_at, finished_at FROM jobs WHERE id = ?').get(billed.id) as { cost_usd: number; started_at: string; finished_at: string };
    db.close();
    expect(row.cost_usd).toBe(b.costUsd);
    studio = await makeStudio({ dataDir });
    expect(studio.jobs.get(billed.id).costUsd).toBe(b.costUsd);
  });

  test('a job that learns its rate mid-run (it rented its GPU) is billed at that rate; the event carries the cost', async () => {
    studio = await makeStudio();
    studio.jobs.register(sleeper);
    const updates: { id: string; costUsd: number | null; state: string }[] = [];
    studio.events.subscribe((name, payload) => {
      if (name === 'job.updated') updates.push(payload as { id: string; costUsd: number | null; state: string });
    });
    const job = studio.jobs.submit('test.billed', { lane: 'training:new', ms: 100, rate: 7.2 });
    await studio.jobs.whenIdle();
    const done = studio.jobs.get(job.id);
    expect(done.costUsd).toBeCloseTo(7.2 * (seconds(done.startedAt, done.finishedAt) / 3600), 6);
    expect(updates.find((u) => u.id === job.id && u.state === 'succeeded')?.costUsd).toBe(done.costUsd);
  });

  test('costOf rounds to a millionth of a dollar and never goes below zero', () => {
    expect(costOf(0.69, 3600)).toBe(0.69);
    expect(costOf(2.49, 90)).toBe(0.06225);
    expect(costOf(1, -5)).toBe(0);
  });
});

describe('billing gate', () => {
  test('a refused job fails at submit with the reason; one refused at its turn ends failed without running, the lane goes on', async () => {
    studio = await makeStudio();
    studio.jobs.register(sleeper);
    let capped = false;
    const ran: string[] = [];
    studio.jobs.register({ ...sleeper, kind: 'test.mark', run: async (ctx) => (ran.push(ctx.job.id), null) });
    studio.jobs.useBilling({
      refuse: (job) => (capped && job.lane === 'remote:rented' ? { code: 'budget_cap', message: 'The session budget of $1.00 is reached.' } : null),
    });
    const first = studio.jobs.submit('test.billed', { lane: 'remote:rented', ms: 150 });
    const queued = studio.jobs.submit('test.mark', { lane: 'remote:rented', ms: 0 });
    const other = studio.jobs.submit('test.mark', { lane: 'local', ms: 0 });
    capped = true; // the cap is reached while the first one runs
    expect(() => studio?.jobs.submit('test.billed', { lane: 'remote:rented', ms: 1 })).toThrow(/session budget of \$1.00/);
    await studio.jobs.whenIdle();
    expect(studio.jobs.get(first.id).state).toBe('succeeded');
    expect(studio.jobs.get(queued.id)).toMatchObject({ state: 'failed', error: { code: 'budget_cap', message: 'The session budget of $1.00 is reached.' } });
    expect(ran).toEqual([other.id]);
  });

  test('ended is told of every finished job, refused ones included', async () => {
    studio = await makeStudio();
    studio.jobs.register(sleeper);
    const ended: string[] = [];
    studio.jobs.useBilling({ ended: (job) => ended.push(`${job.state}`) });
    studio.jobs.submit('test.billed', { lane: 'A', ms: 5 });
    studio.jobs.submit('test.billed', { lane: 'A', ms: 5, fail: true });
    await studio.jobs.whenIdle();
    expect(ended).toEqual(['succeeded', 'failed']);
  });
});
