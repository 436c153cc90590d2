// The warm pod worker's JSON-lines protocol, from the studio's side: the one TypeScript
// definition of what native/pod/protocol.py reads (requests on stdin) and prints (events on
// stdout, tagged with the request id). Every line the worker prints is parsed here with these
// schemas (never cast): a line that is not JSON, an event the studio does not know, or a known
// event with missing or mistyped fields comes back as a `WorkerLineProblem` the client reports.
// The wire format is the Python worker's; change both sides together (and WORKER_PROTOCOL).
import { z } from 'zod';

/** protocol.py PROTOCOL_VERSION. */
export const WORKER_PROTOCOL = 1;

// ---- requests (studio → worker), protocol.py parse_request ----

export const GenerateMessage = z.object({
  id: z.string().min(1).max(64),
  type: z.literal('generate'),
  prompt: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  steps: z.number().int(),
  guidance: z.number(),
  seed: z.number().int(),
  jpeg_quality: z.number().int(),
  model: z.string(),
  loras: z.array(z.object({ path: z.string(), scale: z.number() })),
});
export type GenerateMessage = z.infer<typeof GenerateMessage>;

export const CancelMessage = z.object({ id: z.string().min(1).max(64), type: z.literal('cancel'), target: z.string() });
export type CancelMessage = z.infer<typeof CancelMessage>;

export const PingMessage = z.object({ id: z.string().min(1).max(64), type: z.literal('ping') });
export const StatusMessage = z.object({ id: z.string().min(1).max(64), type: z.literal('status') });

export const WorkerRequest = z.discriminatedUnion('type', [GenerateMessage, CancelMessage, PingMessage, StatusMessage]);
export type WorkerRequest = z.infer<typeof WorkerRequest>;

// ---- events (worker → studio), protocol.py Emitter and worker.py ----
// Extra fields are kept (loose objects): a newer worker may add some; the ones named are checked.

const RequestId = z.string();

export const ReadyEvent = z
  .object({
    event: z.literal('ready'),
    id: z.undefined().optional(),
    protocol: z.number().int(),
    device: z.string().optional(),
    torch: z.string().optional(),
    diffusers: z.string().optional(),
    pipeline: z.string().optional(),
  })
  .loose();
export type ReadyEvent = z.infer<typeof ReadyEvent>;

export const LoadingEvent = z.object({ event: z.literal('loading'), id: RequestId, model: z.string().optional() }).loose();
export type LoadingEvent = z.infer<typeof LoadingEvent>;

export const ProgressEvent = z.object({ event: z.literal('progress'), id: RequestId, step: z.number().int(), total: z.number().int(), elapsed: z.number() }).loose();
export type ProgressEvent = z.infer<typeof ProgressEvent>;

export const DoneEvent = z
  .object({
    event: z.literal('done'),
    id: RequestId,
    path: z.string(),
    seed: z.number().int(),
    width: z.number().int(),
    height: z.number().int(),
    bytes: z.number().int().optional(),
    sha256: z.string().optional(),
    load_seconds: z.number().nullable().optional(),
    gen_seconds: z.number().optional(),
  })
  .loose();
export type DoneEvent = z.infer<typeof DoneEvent>;

export const WorkerErrorEvent = z.object({ event: z.literal('error'), id: RequestId.nullable().optional(), code: z.string(), message: z.string() }).loose();
export type WorkerErrorEvent = z.infer<typeof WorkerErrorEvent>;

export const PongEvent = z.object({ event: z.literal('pong'), id: RequestId }).loose();
export type PongEvent = z.infer<typeof PongEvent>;

/** Answer to `status`: pipeline, loaded model, running and queued ids, memory (worker.py Worker.status). */
export const StatusEvent = z
  .object({ event: z.literal('status'), id: RequestId, pipeline: z.string().optional(), model: z.string().nullable().optional(), running: z.string().nullable().optional(), queued: z.array(z.string()).optional() })
  .loose();
export type StatusEvent = z.infer<typeof StatusEvent>;

/** With --debug: what the worker is about to do (stage, prompt…). */
export const DebugEvent = z.object({ event: z.literal('debug'), id: RequestId.nullable().optional(), stage: z.string().optional() }).loose();
export type DebugEvent = z.infer<typeof DebugEvent>;

export const WorkerEvent = z.discriminatedUnion('event', [ReadyEvent, LoadingEvent, ProgressEvent, DoneEvent, WorkerErrorEvent, PongEvent, StatusEvent, DebugEvent]);
export type WorkerEvent = z.infer<typeof WorkerEvent>;
export type WorkerEventName = WorkerEvent['event'];

const KNOWN_EVENTS: ReadonlySet<string> = new Set(WorkerEvent.options.map((o) => o.shape.event.value));

/** A line the worker printed that is not a protocol event the studio understands. */
export interface WorkerLineProblem {
  kind: 'not_json' | 'not_an_event' | 'unknown_event' | 'malformed_event';
  /** The request id the line carries, when it carries one (so the request can be failed). */
  id: string | null;
  /** The event name it claims, when it claims one. */
  event: string | null;
  /** What is wrong, for people: "done: path: expected string, received undefined". */
  message: string;
}

export type ParsedWorkerLine = { ok: true; event: WorkerEvent } | { ok: false; problem: WorkerLineProblem };

function clip(text: string, n = 200): string {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}

/** Parses one stdout line of the worker against the protocol. Never throws. */
export function parseWorkerLine(line: string): ParsedWorkerLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, problem: { kind: 'not_json', id: null, event: null, message: `not JSON: ${clip(line)}` } };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || typeof (raw as { event?: unknown }).event !== 'string') {
    return { ok: false, problem: { kind: 'not_an_event', id: null, event: null, message: `not a protocol event (no "event" name): ${clip(line)}` } };
  }
  const obj = raw as { event: string; id?: unknown };
  const id = typeof obj.id === 'string' ? obj.id : null;
  if (!KNOWN_EVENTS.has(obj.event)) {
    return { ok: false, problem: { kind: 'unknown_event', id, event: obj.event, message: `unknown event “${clip(obj.event, 40)}”: ${clip(line)}` } };
  }
  const parsed = WorkerEvent.safeParse(raw);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, problem: { kind: 'malformed_event', id, event: obj.event, message: `malformed “${obj.event}” event: ${where}${issue?.message ?? 'invalid'}` } };
}
