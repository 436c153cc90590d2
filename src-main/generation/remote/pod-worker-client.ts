// The warm worker, from the studio's side: one `worker.py` per pod connection, started with
// a fixed argv through Host.spawn, spoken to in JSON lines (native/pod/protocol.py, defined for
// the studio in pod-worker-protocol.ts): requests on stdin, events tagged with the request id on
// stdout, each parsed against the protocol (a malformed event fails its request with
// `worker_protocol`; an unknown one is logged and skipped).
//
// The worker's stdout goes to a file on the pod (<workspace>/flux-studio/run/worker-<session>.out)
// that a `tail -f` streams back over the channel, instead of straight into the channel. So
// when the SSH link drops mid-generation the worker can still write: it sees stdin close,
// finishes the image in hand and exits, and after reconnecting the studio reads that file
// for the request's `done` line (recoverResult) and fetches the image.
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { Host, HostProcess } from '../../hosts/host';
import type { Logger } from '../../logging/logger';
import { parseWorkerLine, WORKER_PROTOCOL, type DoneEvent, type GenerateMessage, type ReadyEvent, type WorkerEvent, type WorkerEventName, type WorkerLineProblem } from './pod-worker-protocol';

export { WORKER_PROTOCOL };
export type { DoneEvent, GenerateMessage, ReadyEvent, WorkerEvent };

/** The worker answered a request with an `error` event. */
export class WorkerRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerRequestError';
  }
}

/** The worker process ended, or the link to it dropped, with requests outstanding. */
export class WorkerGoneError extends Error {
  readonly code = 'worker_lost';
  constructor(
    message: string,
    readonly linkLost: boolean,
  ) {
    super(message);
    this.name = 'WorkerGoneError';
  }
}

export interface WorkerLaunch {
  python: string;
  /** <workspace>/flux-studio/worker.py */
  script: string;
  /** <workspace>/outputs */
  outputs: string;
  /** <workspace>/flux-studio/run */
  runDir: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
}

// Fixed (never user text): $1 stdout file, $2 stderr file, $3 pid file, then the worker argv.
// The worker reads the channel's stdin (via fd 3, as `&` would give it /dev/null) and writes a
// file; two `tail -f` stream the files back until it exits.
const LAUNCHER = [
  'out=$1; err=$2; pidf=$3; shift 3',
  ': > "$out"; : > "$err"',
  'exec 3<&0',
  '"$@" <&3 >"$out" 2>"$err" 3<&- &',
  'pid=$!',
  'echo "$pid" > "$pidf"',
  'tail -q -n +1 -f --pid="$pid" "$out" 3<&- &',
  'tail -q -n +1 -f --pid="$pid" "$err" >&2 3<&- &',
  'wait "$pid"; code=$?',
  'wait',
  'exit $code',
].join('\n');

interface Pending {
  onEvent(ev: WorkerEvent): void;
  resolve(ev: WorkerEvent): void;
  reject(err: Error): void;
  terminal: readonly string[];
}

/** The event a request ends with, by name (an `error` event rejects instead). */
type Terminal<N extends WorkerEventName> = Extract<WorkerEvent, { event: Exclude<N, 'error'> }>;

/** The client of one warm `worker.py` on a pod (over the pod's SSH connection). */
export class PodWorkerClient {
  readonly session = randomBytes(6).toString('hex');
  readonly outFile: string;
  readonly errFile: string;
  readonly pidFile: string;
  readonly ready: Promise<ReadyEvent>;
  state: 'starting' | 'ready' | 'gone' = 'starting';
  readyInfo: ReadyEvent | null = null;
  private proc: HostProcess;
  private readonly pending = new Map<string, Pending>();
  private stderrTail = '';
  private goneListeners = new Set<(err: WorkerGoneError) => void>();
  private goneError: WorkerGoneError | null = null;

