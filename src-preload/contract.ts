// THE typed API between the renderer and main. Every call (request + response schema)
// and every event stream is declared here once; main registers one handler per call and
// validates every request with these schemas; the Electron preload and the browser
// client are both generated from this file. Nothing here may import Node or Electron:
// it is bundled into the preload and the renderer too.
import { z } from 'zod';

// ---------- errors ----------

export const ERROR_CODES = [
  'invalid_input', // the request failed its schema; `field` names the first bad field
  'unknown_call', // no such call in the contract
  'not_found',
  'conflict', // the request is valid but the current state forbids it
  'unavailable', // the capability is missing here (e.g. no secure secret storage)
  'forbidden',
  'internal', // a bug: logged in main with its stack, reported without internals
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const StudioErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  field: z.string().optional(),
});
export type StudioErrorShape = z.infer<typeof StudioErrorShape>;

/** What every call answers, on every transport: never a thrown error across a process boundary. */
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: StudioErrorShape };

// ---------- shared shapes ----------

/** Absolute path on the machine running main (POSIX, Windows drive or UNC). */
export const AbsolutePath = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'is too long')
  .refine((p) => !p.includes('\0'), 'must not contain NUL bytes')
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'must be an absolute path');

export const Runtime = z.enum(['local', 'remote']);
export type Runtime = z.infer<typeof Runtime>;

export const SECRET_NAMES = ['anthropic', 'huggingface', 'runpod'] as const;
export const SecretName = z.enum(SECRET_NAMES);
export type SecretName = z.infer<typeof SecretName>;

export const SecretStatus = z.object({
  name: SecretName,
  label: z.string(),
  envVar: z.string(),
  set: z.boolean(),
  /** Where the value in effect comes from: the environment overrides the store. */
  source: z.enum(['env', 'store']).nullable(),
});
export type SecretStatus = z.infer<typeof SecretStatus>;

export const SecretsOverview = z.object({
  backend: z.string(),
  /** null when the store can hold secrets; otherwise why it refuses (shown to the user). */
  unavailableReason: z.string().nullable(),
  secrets: z.array(SecretStatus),
});
export type SecretsOverview = z.infer<typeof SecretsOverview>;

