// One warm worker per pod, on the pod's shared SSH connection (reached through PodLink): started
// (after putting the worker's files on the pod) when there is none, restarted when its launch
// flags differ (e.g. CPU offload changed), stopped before the pods capability closes the link.
import type { SshHost } from '../../hosts/ssh-host';
import type { Logger } from '../../logging/logger';
import type { PodLink, PodLinks } from './pod-link';
import { PodWorkerClient } from './pod-worker-client';

export interface PodWorkersOptions {
  links: PodLinks;
  log: Logger;
  /** Extra environment for the worker (tests: FLUX_STUDIO_STANDIN_STEP_MS). */
  workerEnv?: Readonly<Record<string, string>>;
  /** Extra worker flags (tests: --device cpu --dtype float32). */
  workerArgs?: readonly string[];
  /** How long a starting worker may take to report ready (ms). */
  readyTimeoutMs?: number;
}

interface Entry {
  worker: PodWorkerClient | null;
  key: string | null;
  starting: Promise<PodWorkerClient> | null;
}

export class PodWorkers {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: PodWorkersOptions) {
    opts.links.beforeDisconnect((podId) => this.stop(podId));
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = { worker: null, key: null, starting: null };
      this.entries.set(id, e);
    }
    return e;
  }

  /** The warm worker for this pod on `host`, started or restarted as needed. */
  async worker(pod: PodLink, want: { cpuOffload: boolean }, host: SshHost): Promise<PodWorkerClient> {
    const e = this.entry(pod.id);
    const args: string[] = [want.cpuOffload ? '--cpu-offload' : '--no-cpu-offload', ...pod.workerArgs, ...(this.opts.workerArgs ?? [])];
    const key = JSON.stringify([host.label, pod.python, pod.workspace, args]);
    if (e.worker && e.worker.state !== 'gone' && e.key === key && !host.closed) {
      await e.worker.ready;
      return e.worker;
    }
    if (e.starting) {
      const w = await e.starting;
      if (e.key === key) return w;
    }
    const start = async (): Promise<PodWorkerClient> => {
      if (e.worker && e.worker.state !== 'gone') await e.worker.stop().catch(() => undefined);
      const files = await pod.installWorker(host);
      pod.workerState({ state: 'starting', device: null, pipeline: pipelineOf(args) });
      const worker = new PodWorkerClient(host, { python: pod.python, ...files, args, env: this.opts.workerEnv }, this.opts.log.child(`worker:${pod.name}`));
      e.worker = worker;
      e.key = key;
      worker.onGone((err) => {
        if (e.worker === worker) pod.workerState({ state: 'gone', device: null, pipeline: null });
        this.opts.log.info(`ssh:${pod.name}: ${err.message}`);
      });
      let timer: NodeJS.Timeout | undefined;
      const ready = await Promise.race([
        worker.ready,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`The worker on ${pod.name} did not report ready within 2 minutes.`)), this.opts.readyTimeoutMs ?? 120_000);
          timer.unref();
        }),
      ])
        .finally(() => clearTimeout(timer))
        .catch((err: Error) => {
          void worker.stop(0);
          const hint = /No such file|not found|can't open/i.test(worker.stderrText()) ? ` Is the pod prepared (python at ${pod.python})? Run “Prepare pod”.` : '';
          throw Object.assign(new Error(`The worker did not start on ${pod.name}: ${err.message}${hint}`), { code: 'worker_start' });
        });
      pod.workerState({ state: 'ready', device: ready.device ?? null, pipeline: ready.pipeline ?? pipelineOf(args) });
      return worker;
    };
    const starting = start();
    e.starting = starting;
    try {
      return await starting;
    } finally {
      if (e.starting === starting) e.starting = null;
    }
  }

  /** The pod's current worker (for recovery after a lost link), if any. */
  current(podId: string): PodWorkerClient | null {
    return this.entries.get(podId)?.worker ?? null;
  }

  /** Stops the pod's worker (stdin closed; killed after a grace period) and forgets it. */
  async stop(podId: string): Promise<void> {
    const e = this.entries.get(podId);
    if (!e) return;
    const worker = e.worker;
    e.worker = null;
    e.key = null;
    if (worker) await worker.stop(3000).catch(() => undefined);
  }
}

/** The `--pipeline` value among the worker flags. */
function pipelineOf(args: readonly string[]): string | null {
  const i = args.indexOf('--pipeline');
  return i >= 0 ? (args[i + 1] ?? null) : null;
}
