// A training run is a job: kind "training.run", lane "training:<target>" (one run at a time
// per target; the rest wait in the lane's queue, in the order the user gives them). The job
// prepares and launches the run (or a resume), then follows it to its end, its progress (step,
// total, ETA, what it is doing) mirrored into the job's progress. Cancel = Stop. When the
// studio closes the job only stops following; the next studio's reconcile hands the row to
// reclaim, which follows the detached run again (or, for a run not launched yet, prepares and
// launches it again: it keeps its turn).
import { z } from 'zod';
import type { JobContext, JobExecutor, JobWork } from '../jobs/job-service';
import { DetachedError, ShutdownError } from '../jobs/job-service';
import type { StoredJob } from '../jobs/job-repo';
import { RunFollower, type FollowDeps } from './follower';
import { etaSeconds } from './log-parser';
import { ensureToolkit, launchRun, prepareResume, prepareRun } from './preparation';
import type { TrainingConfig } from './config';
import type { DatasetSource, TrainingTarget } from './targets';
import type { RunRow } from './training-repo';

export const TRAINING_JOB = 'training.run';
export const trainingLane = (target: string) => `training:${target}`;

export const TrainingJobParams = z
  .object({
    runId: z.string().min(1).max(64),
    target: z.string().min(1).max(100),
    /** Continue a launched run from its newest checkpoint (optionally to a new step count). */
    resume: z.boolean().optional(),
    steps: z.number().int().min(1).optional(),
  })
  .strict();
export type TrainingJobParams = z.infer<typeof TrainingJobParams>;

