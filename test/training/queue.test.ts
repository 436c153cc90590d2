// Trainings are jobs (kind training.run, lane training:<target>): the job carries the run's
// progress and ETA, cancel is Stop, runs on one target queue and go one after another in the
// order the user gives, and a studio restart mid-run reclaims the job (no 'interrupted').
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Job, JobProgress } from '@shared/contract';
import type { TrainingRun } from '@shared/contract/training';
import type { Studio } from '../../src-main/studio';
import { ENDED, newDataDir, planAndStart, waitRun } from './helpers';
import { studioPool } from './studio-pool';

const studios = studioPool();
const studioFor = (dataDir: string): Promise<Studio> => studios.open(dataDir);

const hostRunDir = (dataDir: string, name: string) => path.join(dataDir, 'training-host', 'trainings', name);
const run = (studio: Studio, id: string) => studio.training.list().find((r) => r.id === id) as TrainingRun;

describe('trainings as jobs', () => {
  test('a training is a training.run job whose progress carries step, total, ETA and message; cancelling the job stops the run gracefully', async () => {
    const dataDir = newDataDir('faces', 3);
    const studio = await studioFor(dataDir);
    const progress: JobProgress[] = [];
    let jobId = '';
    studio.events.subscribe((name, payload) => {
      const p = payload as { jobId: string; progress: JobProgress };
      if (name === 'job.progress' && p.jobId === jobId) progress.push(p.progress);
    });
    const started = await planAndStart(studio, { name: 'as_job', steps: 200, saveEvery: 100, sampleEvery: 100, stepSeconds: 0.1 });
    jobId = started.jobId as string;
    expect(jobId).toBeTruthy();
    expect(studio.jobs.get(jobId)).toMatchObject({ kind: 'training.run', lane: 'training:local', state: 'running', title: 'Train as_job' });
    await waitRun(studio, 'as_job', (r) => r.step >= 12);
    // The tray's view: the job's progress is the run's.
    const listed = await studio.dispatch('jobs.list', { states: ['running'] });
    const job = (listed.ok ? (listed.data as Job[]) : []).find((j) => j.id === jobId);
    expect(job?.progress).toMatchObject({ total: 200, message: 'training' });
    expect(job?.progress?.step).toBeGreaterThan(0); // persisted a few times a second
    const live = progress.filter((p) => p.step > 0);
    expect(live.at(-1)?.step).toBe(run(studio, 'as_job').step); // the event stream is live
    expect(live.length).toBeGreaterThan(3);
    expect(live.some((p) => (p.etaSeconds ?? 0) > 0 && p.fraction !== null && p.fraction > 0 && p.fraction < 1)).toBe(true);

    // Cancel = Stop: SIGINT, ai-toolkit prints "Job stopped", the run ends stopped, the job cancelled.
    expect(await studio.dispatch('jobs.cancel', { id: jobId })).toMatchObject({ ok: true });
    const stopped = await waitRun(studio, 'as_job', ENDED);
    expect(stopped.state).toBe('stopped');
    expect(stopped.error).toBeNull();
    expect(stopped.step).toBeLessThan(200);
    expect(studio.training.get('as_job').logTail.join('\n')).toMatch(/Job stopped/);
    await studio.jobs.whenIdle();
    expect(studio.jobs.get(jobId)).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' } });
  });

  test('runs on one target queue: one after another, reorder decides which runs next, a cancelled queued run never starts', async () => {
    const dataDir = newDataDir('faces', 3);
    const studio = await studioFor(dataDir);
    const first = await planAndStart(studio, { name: 'q_first', steps: 12, saveEvery: 100, sampleEvery: 100, stepSeconds: 0.1 });
    const b = await planAndStart(studio, { name: 'q_b', steps: 3, saveEvery: 100, sampleEvery: 100, stepSeconds: 0.05 });
    const c = await planAndStart(studio, { name: 'q_c', steps: 3, saveEvery: 100, sampleEvery: 100, stepSeconds: 0.05 });
    const d = await planAndStart(studio, { name: 'q_d', steps: 3, saveEvery: 100, sampleEvery: 100, stepSeconds: 0.05 });
    expect(first.state).toBe('preparing');
    for (const r of [b, c, d]) expect(r.state).toBe('queued');
    expect([b, c, d].map((r) => run(studio, r.id).queuePosition)).toEqual([1, 2, 3]);
    expect(studio.jobs.queue('training:local').map((j) => j.id)).toEqual([b.jobId, c.jobId, d.jobId]);

    // d to the front; c out of the queue.
    const moved = await studio.dispatch('jobs.reorder', { id: d.jobId as string, to: 'first' });
    expect(moved.ok && (moved.data as Job[]).map((j) => j.id)).toEqual([d.jobId, b.jobId, c.jobId]);
    expect([d, b, c].map((r) => run(studio, r.id).queuePosition)).toEqual([1, 2, 3]);
    expect(await studio.dispatch('jobs.cancel', { id: c.jobId as string })).toMatchObject({ ok: true, data: { state: 'cancelled' } });
    expect(run(studio, 'q_c')).toMatchObject({ state: 'stopped', queuePosition: null, message: 'taken out of the queue before it started' });
    expect([d, b].map((r) => run(studio, r.id).queuePosition)).toEqual([1, 2]);

    // While the first trains, nothing else has touched the host.
    await waitRun(studio, 'q_first', (r) => r.step >= 2);
    for (const name of ['q_b', 'q_c', 'q_d']) expect(fs.existsSync(hostRunDir(dataDir, name))).toBe(false);

    const endB = await waitRun(studio, 'q_b', ENDED);
    const endFirst = run(studio, 'q_first');
    const endD = run(studio, 'q_d');
    expect([endFirst.state, endD.state, endB.state]).toEqual(['completed', 'completed', 'completed']);
    // One after another, in the order given: first, then d, then b.
    const at = (iso: string | null) => Date.parse(iso as string);
    expect(at(endD.startedAt)).toBeGreaterThanOrEqual(at(endFirst.finishedAt));
    expect(at(endB.startedAt)).toBeGreaterThanOrEqual(at(endD.finishedAt));
    // The cancelled one never started.
    expect(fs.existsSync(hostRunDir(dataDir, 'q_c'))).toBe(false);
    expect(run(studio, 'q_c')).toMatchObject({ state: 'stopped', startedAt: null, step: 0 });
    await studio.jobs.whenIdle();
    expect(studio.jobs.get(c.jobId as string).startedAt).toBeNull();
    for (const r of [first, b, d]) expect(studio.jobs.get(r.jobId as string)).toMatchObject({ state: 'succeeded', result: { state: 'completed' } });
  });

  test('a studio restart mid-run reclaims the job (same job, followed again, not interrupted); the queue behind it waits, then runs', async () => {
    const dataDir = newDataDir('faces', 3);
    const firstStudio = await studioFor(dataDir);
    const a = await planAndStart(firstStudio, { name: 'r_a', steps: 24, saveEvery: 100, sampleEvery: 100, stepSeconds: 0.1 });
    const b = await planAndStart(firstStudio, { name: 'r_b', steps: 3, saveEvery: 100, sampleEvery: 100, stepSeconds: 0.05 });
    await waitRun(firstStudio, 'r_a', (r) => r.step >= 4);
    await firstStudio.close();
    studios.forget(firstStudio);

    const second = await studioFor(dataDir);
    const followed: JobProgress[] = [];
    second.events.subscribe((name, payload) => {
      const p = payload as { jobId: string; progress: JobProgress };
      if (name === 'job.progress' && p.jobId === a.jobId) followed.push(p.progress);
    });
    // Reclaimed through the job system: the same job, still running, its run followed again.
    expect(second.jobs.get(a.jobId as string)).toMatchObject({ state: 'running', kind: 'training.run' });
    expect(run(second, 'r_a')).toMatchObject({ state: 'running', attached: true, jobId: a.jobId });
    expect(run(second, 'r_b')).toMatchObject({ state: 'queued', queuePosition: 1 });
    expect(second.jobs.get(b.jobId as string).state).toBe('queued');
    await waitRun(second, 'r_a', (r) => r.step >= 8);
    // The reclaimed job reports the followed run's progress.
    expect(followed.some((p) => p.step >= 8 && p.total === 24 && (p.etaSeconds ?? 0) > 0)).toBe(true);
    expect(fs.existsSync(hostRunDir(dataDir, 'r_b'))).toBe(false);

    const endB = await waitRun(second, 'r_b', ENDED);
    const endA = run(second, 'r_a');
    expect(endA.state).toBe('completed');
    expect(endB.state).toBe('completed');
    expect(Date.parse(endB.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(endA.finishedAt as string));
    // Every step's loss as the (stand-in's) loss_log.db has it: ai-toolkit does not log its start step.
    expect(second.training.get('r_a').loss.map((p) => p.step)).toEqual(Array.from({ length: 23 }, (_, i) => i + 2));
    await second.jobs.whenIdle();
    expect(second.jobs.get(a.jobId as string)).toMatchObject({ state: 'succeeded', error: null });
  });
});
