// The queue. Work is registered per kind by later capabilities (generation, tagging,
// training); each job runs in a lane, and a lane runs one job at a time (one GPU, one
// runtime). A lane's queued jobs run in the order of their persisted position (submission
// order unless reordered). Cancellation is an AbortSignal handed to the executor; a job
// whose signal fired ends as cancelled whatever the executor threw. Work that outlives the
// studio (a detached training) ends its run with DetachedError on close; at the next start
// the executor's reclaim answers how to follow it, and it runs in its lane again.
import type { z } from 'zod';
import type { Job, JobProgress } from '@shared/contract';
import { StudioError } from '../core/studio-error';
import type { Logger } from '../logging/logger';
import type { BilledJob, JobBilling } from './job-billing';
import type { JobRepo, StoredJob } from './job-repo';

export interface JobContext<P> {
  job: StoredJob;
  params: P;
  /** Fires with a CancelledError on cancel, with a ShutdownError when the studio closes. */
  signal: AbortSignal;
  progress(p: Partial<JobProgress> & { step: number }): void;
  /** Remember where the work lives (pod, remote pid…) so a restarted studio can reattach. */
  setRemoteRef(host: string | null, ref: unknown): void;
  /**
   * The USD/h this job is billed at from now on (work that rents its GPU itself learns the
   * rate mid-run: "Train on RunPod" creates its pod). Its cost is the last rate x its running
   * seconds (job-billing.ts).
   */
  setRate(usdPerHour: number | null): void;
  log: Logger;
}

/** How a job is carried out (run) or taken back after a restart (reclaim's answer). */
export type JobWork<P> = (ctx: JobContext<P>) => Promise<unknown>;

export interface JobExecutor<P> {
  kind: string;
  params: z.ZodType<P>;
  lane(params: P): string;
  title(params: P): string;
  run: JobWork<P>;
  /**
   * Called at start-up for a row left 'running'. When the work is still alive (a training
   * that kept going on its host), answer how to follow it to its end: that runs in the job's
   * lane like `run` (progress, cancel, result), holding the lane until it ends. Answer null
   * to have the row marked interrupted.
   */
  reclaim?(job: StoredJob): Promise<JobWork<P> | null>;
  /** A queued job of this kind ended without running (cancelled, or shut out): undo what submit prepared. */
  dropped?(job: StoredJob): void;
  /** The order of a lane's queued jobs of this kind changed (submit, cancel, reorder, start). */
  queueChanged?(lane: string, queued: readonly StoredJob[]): void;
}

export interface JobEvents {
  updated(job: Job): void;
  progress(jobId: string, progress: JobProgress): void;
}

interface Lane {
  running: string | null;
  /** Ids waiting in this studio; their order is the rows' position (JobRepo.queued). */
  queue: Set<string>;
}

/** Where reorder puts a queued job: one place up or down, first or last, or at an index (0 = next). */
export type QueueMove = 'up' | 'down' | 'first' | 'last' | number;

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortError';
  }
}

/** The studio is closing: work that outlives it (a detached training) is left for reclaim. */
export class ShutdownError extends Error {
  constructor() {
    super('The studio is closing.');
    this.name = 'AbortError';
  }
}

/**
 * Thrown by an executor whose work goes on without the studio (it stopped only following):
 * the row stays 'running' and the next studio's reconcile hands it to `reclaim`.
 */
export class DetachedError extends Error {
  constructor(message = 'detached; the work goes on') {
    super(message);
    this.name = 'DetachedError';
  }
}

export class JobService {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogenous registry; params are parsed per kind
  private readonly executors = new Map<string, JobExecutor<any>>();
  private readonly lanes = new Map<string, Lane>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly idle = new Set<() => void>();
  private closed = false;
  private billing: JobBilling = {};

  constructor(
    private readonly repo: JobRepo,
    private readonly events: JobEvents,
    private readonly log: Logger,
    private readonly progressPersistMs = 250,
  ) {}

  /** Cost and budget hooks (job-billing.ts), given by the composition once the RunPod service exists. */
  useBilling(billing: JobBilling): void {
    this.billing = billing;
  }

