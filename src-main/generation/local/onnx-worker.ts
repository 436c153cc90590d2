// The inference child process (built as out/main/local-worker.js; started by
// LocalWorkerClient with child_process.fork). It holds one model's sessions, runs one
// generation at a time, reports each step, stops between steps when cancelled, and
// encodes the image with sharp. Ending this process is how the studio frees the model's
// memory (onnxruntime keeps host memory after a session is released).
import { encodeImage } from './encode-image';
import { ModelFolderError } from './model-folder';
import { CancelledError, LocalPipeline } from './pipeline';
import type { FromWorker, ToWorker, WorkerGenerate, WorkerImage, WorkerStatus } from './onnx-worker-protocol';

let pipeline: LocalPipeline | null = null;
let current: { id: number; abort: AbortController } | null = null;
let queue: Promise<void> = Promise.resolve();

// Started by child_process.fork (process.send / 'message') or as an Electron utility
// process (process.parentPort, messages in event.data); both clone structurally.
interface ParentPort {
  postMessage(msg: unknown): void;
  on(event: 'message', fn: (e: { data: unknown }) => void): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(msg: FromWorker): void {
  if (parentPort) parentPort.postMessage(msg);
  else process.send?.(msg);
}

function status(): WorkerStatus {
  return {
    pid: process.pid,
    rssBytes: process.memoryUsage.rss(),
    model: pipeline ? { dir: pipeline.info.dir, name: pipeline.info.name, kind: pipeline.info.kind, sizeBytes: pipeline.info.sizeBytes } : null,
    provider: pipeline ? { ...pipeline.provider } : null,
  };
}

async function generate(id: number, req: WorkerGenerate): Promise<void> {
  if (!pipeline) throw new Error('no model is loaded');
  const abort = new AbortController();
  current = { id, abort };
  try {
    const r = await pipeline.generate(req, { signal: abort.signal, onStep: (step) => send({ type: 'progress', id, step }) });
    const bytes = await encodeImage(r.rgb, r.width, r.height, req.format, req.quality);
    const image: WorkerImage = {
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      format: req.format,
      width: r.width,
      height: r.height,
      seed: req.seed,
      sigmas: r.schedule.sigmas,
      timesteps: r.schedule.timesteps,
      finalLatents: req.returnLatents ? r.finalLatents : null,
      initialLatents: req.returnLatents ? r.initialLatents : null,
      encodeMs: r.encodeMs,
      denoiseMs: r.denoiseMs,
      decodeMs: r.decodeMs,
      steps: r.steps,
      truncated: r.truncated,
    };
    send({ type: 'image', id, image });
  } finally {
    current = null;
  }
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'load': {
      const t0 = performance.now();
      if (pipeline && pipeline.info.dir !== msg.dir) {
        await pipeline.release();
        pipeline = null;
      }
      if (!pipeline) pipeline = await LocalPipeline.load(msg.dir, { provider: msg.provider, threads: msg.threads, log: (line) => send({ type: 'log', line }) });
      send({ type: 'loaded', id: msg.id, status: status(), loadMs: performance.now() - t0 });
      return;
    }
    case 'generate':
      return generate(msg.id, msg.request);
    case 'status':
      send({ type: 'status', id: msg.id, status: status() });
      return;
    case 'unload':
      if (pipeline) await pipeline.release();
      pipeline = null;
      send({ type: 'unloaded', id: msg.id });
      return;
    case 'cancel':
      return;
  }
}

function fail(id: number, err: unknown): void {
  if (err instanceof CancelledError) send({ type: 'error', id, code: 'cancelled', message: 'cancelled' });
  else if (err instanceof ModelFolderError) send({ type: 'error', id, code: 'model', message: err.message });
  else send({ type: 'error', id, code: 'failed', message: err instanceof Error ? err.message : String(err) });
}

function onMessage(raw: unknown): void {
  const msg = raw as ToWorker;
  // Cancel and status answer at once, even while a generation runs.
  if (msg.type === 'cancel') {
    if (current?.id === msg.id) current.abort.abort();
    return;
  }
  if (msg.type === 'status') {
    void handle(msg);
    return;
  }
  queue = queue.then(() => handle(msg).catch((err: unknown) => fail(msg.id, err)));
}

if (parentPort) parentPort.on('message', (e) => onMessage(e.data));
else {
  process.on('message', onMessage);
  // The studio is gone: so is the model.
  process.on('disconnect', () => process.exit(0));
}
send({ type: 'ready', pid: process.pid });