  constructor(
    private readonly host: Host,
    readonly launch: WorkerLaunch,
    private readonly log: Logger,
  ) {
    const base = `${launch.runDir}/worker-${this.session}`;
    this.outFile = `${base}.out`;
    this.errFile = `${base}.err`;
    this.pidFile = `${base}.pid`;
    const argv = ['sh', '-c', LAUNCHER, 'sh', this.outFile, this.errFile, this.pidFile, launch.python, '-u', launch.script, '--outputs', launch.outputs, ...launch.args];
    this.proc = host.spawn(argv, { env: launch.env });
    let readyResolve: (r: ReadyEvent) => void = () => undefined;
    let readyReject: (e: Error) => void = () => undefined;
    this.ready = new Promise<ReadyEvent>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    this.ready.catch(() => undefined);

    const decoder = new StringDecoder('utf8');
    let buf = '';
    this.proc.stdout.on('data', (c: Buffer) => {
      buf += decoder.write(c);
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) this.onLine(line, readyResolve, readyReject);
      }
    });
    this.proc.stderr.on('data', (c: Buffer) => {
      const text = c.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-4000);
      for (const l of text.split('\n')) if (l.trim()) this.log.debug(`worker: ${l}`);
    });
    void this.proc.exited.then(({ code, signal, lost }) => {
      const why = lost
        ? `The connection to ${host.label} dropped while the worker was running.`
        : `The worker on ${host.label} exited (${signal ?? `code ${code}`}).${this.stderrTail.trim() ? ` Its last output: ${lastLines(this.stderrTail, 6)}` : ''}`;
      const err = new WorkerGoneError(why, lost);
      this.goneError = err;
      this.state = 'gone';
      readyReject(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      for (const l of this.goneListeners) l(err);
      this.goneListeners.clear();
    });
  }

  private onLine(line: string, readyResolve: (r: ReadyEvent) => void, readyReject: (e: Error) => void): void {
    const parsed = parseWorkerLine(line);
    if (!parsed.ok) {
      this.onProblem(parsed.problem, readyReject);
      return;
    }
    const ev = parsed.event;
    if (ev.event === 'ready') {
      if (ev.protocol !== WORKER_PROTOCOL) this.log.warn(`worker speaks protocol ${ev.protocol}, the studio ${WORKER_PROTOCOL}`);
      this.readyInfo = ev;
      this.state = 'ready';
      readyResolve(ev);
      return;
    }
    const id = typeof ev.id === 'string' ? ev.id : null;
    if (!id) {
      if (ev.event === 'error') this.log.warn(`worker error: ${ev.message}`);
      return;
    }
    const p = this.pending.get(id);
    if (!p) return;
    p.onEvent(ev);
    if (p.terminal.includes(ev.event)) {
      this.pending.delete(id);
      if (ev.event === 'error') p.reject(new WorkerRequestError(ev.code, ev.message));
      else p.resolve(ev);
    }
  }

  /**
   * A line that is not a protocol event the studio understands: reported, never cast. A
   * malformed `ready`, or a malformed event that would end a pending request, fails it with
   * `worker_protocol`; anything else is logged and skipped.
   */
  private onProblem(problem: WorkerLineProblem, readyReject: (e: Error) => void): void {
    const where = `The worker on ${this.host.label} sent a line the studio does not understand (${problem.message})`;
    this.log.warn(`worker: ${problem.message}`);
    if (problem.kind !== 'malformed_event') return;
    if (problem.event === 'ready' && this.state === 'starting') {
      readyReject(new WorkerRequestError('worker_protocol', `${where}. Run “Prepare pod” so that the pod has this studio's worker.`));
      return;
    }
    const p = problem.id !== null ? this.pending.get(problem.id) : undefined;
    if (!p || problem.event === null || !p.terminal.includes(problem.event)) return;
    this.pending.delete(problem.id as string);
    p.reject(new WorkerRequestError('worker_protocol', `${where}. Run “Prepare pod” so that the pod has this studio's worker.`));
  }

  get gone(): WorkerGoneError | null {
    return this.goneError;
  }

  onGone(listener: (err: WorkerGoneError) => void): () => void {
    if (this.goneError) {
      const e = this.goneError;
      queueMicrotask(() => listener(e));
      return () => undefined;
    }
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  private send(msg: object): void {
    if (this.goneError) throw this.goneError;
    this.proc.stdin.write(JSON.stringify(msg) + '\n');
  }

  /** Sends a request and resolves with its terminal event (done / pong…), rejects on error or loss. */
  request<N extends WorkerEventName>(msg: { id: string; type: string } & Record<string, unknown>, terminal: readonly N[], onEvent: (ev: WorkerEvent) => void = () => undefined): Promise<Terminal<N>> {
    if (this.goneError) return Promise.reject(this.goneError);
    if (this.pending.has(msg.id)) return Promise.reject(new Error(`request ${msg.id} is already running`));
    return new Promise<Terminal<N>>((resolve, reject) => {
      // Only an event named in `terminal` (and not `error`, which rejects) reaches resolve.
      this.pending.set(msg.id, { onEvent, resolve: (ev) => resolve(ev as Terminal<N>), reject, terminal });
      try {
        this.send(msg);
      } catch (err) {
        this.pending.delete(msg.id);
        reject(err as Error);
      }
    });
  }

  generate(msg: GenerateMessage, onEvent: (ev: WorkerEvent) => void): Promise<DoneEvent> {
    return this.request({ ...msg }, ['done', 'error'], onEvent);
  }

  /** Ask the worker to stop a request at its next step (it then answers error/cancelled). */
  cancel(target: string): void {
    try {
      this.send({ id: `cancel-${randomBytes(4).toString('hex')}`, type: 'cancel', target });
    } catch {
      // gone already: nothing to cancel
    }
  }

  /** Closes stdin (the worker exits when idle); kills it if it has not ended in `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.state === 'gone') return;
    this.proc.stdin.end();
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([this.proc.exited, timer])) === 'timeout') {
      this.proc.kill('KILL');
      await Promise.race([this.proc.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
  }

  stderrText(): string {
    return this.stderrTail;
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/**
 * After a dropped link: look for the request's terminal line in the previous worker's stdout
 * file on the pod. 'running' while the worker is still alive and has not answered.
 */
export async function recoverResult(host: Host, worker: Pick<PodWorkerClient, 'outFile' | 'pidFile'>, id: string): Promise<{ state: 'done'; done: DoneEvent } | { state: 'error'; code: string; message: string } | { state: 'running' } | { state: 'vanished' }> {
  const text = (await host.readFile(worker.outFile).catch(() => Buffer.alloc(0))).toString('utf8');
  for (const line of text.split('\n')) {
    if (!line.includes(id)) continue;
    const parsed = parseWorkerLine(line);
    if (!parsed.ok) {
      // A line cut short by the link is not JSON: skip it. A malformed answer to this request is an error.
      const p = parsed.problem;
      if (p.kind === 'malformed_event' && p.id === id && (p.event === 'done' || p.event === 'error')) {
        return { state: 'error', code: 'worker_protocol', message: `The worker on ${host.label} answered with a line the studio does not understand (${p.message}).` };
      }
      continue;
    }
    const ev = parsed.event;
    if (ev.id !== id) continue;
    if (ev.event === 'done') return { state: 'done', done: ev };
    if (ev.event === 'error') return { state: 'error', code: ev.code, message: ev.message };
  }
  const pid = (await host.readFile(worker.pidFile).catch(() => Buffer.alloc(0))).toString('utf8').trim();
  if (/^\d+$/.test(pid)) {
    const alive = await host.exec(['kill', '-0', pid]).catch(() => null);
    if (alive?.code === 0) return { state: 'running' };
  }
  return { state: 'vanished' };
}
