// A training run is a job: kind "training.run", lane "training:<target>" (one run at a time
// per target; the rest wait in the lane's queue, in the order the user gives them). The job
// prepares and launches the run (or a resume), then follows it to its end, its progress (step,
// total, ETA, what it is doing) mirrored into the job's progress. Cancel = Stop. When the
// studio closes the job only stops following; the next studio's reconcile hands the row to
// reclaim, which follows the detached run again (or, for a run not launched yet, prepares and
// launches it again: it keeps its turn).
// On a RunPod pod ("Train on RunPod", docs/architecture.md) the job first creates the pod
// (target "runpod-new": the run's target becomes the new pod's) or starts it when stopped,
// bills the job at its GPU rate, and when the run ends or fails stops or terminates the pod
// (Settings.runpodAfterTraining) unless other jobs use it.
import { z } from 'zod';
import { RUNPOD_NEW_TARGET, RunpodTrainingPod } from '@shared/contract/training';
import type { Settings } from '@shared/contract';
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
    /** Target "runpod-new": the pod the job creates. */
    runpod: RunpodTrainingPod.optional(),
  })
  .strict();
export type TrainingJobParams = z.infer<typeof TrainingJobParams>;

export interface RunJobDeps extends FollowDeps {
  datasets: DatasetSource;
  /** The followers of this studio's running training jobs, by run id. */
  followers: Map<string, RunFollower>;
  /** What happens to a RunPod pod when its run ends or fails. */
  afterTraining(): Settings['runpodAfterTraining'];
}

/** A new pod's lane is its run's own: each creates its own pod, so they need not wait for each other. */
export function laneOf(p: Pick<TrainingJobParams, 'runId' | 'target' | 'runpod'>): string {
  return p.runpod && p.target === RUNPOD_NEW_TARGET ? `training:runpod-${p.runId}` : trainingLane(p.target);
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
    lane: laneOf,
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
        return watched(deps, ctx, () => releasingPod(deps, ctx, r.id, () => follow(deps, ctx, r.id, target)));
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
  let r = book.patch(runId, { state: 'preparing', job_id: ctx.job.id, finished_at: null, message: resume ? 'preparing to resume' : 'preparing' });
  return watched(deps, ctx, () => releasingPod(deps, ctx, runId, async () => {
    let target: TrainingTarget | null = null;
    try {
      r = await rentedPod(deps, ctx, runId);
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
  }));
}

/**
 * A run on RunPod: create its pod (target "runpod-new") or start it when stopped, with the
 * progress as the run's message; the job is billed at the pod's GPU rate from then on.
 * Answers the run's row (its target is the pod's once created).
 */
async function rentedPod(deps: RunJobDeps, ctx: JobContext<TrainingJobParams>, runId: string) {
  const { book } = deps;
  const rented = deps.rented();
  let r = book.require(runId);
  const say = (message: string) => book.patch(runId, { message });
  if (r.target === RUNPOD_NEW_TARGET) {
    const want = ctx.params.runpod;
    if (!rented || !want) throw failure('This run needs a new RunPod pod, but RunPod is not set up here (Settings → RunPod: API key).', 'unavailable');
    const why = rented.unavailable();
    if (why) throw failure(why, 'unavailable');
    say(`creating a RunPod pod on ${want.gpuTypeId}`);
    const pod = await rented.create({ name: `train-${runId}`.slice(0, 60), gpuTypeId: want.gpuTypeId, cloud: want.cloud }, ctx.signal, say);
    ctx.setRemoteRef(pod.targetId, { runId, runpodId: pod.runpodId });
    r = book.patch(runId, { target: pod.targetId, host_label: pod.name, gpu: pod.gpuId ?? want.gpuTypeId, message: `pod ${pod.name} is up` });
  }
  const pod = rented?.podOf(r.target) ?? null;
  if (!rented || !pod) return r;
  await rented.ensureRunning(r.target, ctx.signal, say);
  const now = rented.podOf(r.target) ?? pod;
  ctx.setRemoteRef(r.target, { runId, runpodId: now.runpodId });
  if (now.costPerHr !== null) {
    ctx.setRate(now.costPerHr);
    book.rates.set(runId, now.costPerHr);
  }
  return book.patch(runId, { gpu: now.gpuId ?? now.gpuName ?? r.gpu });
}

/** After `work` (the run ended or failed, not the studio closing): stop or terminate its RunPod pod, per Settings.runpodAfterTraining. */
async function releasingPod<T>(deps: RunJobDeps, ctx: JobContext<TrainingJobParams>, runId: string, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (err) {
    if (!(err instanceof DetachedError) && !(ctx.signal.reason instanceof ShutdownError)) await releasePod(deps, runId);
    throw err;
  }
  await releasePod(deps, runId);
  return result;
}

async function releasePod(deps: RunJobDeps, runId: string): Promise<void> {
  const { book } = deps;
  book.rates.delete(runId);
  const rented = deps.rented();
  const r = book.get(runId);
  const pod = r && rented ? rented.podOf(r.target) : null;
  if (!r || !rented || !pod) return;
  // The stall guard already stopped it.
  if (r.error_code === 'stalled') return;
  const action = deps.afterTraining();
  const note = (text: string) => book.patch(runId, { message: `${r.message ?? r.state} · ${text}` });
  if (action === 'keep') {
    note(`pod ${pod.name} left running (runpodAfterTraining: keep)`);
    return;
  }
  if (rented.busyWithOthers(r.target)) {
    note(`pod ${pod.name} left running: other jobs use it`);
    return;
  }
  try {
    if (action === 'terminate') await rented.terminate(pod.runpodId);
    else await rented.stop(pod.runpodId);
    deps.log.info(`run ${runId}: ${action === 'terminate' ? 'terminated' : 'stopped'} pod ${pod.name} (${pod.runpodId})`);
    note(action === 'terminate' ? `pod ${pod.name} terminated` : `pod ${pod.name} stopped`);
  } catch (err) {
    deps.log.warn(`run ${runId}: could not ${action} pod ${pod.name}: ${(err as Error).message}`);
    note(`could not ${action} pod ${pod.name}: ${(err as Error).message} — stop it on the Pods page`);
  }
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
