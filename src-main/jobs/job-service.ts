// The queue. Work is registered per kind by later capabilities (generation, tagging,
// training); each job runs in a lane, and a lane runs one job at a time (one GPU, one
// runtime). Cancellation is an AbortSignal handed to the executor; a job whose signal
// fired ends as cancelled whatever the executor threw.
import type { z } from 'zod';
import type { Job, JobProgress } from '@shared/contract';
import { StudioError } from '../core/studio-error';
import type { Logger } from '../logging/logger';
import type { JobRepo, StoredJob } from './job-repo';

export interface JobContext<P> {
  job: StoredJob;
  params: P;
  signal: AbortSignal;
  progress(p: Partial<JobProgress> & { step: number }): void;
  /** Remember where the work lives (pod, remote pid…) so a restarted studio can reattach. */
  setRemoteRef(host: string | null, ref: unknown): void;
  log: Logger;
}

export interface JobExecutor<P> {
  kind: string;
  params: z.ZodType<P>;
  lane(params: P): string;
  title(params: P): string;
  run(ctx: JobContext<P>): Promise<unknown>;
  /**
   * Called at start-up for a row left 'running'. Return true when the work is still alive
   * and this executor has taken it back (it then owns finishing the row).
   */
  reclaim?(job: StoredJob): Promise<boolean>;
}

export interface JobEvents {
  updated(job: Job): void;
  progress(jobId: string, progress: JobProgress): void;
}

interface Lane {
  running: string | null;
  queue: string[];
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortError';
  }
}

export class JobService {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogenous registry; params are parsed per kind
  private readonly executors = new Map<string, JobExecutor<any>>();
  private readonly lanes = new Map<string, Lane>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly idle = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly repo: JobRepo,
    private readonly events: JobEvents,
    private readonly log: Logger,
    private readonly progressPersistMs = 250,
  ) {}

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
    const job = this.repo.insert({
      kind,
      lane: executor.lane(parsed.data),
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
      const lane = this.lanes.get(job.lane);
      if (lane) lane.queue = lane.queue.filter((q) => q !== id);
      const done = this.repo.finish(id, 'cancelled', { error: { code: 'cancelled', message: 'Cancelled before it started.' } });
      this.events.updated(done);
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
    for (const job of this.repo.list({ states: ['running'], limit: 10_000 })) {
      const executor = this.executors.get(job.kind);
      let taken = false;
      try {
        taken = (await executor?.reclaim?.(job)) ?? false;
      } catch (err) {
        this.log.warn(`could not reclaim job ${job.id}`, err);
      }
      if (taken) {
        reclaimed++;
        continue;
      }
      const row = this.repo.finish(job.id, 'interrupted', {
        error: { code: 'interrupted', message: 'The studio stopped while this job was running.' },
      });
      this.events.updated(row);
      interrupted++;
    }
    for (const job of this.repo.list({ states: ['queued'], limit: 10_000 }).reverse()) {
      if (this.executors.has(job.kind)) {
        this.enqueue(job);
        requeued++;
      } else {
        this.events.updated(
          this.repo.finish(job.id, 'interrupted', { error: { code: 'unknown_kind', message: `No handler for ${job.kind} any more.` } }),
        );
        interrupted++;
      }
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
    for (const lane of this.lanes.values()) lane.queue = [];
    for (const c of this.controllers.values()) c.abort(new CancelledError());
    await this.whenIdle();
  }

  private isIdle(): boolean {
    for (const lane of this.lanes.values()) if (lane.running || lane.queue.length > 0) return false;
    return true;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    for (const cb of this.idle) cb();
    this.idle.clear();
  }

  private enqueue(job: StoredJob): void {
    const lane = this.lanes.get(job.lane) ?? { running: null, queue: [] };
    this.lanes.set(job.lane, lane);
    lane.queue.push(job.id);
    this.pump(job.lane);
  }

  private pump(laneName: string): void {
    const lane = this.lanes.get(laneName);
    if (!lane || lane.running || this.closed) {
      this.checkIdle();
      return;
    }
    const next = lane.queue.shift();
    if (!next) {
      this.checkIdle();
      return;
    }
    lane.running = next;
    void this.execute(next).finally(() => {
      lane.running = null;
      this.pump(laneName);
    });
  }

  private async execute(id: string): Promise<void> {
    const queued = this.repo.require(id);
    const executor = this.executors.get(queued.kind);
    if (!executor) return;
    const controller = new AbortController();
    this.controllers.set(id, controller);
    const job = this.repo.markRunning(id);
    this.events.updated(job);
    const log = this.log.child(`${job.kind}:${id.slice(0, 8)}`);
    let lastPersist = 0;
    let pending: JobProgress | null = null;
    const ctx: JobContext<unknown> = {
      job,
      params: executor.params.parse(job.params),
      signal: controller.signal,
      log,
      setRemoteRef: (host, ref) => this.repo.setRemoteRef(id, host, ref),
      progress: (p) => {
        const total = p.total ?? null;
        const progress: JobProgress = {
          step: p.step,
          total,
          fraction: p.fraction ?? (total && total > 0 ? Math.min(1, p.step / total) : null),
          message: p.message ?? null,
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
    try {
      const result = await executor.run(ctx);
      if (pending) this.repo.saveProgress(id, pending);
      finished = this.repo.finish(id, 'succeeded', { result: result ?? null });
    } catch (err) {
      if (pending) this.repo.saveProgress(id, pending);
      if (controller.signal.aborted) {
        finished = this.repo.finish(id, 'cancelled', { error: { code: 'cancelled', message: 'Cancelled.' } });
      } else {
        const message = err instanceof Error ? err.message : String(err);
        const code = err instanceof StudioError ? err.code : ((err as { code?: unknown })?.code?.toString() ?? 'failed');
        log.error('job failed', err);
        finished = this.repo.finish(id, 'failed', { error: { code, message } });
      }
    } finally {
      this.controllers.delete(id);
    }
    this.events.updated(finished);
  }
}