export const Settings = z.object({
  outputDir: AbsolutePath,
  defaultRuntime: Runtime,
  openAfterGenerate: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;
export const FINISHED_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

export const JobProgress = z.object({
  step: z.number().int().min(0),
  total: z.number().int().min(0).nullable(),
  /** 0..1 when known; null for indeterminate work. */
  fraction: z.number().min(0).max(1).nullable(),
  message: z.string().nullable(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobError = z.object({ code: z.string(), message: z.string() });

export const Job = z.object({
  id: z.string(),
  kind: z.string(),
  /** The serial lane it runs in (one job at a time per lane), e.g. "local", "remote:pod-1". */
  lane: z.string(),
  title: z.string(),
  state: JobState,
  params: z.record(z.string(), z.unknown()),
  progress: JobProgress.nullable(),
  result: z.unknown().nullable(),
  error: JobError.nullable(),
  host: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;
export const LogLine = z.object({
  time: z.string(),
  level: LogLevel,
  scope: z.string(),
  message: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

export const MediaRoot = z.enum(['output', 'thumbs', 'datasets']);
export type MediaRoot = z.infer<typeof MediaRoot>;

const Empty = z.object({}).strict();
const JobId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be a job id');

// ---------- calls ----------

function call<Req extends z.ZodType, Res extends z.ZodType>(def: { summary: string; request: Req; response: Res }) {
  return def;
}

export const calls = {
  'app.info': call({
    summary: 'Version, platform, data locations and which transport/platform features exist.',
    request: Empty,
    response: z.object({
      name: z.string(),
      version: z.string(),
      platform: z.string(),
      transport: z.enum(['electron', 'http']),
      dataDir: z.string(),
      logFile: z.string(),
      dataDirSource: z.enum(['flag', 'env', 'default']),
      canPickFolders: z.boolean(),
    }),
  }),
  'app.openExternal': call({
    summary: 'Open an https: link in the system browser (main parses it; nothing else is allowed).',
    request: z.object({ url: z.string().min(1).max(2048) }).strict(),
    response: z.object({ opened: z.boolean() }),
  }),
  'app.pickFolder': call({
    summary: 'Ask the OS for a folder (desktop only; the browser mode answers supported=false).',
    request: z.object({ title: z.string().max(200).optional(), defaultPath: AbsolutePath.optional() }).strict(),
    response: z.object({ supported: z.boolean(), path: z.string().nullable() }),
  }),
  'app.revealPath': call({
    summary: 'Show a file or folder of the studio in the OS file manager (desktop only).',
    request: z.object({ path: AbsolutePath }).strict(),
    response: z.object({ supported: z.boolean() }),
  }),
  'settings.get': call({
    summary: 'The current settings (stored values over the defaults from configs/settings.yaml).',
    request: Empty,
    response: Settings,
  }),
  'settings.update': call({
    summary: 'Change some settings; the whole new settings object is returned.',
    request: Settings.partial()
      .strict()
      .refine((p) => Object.keys(p).length > 0, 'must change at least one setting'),
    response: Settings,
  }),
  'settings.reset': call({
    summary: 'Forget stored values for the named settings (all when none named).',
    request: z.object({ keys: z.array(Settings.keyof()).max(16).optional() }).strict(),
    response: Settings,
  }),
  'secrets.status': call({
    summary: 'Which secrets are set and where from; never their values.',
    request: Empty,
    response: SecretsOverview,
  }),
  'secrets.set': call({
    summary: 'Store a secret in main. The value never comes back to the renderer.',
    request: z
      .object({
        name: SecretName,
        value: z
          .string()
          .min(1, 'must not be empty')
          .max(8192, 'is too long')
          .refine((v) => v.trim() === v, 'must not start or end with whitespace')
          .refine((v) => !/[\r\n\0]/.test(v), 'must be a single line'),
      })
      .strict(),
    response: SecretsOverview,
  }),
  'secrets.clear': call({
    summary: 'Delete a stored secret (an environment variable, if set, still applies).',
    request: z.object({ name: SecretName }).strict(),
    response: SecretsOverview,
  }),
  'jobs.list': call({
    summary: 'Jobs, newest first, optionally filtered by state.',
    request: z
      .object({
        states: z.array(JobState).max(JOB_STATES.length).optional(),
        limit: z.number().int().min(1).max(500).optional(),
      })
      .strict(),
    response: z.array(Job),
  }),
  'jobs.get': call({
    summary: 'One job by id.',
    request: z.object({ id: JobId }).strict(),
    response: Job,
  }),
  'jobs.cancel': call({
    summary: 'Cancel a queued or running job (running work stops at its next checkpoint).',
    request: z.object({ id: JobId }).strict(),
    response: Job,
  }),
  'jobs.clearFinished': call({
    summary: 'Remove finished jobs from the list (their outputs stay on disk).',
    request: Empty,
    response: z.object({ removed: z.number().int().min(0) }),
  }),
  'maintenance.backup': call({
    summary: 'Queue an online backup of the studio database into <data dir>/backups.',
    request: Empty,
    response: Job,
  }),
  'logs.recent': call({
    summary: 'The most recent log lines at info level and above (secrets redacted).',
    request: z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(),
    response: z.array(LogLine),
  }),
} as const;

// ---------- events ----------

export const events = {
  /** Frequent, small: a running job's step. */
  'job.progress': z.object({ jobId: z.string(), progress: JobProgress }),
  /** A job row changed state (queued, started, finished) — the whole row. */
  'job.updated': Job,
  /** Finished jobs were removed from the list (by any window or transport). */
  'jobs.cleared': z.object({ removed: z.number().int().min(0) }),
  /** Log lines at info and above, redacted, for the log panel. */
  'log.line': LogLine,
  /** Settings changed (by any window or transport). */
  'settings.changed': Settings,
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallRequest<K extends CallName> = z.input<Calls[K]['request']>;
export type ParsedRequest<K extends CallName> = z.output<Calls[K]['request']>;
export type CallResponse<K extends CallName> = z.output<Calls[K]['response']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const CALL_NAMES = Object.keys(calls) as CallName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** IPC channel names: one for calls, one for events. The preload accepts nothing else. */
export const IPC_CALL_CHANNEL = 'studio:call';
export const IPC_EVENT_CHANNEL = 'studio:event';
