// The remote runtime: a generation on a pod's warm worker over SSH, then the image home over
// SFTP (progress, sha256 check against the worker's, retried once with one request at a
// time on a mismatch), optionally deleted from the pod. The pod is reached only through
// PodLinks (pod-link.ts), looked up once per job; its warm worker is ours (pod-workers.ts).
//
// A dropped link mid-generation: the worker keeps running (its stdout is a file on the pod,
// see pod-worker-client.ts; it finishes what it was asked when stdin closes). The job reports the
// loss, reconnects with backoff, then reads the old worker's stdout file (and the worker's
// journal, <outputs>/.flux-studio-journal.jsonl) for this request's `done` line, waiting while
// the old worker is still alive, and fetches the image it names.
import fs from 'node:fs';
import path from 'node:path';
import type { SshHost } from '../../hosts/ssh-host';
import type { Logger } from '../../logging/logger';
import type { GenerationRuntime, RuntimeContext, RuntimeOutput, RuntimeRequest } from '../runtime';
import { LoraUploader, LoraUploadError } from './lora-upload';
import type { PodLink, PodLinks } from './pod-link';
import { recoverResult, WorkerGoneError, WorkerRequestError, type PodWorkerClient } from './pod-worker-client';
import type { DoneEvent, WorkerEvent } from './pod-worker-protocol';
import { PodWorkers } from './pod-workers';
import { sha256File } from '../../core/hash';

export class RuntimeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

const WORKER_HINTS: Record<string, string> = {
  oom: 'The pod ran out of GPU memory. Try a smaller size, turn CPU offload on, or use a GPU with more VRAM.',
  gated: 'The model is gated on Hugging Face: accept its licence on huggingface.co and set a Hugging Face token in Settings, then prepare the pod again.',
  model_missing: 'The model is not on the pod: run “Prepare pod” with this model.',
  lora_missing: 'A LoRA file is missing on the pod.',
  lora_invalid: 'A LoRA file could not be loaded.',
  worker_protocol: 'The worker on the pod may be from another version of the studio.',
};

/**
 * The worker names the file it wrote; only a plain file name directly inside
 * <workspace>/outputs is fetched (no `..`, no other folder, no odd characters).
 */
export function checkRemoteOutputPath(p: unknown, workspace: string): string {
  const outputs = `${workspace.replace(/\/+$/, '')}/outputs/`;
  if (typeof p !== 'string' || p.length === 0 || p.length > 4096) throw new RuntimeError('bad_remote_path', 'The worker reported no output path.');
  if (p.includes('\0') || p.includes('\n')) throw new RuntimeError('bad_remote_path', 'The worker reported an output path with control characters; refused.');
  if (p.split('/').includes('..')) throw new RuntimeError('bad_remote_path', `The worker reported an output path containing “..” (${p}); refused.`);
  if (!p.startsWith(outputs)) throw new RuntimeError('bad_remote_path', `The worker reported an output path outside ${outputs} (${p}); refused.`);
  const name = p.slice(outputs.length);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*\.(jpg|jpeg|png|webp)$/.test(name)) throw new RuntimeError('bad_remote_path', `The worker reported an unexpected output file name (${name}); refused.`);
  return p;
}

export interface RemoteRuntimeDeps {
  /** The pods, through the narrow interface generation defines (implemented by pods/pod-links.ts). */
  pods: PodLinks;
  /** Extra worker environment and flags (tests, benchmarks). */
  workerEnv?: Readonly<Record<string, string>>;
  workerArgs?: readonly string[];
  /** Where fetched files land before the job saves them. */
  tmpDir: string;
  deleteAfterFetch(): boolean;
  log: Logger;
  /** How long to wait for a worker that kept going after the link dropped (ms). */
  recoverTimeoutMs?: number;
}

function abortError(): Error {
  return Object.assign(new Error('cancelled'), { name: 'AbortError' });
}

