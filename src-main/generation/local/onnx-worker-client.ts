// The studio's side of the inference child process: starts it on demand
// (child_process.fork of out/main/local-worker.js, in the app as in Node), keeps the model
// loaded while it is used, forwards step progress, cancels between steps, and ends the
// process after an idle timeout so the model's memory goes back to the OS.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ProviderPreference } from './providers';
import type { StepEvent } from './pipeline';
import type { FromWorker, ToWorker, WorkerGenerate, WorkerImage, WorkerStatus } from './onnx-worker-protocol';

/** A started worker process, whatever started it (child_process.fork, Electron's utilityProcess). */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(msg: ToWorker): void;
  onMessage(fn: (msg: FromWorker) => void): void;
  onExit(fn: (code: number | null, signal: string | null) => void): void;
  /** Output lines of the process (ORT warnings), for the log. */
  onOutput(fn: (chunk: string) => void): void;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export type WorkerSpawner = (workerPath: string) => WorkerHandle;

/**
 * child_process.fork with structured-clone IPC (typed arrays cross as they are). Right for
 * Node (CLI, serve, tests); the packaged Electron app, whose runAsNode fuse is off, passes
 * a utilityProcess spawner instead (src-main/app/local-worker-spawner.ts).
 */
export const forkSpawner: WorkerSpawner = (workerPath) => {
  const child: ChildProcess = fork(workerPath, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    execArgv: [],
  });
  return {
    pid: child.pid,
    send: (msg) => void child.send(msg),
    onMessage: (fn) => void child.on('message', (m: unknown) => fn(m as FromWorker)),
    onExit: (fn) => void child.once('exit', (code, signal) => fn(code, signal)),
    onOutput: (fn) => {
      child.stdout?.on('data', (c: Buffer) => fn(c.toString('utf8')));
      child.stderr?.on('data', (c: Buffer) => fn(c.toString('utf8')));
    },
    kill: (signal) => void child.kill(signal),
  };
};

export interface WorkerClientOptions {
  /** The built worker entry (out/main/local-worker.js). */
  workerPath: string;
  /** How to start it (default: child_process.fork). */
  spawn?: WorkerSpawner;
  /** Milliseconds without work before the process is ended; read at each arm. 0: never. */
  idleMs: () => number;
  log?: (level: 'debug' | 'info' | 'warn', line: string) => void;
}

export class LocalWorkerError extends Error {
  constructor(
    readonly code: 'cancelled' | 'model' | 'failed' | 'exited',
    message: string,
  ) {
    super(message);
    this.name = 'LocalWorkerError';
  }
}

interface Pending {
  resolve: (msg: FromWorker) => void;
  reject: (err: Error) => void;
  onProgress?: (s: StepEvent) => void;
}

/** Where the built worker lies: beside this bundle (out/main), or in a checkout's out/main. */
export function defaultWorkerPath(root: string): string {
  const beside = path.join(__dirname, 'local-worker.js');
  if (fs.existsSync(beside)) return beside;
  return path.join(root, 'out', 'main', 'local-worker.js');
}

export class LocalWorkerClient {
  private child: WorkerHandle | null = null;
  private readonly exitWaiters: (() => void)[] = [];
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private idleTimer: NodeJS.Timeout | null = null;
  private busy = 0;
  private loaded: { dir: string; provider: ProviderPreference; threads: number } | null = null;
  private lastStatus: WorkerStatus | null = null;
  /** Listeners for state changes (loaded, unloaded, exited). */
  private readonly listeners = new Set<() => void>();

  constructor(private readonly opts: WorkerClientOptions) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** The last status the worker reported (null when no process runs). */
  get status(): WorkerStatus | null {
    return this.child ? this.lastStatus : null;
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  private log(level: 'debug' | 'info' | 'warn', line: string): void {
    this.opts.log?.(level, line);
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    if (!fs.existsSync(this.opts.workerPath)) {
      return Promise.reject(new LocalWorkerError('failed', `the local inference worker is not built (${this.opts.workerPath}); run \`npm run build\``));
    }
    const child = (this.opts.spawn ?? forkSpawner)(this.opts.workerPath);
    this.child = child;
    child.onOutput((chunk) => {
      for (const line of chunk.split('\n')) if (line.trim()) this.log('debug', `worker: ${line}`);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      child.onMessage((msg) => {
        if (msg.type === 'ready') resolve();
        else this.onMessage(msg);
      });
      child.onExit((code, signal) => {
        reject(new LocalWorkerError('exited', 'the local inference process ended while starting'));
        if (this.child === child) {
          this.child = null;
          this.ready = null;
          this.loaded = null;
          this.lastStatus = null;
          this.clearIdle();
        }
        const err = new LocalWorkerError('exited', `the local inference process ended (${signal ?? `exit code ${code}`})`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        for (const w of this.exitWaiters.splice(0)) w();
        this.log('debug', `local worker ${child.pid} exited (${signal ?? code})`);
        this.changed();
      });
    });
    // A start that failed must not leave an unhandled rejection behind.
    this.ready.catch(() => undefined);
    this.log('debug', `local worker started, pid ${child.pid}`);
    return this.ready;
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'ready') return;
    if (msg.type === 'log') {
      this.log('info', msg.line);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.step);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.type === 'error') p.reject(new LocalWorkerError(msg.code, msg.message));
    else p.resolve(msg);
  }