  /** Jobs running in this studio now (their lanes tell which pod they use). */
  runningJobs(): StoredJob[] {
    const ids = [...this.lanes.values()].map((l) => l.running).filter((id): id is string => id !== null);
    // A job whose row is final no longer counts, though its lane is freed a moment later.
    return ids.map((id) => this.repo.get(id)).filter((j): j is StoredJob => j?.state === 'running');
  }

  /** A job runs or waits in this lane. */
  laneBusy(name: string): boolean {
    const lane = this.lanes.get(name);
    return !!lane && (lane.running !== null || lane.queue.size > 0);
  }

  register<P>(executor: JobExecutor<P>): void {
    if (this.executors.has(executor.kind)) throw new Error(`job kind ${executor.kind} registered twice`);
    this.executors.set(executor.kind, executor);
  }

  submit(kind: string, params: unknown): Job {
    if (this.closed) throw new StudioError('unavailable', 'The studio is shutting down.');
    const executor = this.executors.get(kind);
    if (!executor) throw new StudioError('not_found', `No job kind ${kind}.`);
    const parsed = executor.params.safeParse(params);
    if (!parsed.success) throw new StudioError('invalid_input', `${kind}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const lane = executor.lane(parsed.data);
    const refusal = this.refusal({ kind, lane, params: parsed.data as Record<string, unknown> });
    if (refusal) throw new StudioError('conflict', refusal.message);
    const job = this.repo.insert({
      kind,
      lane,
      title: executor.title(parsed.data),
      params: parsed.data as Record<string, unknown>,
    });
    this.events.updated(job);
    this.enqueue(job);
    return job;
  }

  get(id: string): StoredJob {
    const job = this.repo.get(id);
    if (!job) throw new StudioError('not_found', `No job ${id}.`, 'id');
    return job;
  }

  list(opts: Parameters<JobRepo['list']>[0]): StoredJob[] {
    return this.repo.list(opts);
  }

  cancel(id: string): StoredJob {
    const job = this.get(id);
    if (job.state === 'queued') {
      this.lanes.get(job.lane)?.queue.delete(id);
      const done = this.repo.finish(id, 'cancelled', { error: { code: 'cancelled', message: 'Cancelled before it started.' } });
      this.events.updated(done);
      this.drop(done);
      this.queueChanged(done.lane, done.kind);
      this.checkIdle();
      return done;
    }
    if (job.state === 'running') {
      const controller = this.controllers.get(id);
      if (!controller) throw new StudioError('conflict', 'This job is not running in this studio (it may belong to a pod that is not attached).');
      controller.abort(new CancelledError());
      return job;
    }
    throw new StudioError('conflict', `The job already ended (${job.state}).`);
  }

  /** A lane's queued jobs in the order they will run. */
  queue(lane: string): StoredJob[] {
    return this.repo.queued(lane);
  }

  /** Move a queued job within its lane; answers the lane's queue in its new order. */
  reorder(id: string, to: QueueMove): StoredJob[] {
    const job = this.get(id);
    if (job.state !== 'queued') throw new StudioError('conflict', `Only a queued job can be moved (this one is ${job.state}).`, 'id');
    const order = this.repo.queued(job.lane).map((j) => j.id);
    const from = order.indexOf(id);
    const last = order.length - 1;
    const target =
      to === 'up' ? from - 1 : to === 'down' ? from + 1 : to === 'first' ? 0 : to === 'last' ? last : to;
    const index = Math.max(0, Math.min(last, target));
    if (index !== from) {
      order.splice(from, 1);
      order.splice(index, 0, id);
      this.repo.reorder(order);
      this.events.updated(this.repo.require(id));
      this.queueChanged(job.lane, job.kind);
    }
    return this.repo.queued(job.lane);
  }

  clearFinished(): number {
    return this.repo.deleteFinished();
  }

  /**
   * Start-up: rows left 'running' are given to their executor to reclaim (a pod training
   * that kept going); the rest become 'interrupted'. Rows left 'queued' are queued again.
   */
  async reconcile(): Promise<{ reclaimed: number; interrupted: number; requeued: number }> {
    let reclaimed = 0;
    let interrupted = 0;
    let requeued = 0;
    const running = this.repo.list({ states: ['running'], limit: 10_000 });
    // Asked together: one slow host must not hold up the others.
    const answers = await Promise.all(
      running.map(async (job) => {
        try {
          return (await this.executors.get(job.kind)?.reclaim?.(job)) ?? null;
        } catch (err) {
          this.log.warn(`could not reclaim job ${job.id}`, err);
          return null;
        }
      }),
    );
    running.forEach((job, i) => {
      const work = answers[i];
      if (work && !this.closed) {
        reclaimed++;
        const lane = this.laneOf(job.lane);
        lane.running = job.id;
        void this.execute(job.id, work).finally(() => {
          lane.running = null;
          this.pump(job.lane);
        });
        return;
      }
      const row = this.repo.finish(job.id, 'interrupted', {
        error: { code: 'interrupted', message: 'The studio stopped while this job was running.' },
      });
      this.events.updated(row);
      interrupted++;
    });
    // All back in their lanes first, then started: each lane picks its first by position.
    const lanes = new Map<string, Set<string>>();
    for (const job of this.repo.list({ states: ['queued'], limit: 10_000 }).reverse()) {
      if (this.executors.has(job.kind)) {
        this.laneOf(job.lane).queue.add(job.id);
        lanes.set(job.lane, (lanes.get(job.lane) ?? new Set<string>()).add(job.kind));
        requeued++;
      } else {
        this.events.updated(
          this.repo.finish(job.id, 'interrupted', { error: { code: 'unknown_kind', message: `No handler for ${job.kind} any more.` } }),
        );
        interrupted++;
      }
    }
    for (const [lane, kinds] of lanes) {
      for (const kind of kinds) this.queueChanged(lane, kind);
      this.pump(lane);
    }
    if (reclaimed + interrupted + requeued > 0) {
      this.log.info(`reconciled jobs: ${reclaimed} reclaimed, ${interrupted} interrupted, ${requeued} re-queued`);
    }
    return { reclaimed, interrupted, requeued };
  }

  /** Resolves when no job is queued or running. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** Stop taking work and cancel what runs; rows of work that outlives us stay for reconcile. */
  async close(): Promise<void> {
    this.closed = true;
    for (const lane of this.lanes.values()) lane.queue.clear();
    for (const c of this.controllers.values()) c.abort(new ShutdownError());
    await this.whenIdle();
  }

  private isIdle(): boolean {
    for (const lane of this.lanes.values()) if (lane.running || lane.queue.size > 0) return false;
    return true;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    for (const cb of this.idle) cb();
    this.idle.clear();
  }

  private laneOf(name: string): Lane {
    const lane = this.lanes.get(name) ?? { running: null, queue: new Set<string>() };
    this.lanes.set(name, lane);
    return lane;
  }

  private enqueue(job: StoredJob): void {
    this.laneOf(job.lane).queue.add(job.id);
    this.queueChanged(job.lane, job.kind);
    this.pump(job.lane);
  }

  private pump(laneName: string): void {
    const lane = this.lanes.get(laneName);
    if (!lane || lane.running || this.closed) {
      this.checkIdle();
      return;
    }
    const next = this.repo.queued(laneName).find((j) => lane.queue.has(j.id));
    if (!next) {
      this.checkIdle();
      return;
    }
    lane.queue.delete(next.id);
    const refusal = this.refusal(next);
    if (refusal) {
      // Refused at its turn (a budget cap): it ends failed, with the reason, and the next one is asked.
      const done = this.repo.finish(next.id, 'failed', { error: refusal });
      this.events.updated(done);
      this.drop(done);
      this.ended(done);
      this.queueChanged(laneName, next.kind);
      this.pump(laneName);
      return;
    }
    lane.running = next.id;
    void this.execute(next.id).finally(() => {
      lane.running = null;
      this.pump(laneName);
    });
    this.queueChanged(laneName, next.kind);
  }

  private refusal(job: BilledJob): { code: string; message: string } | null {
    try {
      return this.billing.refuse?.(job) ?? null;
    } catch (err) {
      this.log.warn(`budget check for a ${job.kind} job in ${job.lane}`, err);
      return null;
    }
  }

  private ended(job: StoredJob): void {
    try {
      this.billing.ended?.(job);
    } catch (err) {
      this.log.warn(`after job ${job.id}`, err);
    }
  }

  private rateOf(job: StoredJob): number | null {
    try {
      return this.billing.rate?.(job) ?? null;
    } catch (err) {
      this.log.warn(`rate of job ${job.id}`, err);
      return null;
    }
  }

  private drop(job: StoredJob): void {
    try {
      this.executors.get(job.kind)?.dropped?.(job);
    } catch (err) {
      this.log.warn(`dropping job ${job.id}`, err);
    }
  }

  private queueChanged(lane: string, kind: string): void {
    const executor = this.executors.get(kind);
    if (!executor?.queueChanged) return;
    try {
      executor.queueChanged(lane, this.repo.queued(lane).filter((j) => j.kind === kind));
    } catch (err) {
      this.log.warn(`queue change in ${lane}`, err);
    }
  }

  /** Run a queued job, or (work given) follow a reclaimed one whose row is already 'running'. */
  private async execute(id: string, work?: JobWork<unknown>): Promise<void> {
    const row = this.repo.require(id);
    const executor = this.executors.get(row.kind);
    if (!executor) return;
    const controller = new AbortController();
    this.controllers.set(id, controller);
    const job = work ? row : this.repo.markRunning(id);
    this.events.updated(job);
    const log = this.log.child(`${job.kind}:${id.slice(0, 8)}`);
    let lastPersist = 0;
    let pending: JobProgress | null = null;
    let rate = this.rateOf(job);
    const ctx: JobContext<unknown> = {
      job,
      params: executor.params.parse(job.params),
      signal: controller.signal,
      log,
      setRemoteRef: (host, ref) => this.repo.setRemoteRef(id, host, ref),
      setRate: (usdPerHour) => {
        rate = usdPerHour;
      },
      progress: (p) => {
        const total = p.total ?? null;
        const progress: JobProgress = {
          step: p.step,
          total,
          fraction: p.fraction ?? (total && total > 0 ? Math.min(1, p.step / total) : null),
          message: p.message ?? null,
          etaSeconds: p.etaSeconds ?? null,
        };
        this.events.progress(id, progress);
        pending = progress;
        const now = Date.now();
        if (now - lastPersist >= this.progressPersistMs) {
          this.repo.saveProgress(id, progress);
          lastPersist = now;
          pending = null;
        }
      },
    };
    let finished: StoredJob;
    // A pod that was stopped when the job began (the job started it) has its rate known by now.
    const finalRate = () => rate ?? this.rateOf(job);
    try {
      const result = await (work ? work(ctx) : executor.run(ctx));
      if (pending) this.repo.saveProgress(id, pending);
      finished = this.repo.finish(id, 'succeeded', { result: result ?? null, ratePerHour: finalRate() });
    } catch (err) {
      if (pending) this.repo.saveProgress(id, pending);
      if (err instanceof DetachedError) {
        // The work goes on without us; the row stays 'running' for the next reconcile.
        log.info(err.message);
        this.controllers.delete(id);
        return;
      }
      if (controller.signal.aborted) {
        finished = this.repo.finish(id, 'cancelled', { error: { code: 'cancelled', message: 'Cancelled.' }, ratePerHour: finalRate() });
      } else {
        const message = err instanceof Error ? err.message : String(err);
        const code = err instanceof StudioError ? err.code : ((err as { code?: unknown })?.code?.toString() ?? 'failed');
        log.error('job failed', err);
        finished = this.repo.finish(id, 'failed', { error: { code, message }, ratePerHour: finalRate() });
      }
    } finally {
      this.controllers.delete(id);
    }
    this.events.updated(finished);
    this.ended(finished);
  }
}
