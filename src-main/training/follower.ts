// Following a launched run: read its log on the host from the stored byte offset (progress,
// saves, samples, resume, OOM, end), mirror it, pull samples and checkpoints, and notice the
// end (exit_code file, or the process gone). A lost link is reopened with backoff; a target
// that cannot be reached is waited for. Stop (the job's cancel) signals the process group
// gracefully; the studio closing only stops following (DetachedError: the run goes on and
// the next studio reclaims its job). The stall guard: a running run whose step has not
// advanced for Settings.trainingStallMinutes (before its first step: whose log has not grown)
// is reported stalled, and its RunPod pod stopped when Settings.stopPodOnStall says so
// (docs/architecture.md, "Cost, budget and stall guard").
import type { Logger } from '../logging/logger';
import type { Host } from '../hosts/host';
import { DetachedError, ShutdownError } from '../jobs/job-service';
import { ArtifactPuller } from './artifacts';
import { groupGone, isAlive, readExitCode, readPid, runFiles, signalGroup, type RunFiles } from './launcher';
import { LogParser, type LogEvent } from './log-parser';
import { lossLogPath, readLossLog } from './loss-log';
import type { RunBook } from './run-book';
import { applyLogEvents, conclude } from './run-log';
import type { RentedPods } from './rented-pods';
import type { RunRow } from './training-repo';
import type { TrainingTarget, TrainingTargets } from './targets';

export interface FollowDeps {
  book: RunBook;
  targets: TrainingTargets;
  log: Logger;
  /** How often the log is read while nothing new arrives (ms). */
  pollMs: number;
  /** SIGINT → SIGTERM → SIGKILL spacing (ms). */
  stopGraceMs: number;
  /** The stall guard: after how long without a new step a run is stalled, and whether its pod is stopped then. */
  stall(): { afterMs: number; stopPod: boolean };
  /** RunPod pods behind targets (null: none wired). */
  rented(): RentedPods | null;
}

const LOG_CHUNK = 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const isTerminator = (b: number) => b === 0x0a || b === 0x0d;

export class RunFollower {
  private target: TrainingTarget | null;
  private wakeUp: () => void = () => undefined;
  private detached = false;
  private abandoned = false;
  private stopSent = false;
  /** loss_log.db rows read so far: ai-toolkit steps ≤ this (loss-log.ts). */
  private lossCursor = -1;
  /** After "Found step N": wait for the bar to pass N + 1 (ai-toolkit has pruned its old rows by then). */
  private lossHoldUntil: number | null = null;
  private lastLossRead = 0;
  /** The stall guard's clock: the last step seen and when it (or, before the first step, the log) last moved. */
  private lastStep: number | null = null;
  private lastActivity = Date.now();

  constructor(
    private readonly deps: FollowDeps,
    readonly runId: string,
    private readonly signal: AbortSignal,
    target: TrainingTarget | null,
  ) {
    this.target = target;
    if (target) deps.book.attached.add(runId);
    signal.addEventListener('abort', () => this.wake(), { once: true });
  }

  wake(): void {
    this.wakeUp();
  }

  /** Stop following; the run goes on (the studio is closing). */
  detach(): void {
    this.detached = true;
    this.wake();
  }

  /** Give up on a run whose host is gone: it ends as stopped. */
  abandon(): void {
    this.abandoned = true;
    this.wake();
  }

  /** Follow to the end; answers the finished row. */
  async follow(): Promise<RunRow> {
    try {
      return await this.loop();
    } finally {
      this.deps.book.attached.delete(this.runId);
      this.deps.book.stalled.delete(this.runId);
      const t = this.target;
      this.target = null;
      await t?.release().catch(() => undefined);
    }
  }