  private async request(build: (id: number) => ToWorker, onProgress?: (s: StepEvent) => void): Promise<FromWorker> {
    await this.start();
    const child = this.child;
    if (!child) throw new LocalWorkerError('exited', 'the local inference process is not running');
    const id = this.nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      child.send(build(id));
    });
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private armIdle(): void {
    this.clearIdle();
    const ms = this.opts.idleMs();
    if (!this.child || this.busy > 0 || ms <= 0) return;
    this.idleTimer = setTimeout(() => {
      this.log('info', `local model unloaded after ${Math.round(ms / 1000)} s idle`);
      void this.stop();
    }, ms);
    this.idleTimer.unref();
  }

  private async work<T>(fn: () => Promise<T>): Promise<T> {
    this.busy++;
    this.clearIdle();
    try {
      return await fn();
    } finally {
      this.busy--;
      this.armIdle();
    }
  }

  /** Loads a model folder into the worker (starting it if needed); a no-op when it is loaded. */
  ensureLoaded(dir: string, provider: ProviderPreference, threads: number): Promise<WorkerStatus> {
    return this.work(async () => {
      const l = this.loaded;
      if (l && l.dir === dir && l.provider === provider && l.threads === threads && this.lastStatus) return this.lastStatus;
      // Another model or other session options: a fresh process, so the old model's memory is returned.
      if (l && (l.dir !== dir || l.provider !== provider || l.threads !== threads)) await this.stop();
      const msg = await this.request((id) => ({ type: 'load', id, dir, provider, threads }));
      if (msg.type !== 'loaded') throw new LocalWorkerError('failed', `unexpected answer ${msg.type}`);
      this.loaded = { dir, provider, threads };
      this.lastStatus = msg.status;
      this.log('info', `local model ${msg.status.model?.name} loaded in ${(msg.loadMs / 1000).toFixed(1)} s on ${msg.status.provider?.detected ?? msg.status.provider?.created}`);
      this.changed();
      return msg.status;
    });
  }

  /** Generates one image; cancelling the signal stops the worker between steps. */
  generate(
    dir: string,
    load: { provider: ProviderPreference; threads: number },
    req: WorkerGenerate,
    ctx: { signal?: AbortSignal; onProgress?: (s: StepEvent) => void; onLoaded?: (s: WorkerStatus) => void } = {},
  ): Promise<WorkerImage> {
    return this.work(async () => {
      if (ctx.signal?.aborted) throw new LocalWorkerError('cancelled', 'cancelled');
      const st = await this.ensureLoaded(dir, load.provider, load.threads);
      ctx.onLoaded?.(st);
      if (ctx.signal?.aborted) throw new LocalWorkerError('cancelled', 'cancelled');
      let reqId = -1;
      const onAbort = () => {
        if (reqId >= 0) this.child?.send({ type: 'cancel', id: reqId } satisfies ToWorker);
      };
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const msg = await this.request((id) => {
          reqId = id;
          return { type: 'generate', id, request: req };
        }, ctx.onProgress);
        if (msg.type !== 'image') throw new LocalWorkerError('failed', `unexpected answer ${msg.type}`);
        void this.refreshStatus();
        return msg.image;
      } finally {
        ctx.signal?.removeEventListener('abort', onAbort);
      }
    });
  }

  /** Asks a running worker for its status (memory, model, provider); null when none runs. */
  async refreshStatus(): Promise<WorkerStatus | null> {
    if (!this.child) return null;
    try {
      const msg = await this.request((id) => ({ type: 'status', id }));
      if (msg.type === 'status') this.lastStatus = msg.status;
      return this.lastStatus;
    } catch {
      return null;
    }
  }

  /** Ends the worker process (the model's memory returns to the OS); resolves when it is gone. */
  async stop(): Promise<void> {
    this.clearIdle();
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}