export interface RunJobDeps extends FollowDeps {
  datasets: DatasetSource;
  /** The followers of this studio's running training jobs, by run id. */
  followers: Map<string, RunFollower>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

function progressOf(r: RunRow) {
  return {
    step: Math.max(0, r.step),
    total: r.total > 0 ? r.total : null,
    message: r.message ?? r.state,
    etaSeconds: r.state === 'running' ? etaSeconds(r.step, r.total, r.seconds_per_step) : null,
  };
}

function failure(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

export function trainingExecutor(deps: RunJobDeps): JobExecutor<TrainingJobParams> {
  const { book } = deps;
  return {
    kind: TRAINING_JOB,
    params: TrainingJobParams,
    lane: (p) => trainingLane(p.target),
    title: (p) => `${p.resume ? 'Resume training' : 'Train'} ${p.runId}`,
    run: (ctx) => runJob(deps, ctx),
    async reclaim(job: StoredJob): Promise<JobWork<TrainingJobParams> | null> {
      const parsed = TrainingJobParams.safeParse(job.params);
      const r = parsed.success ? book.get(parsed.data.runId) : null;
      if (!r) return null;
      if (r.job_id !== job.id) return null;
      // Not launched yet (the studio closed or crashed while preparing): prepare and launch again.
      if (r.state === 'queued' || r.state === 'preparing' || ((r.state === 'running' || r.state === 'stopping') && !r.pid)) {
        deps.log.info(`run ${r.id}: was not launched when the studio stopped; starting it again`);
        return (ctx) => runJob(deps, ctx);
      }
      if (r.state !== 'running' && r.state !== 'stopping') return null;
      // Open the target now when it answers quickly (the run shows attached at once); a pod
      // that does not answer must not hold up start-up: the follower waits for it.
      let late = false;
      const opening = deps.targets.open(r.target);
      const target = await Promise.race([opening.catch(() => null), sleep(3000).then(() => ((late = true), null))]);
      if (late) void opening.then((t) => t.release()).catch(() => undefined);
      return (ctx) => {
        if (target) book.patch(r.id, { host_label: target.label, message: 'reattached' });
        deps.log.info(`run ${r.id}: reclaimed job ${job.id.slice(0, 8)} at log offset ${r.log_offset}`);
        return watched(deps, ctx, () => follow(deps, ctx, r.id, target));
      };
    },
    dropped(job) {
      const p = TrainingJobParams.safeParse(job.params);
      if (!p.success) return;
      book.queuePlaces.delete(p.data.runId);
      const r = book.get(p.data.runId);
      if (r?.state === 'queued') book.finish(r.id, 'stopped', { message: 'taken out of the queue before it started' });
    },
    queueChanged(lane, queued) {
      const now = new Map<string, number>();
      queued.forEach((j, i) => {
        const p = TrainingJobParams.safeParse(j.params);
        if (p.success) now.set(p.data.runId, i + 1);
      });
      const touched = new Set<string>();
      for (const [id] of book.queuePlaces) {
        if (!now.has(id) && book.get(id) && trainingLane(book.require(id).target) === lane) {
          book.queuePlaces.delete(id);
          touched.add(id);
        }
      }
      for (const [id, place] of now) {
        if (book.queuePlaces.get(id) === place) continue;
        book.queuePlaces.set(id, place);
        touched.add(id);
      }
      for (const id of touched) {
        const r = book.get(id);
        if (r) book.emit(r);
      }
    },
  };
}

/** Mirror the run's row into the job's progress while `work` runs. */
async function watched<T>(deps: RunJobDeps, ctx: JobContext<TrainingJobParams>, work: () => Promise<T>): Promise<T> {
  const id = ctx.params.runId;
  const unwatch = deps.book.watch(id, (row) => ctx.progress(progressOf(row)));
  ctx.progress(progressOf(deps.book.require(id)));
  try {
    return await work();
  } finally {
    unwatch();
  }
}

async function runJob(deps: RunJobDeps, ctx: JobContext<TrainingJobParams>): Promise<unknown> {
  const { book } = deps;
  const { runId, resume, steps } = ctx.params;
  book.queuePlaces.delete(runId);
  const r = book.patch(runId, { state: 'preparing', job_id: ctx.job.id, finished_at: null, message: resume ? 'preparing to resume' : 'preparing' });
  return watched(deps, ctx, async () => {
    let target: TrainingTarget | null = null;
    try {
      target = await deps.targets.open(r.target);
      if (resume && r.pid !== null) {
        // A pod restarted since (same volume): the install check is a no-op that costs one command.
        await ensureToolkit(book, runId, target, ctx.signal, deps.log);
        await prepareResume(book, runId, target, steps);
      } else {
        if (steps !== undefined) setSteps(deps, runId, steps);
        const ds = (await deps.datasets.list()).find((d) => d.name === r.dataset);
        if (!ds) throw failure(`No dataset named ${r.dataset}.`, 'not_found');
        await prepareRun(book, runId, target, ds.dir, ctx.signal, deps.log);
      }
      ctx.signal.throwIfAborted();
      await launchRun(book, runId, target);
    } catch (err) {
      await target?.release().catch(() => undefined);
      if (ctx.signal.reason instanceof ShutdownError) {
        // Keep its turn: the row stays with the job, which the next studio reclaims and starts again.
        book.patch(runId, { state: 'queued', message: 'waiting to start again (the studio closed before launch)' });
        throw new DetachedError(`run ${runId}: not launched yet; the next studio starts it again`);
      }
      if (ctx.signal.aborted) {
        book.finish(runId, 'stopped', { message: 'stopped before launch' });
      } else {
        const message = err instanceof Error ? err.message : String(err);
        deps.log.warn(`run ${runId} could not ${resume ? 'resume' : 'start'}: ${message}`);
        book.finish(runId, 'failed', { error_code: resume ? 'resume_failed' : 'start_failed', error_message: message });
      }
      throw ctx.signal.aborted ? (ctx.signal.reason as Error) : err;
    }
    return follow(deps, ctx, runId, target);
  });
}

function setSteps(deps: RunJobDeps, runId: string, steps: number): void {
  const config = JSON.parse(deps.book.require(runId).config_json) as TrainingConfig;
  const proc = config.config.process[0];
  if (proc) proc.train.steps = steps;
  deps.book.patch(runId, { config_json: JSON.stringify(config), total: steps });
}

/** Follow to the end; the job's outcome is the run's. */
async function follow(deps: RunJobDeps, ctx: JobContext<TrainingJobParams>, runId: string, target: TrainingTarget | null): Promise<unknown> {
  const follower = new RunFollower(deps, runId, ctx.signal, target);
  deps.followers.set(runId, follower);
  let end: RunRow;
  try {
    end = await follower.follow();
  } finally {
    if (deps.followers.get(runId) === follower) deps.followers.delete(runId);
  }
  switch (end.state) {
    case 'completed':
      return { runId, state: end.state, step: end.step, checkpoints: deps.book.files.checkpoints(runId).length };
    case 'stopped':
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw failure(`Run ${runId} ${end.message ?? 'stopped'}.`, 'stopped');
    default:
      throw failure(end.error_message ?? `Run ${runId} ended ${end.state}.`, end.error_code ?? end.state);
  }
}