  private leaving(): boolean {
    return this.detached || this.signal.reason instanceof ShutdownError;
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      this.wakeUp = () => (clearTimeout(t), r());
    });
  }

  private async loop(): Promise<RunRow> {
    const { book } = this.deps;
    const id = this.runId;
    const start = book.require(id);
    const files = runFiles(start.training_folder, start.id);
    const parser = new LogParser(start.id);
    const artifacts = new ArtifactPuller(id, book.files.dir(id));
    let readOffset = start.log_offset;
    let carry = 0; // bytes read past the last line terminator (re-read after a restart)
    let mirrorPending: Buffer = Buffer.alloc(0);
    let lastArtifacts = 0;
    let lastLiveness = 0;
    let failures = 0;
    const points = book.repo.points(id);
    this.lossCursor = points.length > 0 ? (points[points.length - 1]?.step ?? 1) - 1 : -1;
    for (;;) {
      if (this.leaving()) throw new DetachedError(`run ${id}: stopped following at log offset ${book.require(id).log_offset}; it goes on on its host`);
      if (this.abandoned) return book.finish(id, 'stopped', { message: 'marked as stopped' });
      if (!this.target) {
        await this.reopen(++failures);
        continue;
      }
      const host = this.target.host;
      if (this.signal.aborted && !this.stopSent) this.requestStop(host);
      try {
        const chunk = (await host.stat(files.log)) ? await host.readFile(files.log, { start: readOffset, maxBytes: LOG_CHUNK }) : Buffer.alloc(0);
        let artifactsDue = Date.now() - lastArtifacts > 2000;
        let events: LogEvent[] = [];
        if (chunk.length > 0) {
          readOffset += chunk.length;
          let last = chunk.length - 1;
          while (last >= 0 && !isTerminator(chunk[last] as number)) last--;
          carry = last >= 0 ? chunk.length - 1 - last : carry + chunk.length;
          events = parser.push(chunk);
          // The mirror gets complete lines only, so a reattach from the committed offset appends no duplicates.
          mirrorPending = Buffer.concat([mirrorPending, chunk]);
          book.files.appendMirror(id, mirrorPending.subarray(0, mirrorPending.length - carry));
          mirrorPending = mirrorPending.subarray(mirrorPending.length - carry);
          this.noteResume(events);
          if (applyLogEvents(book, id, events, readOffset - carry)) artifactsDue = true;
        }
        const stalledEnd = await this.checkStall(chunk.length > 0);
        if (stalledEnd) return stalledEnd;
        const progressed = events.some((e) => e.type === 'progress');
        if ((progressed && Date.now() - this.lastLossRead > 300) || Date.now() - this.lastLossRead > 2000) await this.readLoss(false);
        if (artifactsDue) {
          await artifacts.pull(host, files, false);
          lastArtifacts = Date.now();
        }
        if (chunk.length === 0 && Date.now() - lastLiveness > 1000) {
          lastLiveness = Date.now();
          const ended = await this.checkEnded(host, files);
          if (ended) {
            // Drain what the process wrote last, then finish.
            book.files.appendMirror(id, mirrorPending);
            mirrorPending = Buffer.alloc(0);
            for (;;) {
              const rest = await host.readFile(files.log, { start: readOffset, maxBytes: LOG_CHUNK });
              if (rest.length === 0) break;
              readOffset += rest.length;
              book.files.appendMirror(id, rest);
              const more = parser.push(rest);
              this.noteResume(more);
              applyLogEvents(book, id, more, readOffset);
            }
            applyLogEvents(book, id, parser.flush(), readOffset);
            await this.readLoss(true);
            await artifacts.pull(host, files, true);
            return conclude(book, id, ended.exitCode);
          }
        }
        if (failures > 0) book.patch(id, { message: 'reattached' });
        failures = 0;
        if (chunk.length < LOG_CHUNK) await this.pause(this.deps.pollMs);
      } catch (err) {
        failures++;
        if (this.leaving() || this.abandoned) continue;
        this.deps.log.warn(`run ${id}: lost the link (${(err as Error).message}); retrying`);
        book.patch(id, { message: `connection lost — reattaching (${(err as Error).message})` });
        await this.pause(Math.min(10_000, 250 * 2 ** Math.min(failures, 6)));
        // Ask the provider for a fresh host (a new SSH link); keep the old one when that fails too.
        try {
          const fresh = await this.deps.targets.open(book.require(id).target);
          await this.target?.release().catch(() => undefined);
          this.target = fresh;
        } catch {
          // still down: next round
        }
      }
    }
  }

  /**
   * The stall guard. Answers the finished row when it stopped the run's pod (the run ends
   * failed, code "stalled", resumable); null while following goes on.
   */
  private async checkStall(logGrew: boolean): Promise<RunRow | null> {
    const { book } = this.deps;
    const id = this.runId;
    const r = book.require(id);
    const now = Date.now();
    if (r.step !== this.lastStep) {
      const first = this.lastStep === null;
      this.lastStep = r.step;
      if (!first) this.lastActivity = now;
      if (!first && book.stalled.delete(id)) {
        this.deps.log.info(`run ${id}: moving again at step ${r.step} after a stall`);
        book.emit(book.require(id));
      }
      return null;
    }
    // Loading, downloading, caching latents: before the first step, output is activity.
    if (logGrew && r.step <= 0) this.lastActivity = now;
    if (r.state !== 'running' || book.stalled.has(id)) return null;
    const { afterMs, stopPod } = this.deps.stall();
    if (now - this.lastActivity < afterMs) return null;
    const span = afterMs >= 60_000 ? `${Math.round(afterMs / 60_000)} min` : `${Math.round(afterMs / 1000)} s`;
    const what = r.step > 0 ? `step ${r.step}/${r.total} has not advanced for ${span}` : `no step and no output for ${span}`;
    book.stalled.set(id, new Date(now).toISOString());
    this.deps.log.warn(`run ${id}: stalled (${what})`);
    const rented = this.deps.rented();
    const pod = rented?.podOf(r.target) ?? null;
    if (!stopPod || !pod) {
      book.patch(id, { message: `stalled: ${what}. Stop it, or wait${pod ? ' (stopPodOnStall is off: the pod keeps running)' : ''}` });
      return null;
    }
    book.patch(id, { message: `stalled: ${what}; stopping pod ${pod.name}` });
    try {
      await rented?.stop(pod.runpodId);
    } catch (err) {
      book.patch(id, { message: `stalled: ${what}; could not stop pod ${pod.name}: ${(err as Error).message}` });
      return null;
    }
    book.stalled.delete(id);
    return book.finish(id, 'failed', {
      error_code: 'stalled',
      error_message: `Stalled: ${what}, so pod ${pod.name} was stopped (Settings: stopPodOnStall). Resume the run to go on from its last checkpoint.`,
    });
  }

  /** "Found step N": ai-toolkit rewrites its log from step N on; so does the chart. */
  private noteResume(events: LogEvent[]): void {
    for (const e of events) {
      if (e.type === 'resumed') {
        this.deps.book.repo.deletePointsAfter(this.runId, e.step + 1);
        this.lossCursor = Math.min(this.lossCursor, e.step);
        this.lossHoldUntil = e.step + 2;
      } else if (e.type === 'progress' && this.lossHoldUntil !== null && e.step >= this.lossHoldUntil) {
        this.lossHoldUntil = null;
      }
    }
  }

  /** New loss_log.db rows → loss points (the chart) and the row's loss. */
  private async readLoss(final: boolean): Promise<void> {
    const t = this.target;
    if (!t || (this.lossHoldUntil !== null && !final)) return;
    this.lastLossRead = Date.now();
    const { book } = this.deps;
    const r = book.require(this.runId);
    let rows;
    try {
      rows = await readLossLog(t.host, t.workspace.python, lossLogPath(r.training_folder, r.id), this.lossCursor);
    } catch (err) {
      // The chart waits for the next read; a lost link shows up in the log reads that follow.
      this.deps.log.warn(`run ${this.runId}: ${(err as Error).message}`);
      return;
    }
    if (rows.length === 0) return;
    this.lossCursor = (rows[rows.length - 1]?.step ?? 1) - 1;
    book.repo.transaction(() => {
      book.repo.addPoints(this.runId, rows);
      book.repo.update(this.runId, { loss: rows[rows.length - 1]?.loss ?? null });
    });
    book.emit(book.repo.require(this.runId));
  }

  /** No host yet (a restart while the pod was away): open it, or say what we wait for and wait. */
  private async reopen(attempt: number): Promise<void> {
    const { book } = this.deps;
    const r = book.require(this.runId);
    try {
      const target = await this.deps.targets.open(r.target);
      if (this.leaving() || this.abandoned) {
        await target.release().catch(() => undefined);
        return;
      }
      this.target = target;
      book.attached.add(this.runId);
      book.patch(this.runId, { host_label: target.label, message: 'reattached' });
      this.deps.log.info(`run ${this.runId}: reattached at log offset ${r.log_offset}`);
    } catch (err) {
      this.deps.log.warn(`run ${this.runId}: cannot reach ${r.target} now: ${(err as Error).message}`);
      book.patch(this.runId, { message: `waiting for ${r.target} (${(err as Error).message})` });
      await this.pause(Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)));
    }
  }

  /** Cancel of the job = Stop: SIGINT (ai-toolkit prints "Job stopped"), then TERM, then KILL; never mid-save. */
  private requestStop(host: Host): void {
    const { book } = this.deps;
    this.stopSent = true;
    const r = book.require(this.runId);
    if (r.state !== 'stopping' || !r.stop_requested) book.patch(this.runId, { state: 'stopping', stop_requested: 1, message: 'stopping' });
    if (!r.pid) return;
    void this.escalate(host, r.pid).catch((err: Error) => {
      this.deps.log.warn(`stopping ${this.runId}: ${err.message}`);
      this.stopSent = false; // try again on the next round (a new link)
    });
  }

  private async escalate(host: Host, pid: number): Promise<void> {
    const { book, stopGraceMs } = this.deps;
    const deadline = Date.now() + 60_000;
    while ((book.get(this.runId)?.message ?? '').startsWith('saving') && Date.now() < deadline) await sleep(200);
    for (const [sig, wait] of [['INT', stopGraceMs], ['TERM', stopGraceMs / 2], ['KILL', 0]] as const) {
      if (await groupGone(host, pid)) return;
      await signalGroup(host, pid, sig);
      this.deps.log.info(`run ${this.runId}: sent SIG${sig} to process group ${pid}`);
      const until = Date.now() + wait;
      while (Date.now() < until) {
        if (await groupGone(host, pid)) return;
        await sleep(100);
      }
    }
  }

  /** null while alive; the exit code (or null code) once the process is gone. */
  private async checkEnded(host: Host, files: RunFiles): Promise<{ exitCode: number | null } | null> {
    const exitCode = await readExitCode(host, files);
    if (exitCode !== null) return { exitCode };
    const row = this.deps.book.require(this.runId);
    const pid = row.pid ?? (await readPid(host, files));
    if (pid && (await isAlive(host, pid))) return null;
    // Gone without exit_code: killed (or just exiting: look once more).
    await sleep(200);
    const again = await readExitCode(host, files);
    return { exitCode: again };
  }
}