export class RemoteRuntime implements GenerationRuntime {
  readonly id = 'remote' as const;
  /** Trained LoRAs from this computer go up once per pod (see lora-upload.ts). */
  readonly loraUploader = new LoraUploader();
  /** One warm worker per pod. */
  readonly workers: PodWorkers;

  constructor(private readonly deps: RemoteRuntimeDeps) {
    this.workers = new PodWorkers({ links: deps.pods, log: deps.log, workerEnv: deps.workerEnv, workerArgs: deps.workerArgs });
  }

  async generate(req: RuntimeRequest, ctx: RuntimeContext): Promise<RuntimeOutput> {
    if (!req.podId) throw new RuntimeError('bad_request', 'Choose a pod for the remote runtime.');
    const pod = this.deps.pods.link(req.podId);
    const g = req.generation;
    const t0 = performance.now();
    const elapsed = () => Math.round(performance.now() - t0);
    const say = (message: string, step = 0, total = g.steps) => ctx.progress({ step, total, elapsedMs: elapsed(), message });
    const connect = () =>
      pod.connect(
        ctx.signal,
        (err, delay, attempt) => say(`${err.message} Retrying in ${Math.round(delay / 1000)} s (attempt ${attempt}).`),
        (message) => say(message),
      );

    say(`connecting to ${pod.name}`);
    const host = await connect();
    if (req.loras.some((l) => l.localPath)) {
      try {
        req = { ...req, loras: await this.loraUploader.ensure(host, pod.id, pod.workspace, req.loras, (m) => say(m), ctx.signal) };
      } catch (err) {
        if (ctx.signal.aborted) throw abortError();
        if (err instanceof LoraUploadError) throw new RuntimeError(err.code, err.message);
        throw err;
      }
    }
    say('starting the worker');
    const worker = await this.workers.worker(pod, { cpuOffload: g.cpuOffload }, host);
    if (ctx.signal.aborted) throw abortError();

    let done: DoneEvent;
    let recovered = false;
    try {
      done = await this.run(worker, req, ctx, say);
    } catch (err) {
      if (ctx.signal.aborted) throw abortError();
      if (err instanceof WorkerGoneError && err.linkLost) {
        this.deps.log.warn(`${pod.name}: the connection dropped during generation ${req.jobId}; reconnecting to fetch the image`);
        say('The connection to the pod was lost mid-generation. Reconnecting; the pod keeps generating and the image will be fetched when it is done.');
        done = await this.recover(pod, worker, req, ctx, connect, say);
        recovered = true;
      } else if (err instanceof WorkerRequestError) {
        const hint = WORKER_HINTS[err.code];
        throw new RuntimeError(err.code, hint && !err.message.includes(hint) ? `${err.message} ${hint}` : err.message);
      } else throw err;
    }

    const remotePath = checkRemoteOutputPath(done.path, pod.workspace);
    const fetchHost = host.closed ? await connect() : host;
    const bytes = await this.fetch(fetchHost, remotePath, done, req, ctx, say);
    // VRAM after the image, for the status indicator (best effort, not awaited).
    void pod.refresh().catch(() => undefined);
    if (this.deps.deleteAfterFetch()) {
      await fetchHost.remove(remotePath).catch((err: Error) => this.deps.log.warn(`could not delete ${remotePath} from ${pod.name}: ${err.message}`));
    }
    return {
      bytes,
      seed: done.seed,
      loadSeconds: done.load_seconds ?? null,
      generationSeconds: done.gen_seconds ?? 0,
      device: worker.readyInfo?.device ?? null,
      pod: pod.name,
      model: g.model,
      remotePath,
      recovered,
    };
  }

  private run(worker: PodWorkerClient, req: RuntimeRequest, ctx: RuntimeContext, say: (m: string, step?: number, total?: number) => void): Promise<DoneEvent> {
    const g = req.generation;
    const gen = worker.generate(
      {
        id: req.jobId,
        type: 'generate',
        prompt: g.prompt,
        width: g.width,
        height: g.height,
        steps: g.steps,
        // FLUX.1-schnell has no guidance input; the worker wants a number.
        guidance: g.guidance ?? 0,
        seed: g.seed,
        jpeg_quality: g.jpegQuality,
        model: g.model,
        loras: req.loras.map((l) => ({ path: l.path, scale: l.scale })),
      },
      (ev: WorkerEvent) => {
        if (ev.event === 'loading') say(`loading ${g.model}`);
        else if (ev.event === 'progress') ctx.progress({ step: ev.step, total: ev.total, elapsedMs: Math.round(ev.elapsed * 1000), message: 'denoising' });
      },
    );
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        worker.cancel(req.jobId);
        // The worker answers `cancelled` at its next step; do not wait for ever on a stuck one.
        setTimeout(() => reject(abortError()), 30_000).unref();
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    return Promise.race([gen, aborted]).finally(() => ctx.signal.removeEventListener('abort', onAbort));
  }

  private async recover(
    pod: PodLink,
    worker: PodWorkerClient,
    req: RuntimeRequest,
    ctx: RuntimeContext,
    connect: () => Promise<SshHost>,
    say: (m: string) => void,
  ): Promise<DoneEvent> {
    const deadline = Date.now() + (this.deps.recoverTimeoutMs ?? 30 * 60_000);
    const journal = `${pod.workspace.replace(/\/+$/, '')}/outputs/.flux-studio-journal.jsonl`;
    for (;;) {
      if (ctx.signal.aborted) throw abortError();
      const host = await connect();
      let r = await recoverResult(host, worker, req.jobId);
      if (r.state === 'vanished' || r.state === 'running') {
        const fromJournal = await recoverResult(host, { outFile: journal, pidFile: worker.pidFile }, req.jobId);
        if (fromJournal.state === 'done' || fromJournal.state === 'error') r = fromJournal;
      }
      if (r.state === 'done') {
        say('reconnected; fetching the image the pod finished');
        return r.done;
      }
      if (r.state === 'error') throw new RuntimeError(r.code, `${r.message} (reported after the connection was lost)`);
      if (r.state === 'vanished') {
        throw new RuntimeError('worker_lost', 'The connection to the pod was lost mid-generation and the worker there ended without finishing the image.');
      }
      if (Date.now() > deadline) throw new RuntimeError('worker_lost', 'The connection was lost mid-generation and the pod did not finish the image in time.');
      say('reconnected; the pod is still generating this image');
      await new Promise((r2) => setTimeout(r2, 500));
    }
  }

  private async fetch(host: SshHost, remotePath: string, done: DoneEvent, req: RuntimeRequest, ctx: RuntimeContext, say: (m: string, step?: number, total?: number) => void): Promise<Buffer> {
    fs.mkdirSync(this.deps.tmpDir, { recursive: true });
    const local = path.join(this.deps.tmpDir, `${req.jobId}-${path.posix.basename(remotePath)}`);
    const steps = req.generation.steps;
    const onProgress = (d: number, total: number) => say(`fetching image ${Math.round(d / 1024)} / ${Math.round(total / 1024)} KiB`, steps, steps);
    try {
      for (const tuning of [undefined, { concurrency: 1 }]) {
        await host.get(remotePath, local, { onProgress, signal: ctx.signal, tuning });
        if (!done.sha256 || sha256File(local) === done.sha256) return fs.readFileSync(local);
        this.deps.log.warn(`checksum mismatch fetching ${remotePath}${tuning ? '' : '; retrying with one request at a time'}`);
      }
      throw new RuntimeError('transfer_corrupt', `The image fetched from the pod (${remotePath}) does not match the worker's sha256 even after a careful retry.`);
    } finally {
      fs.rmSync(local, { force: true });
    }
  }
}
