// THE typed API between the renderer and main. Every call (request + response schema)
// and every event stream is declared once, in the contract file of its capability
// (<capability>.ts beside this file; shared shapes in shapes.ts), and gathered here.
// Main registers one handler per call and validates every request with these schemas;
// the Electron preload and the browser client are both generated from this module.
// Nothing here may import Node or Electron: it is bundled into the preload and the renderer.
// See docs/architecture.md ("The contract").
import { z } from 'zod';
import { Job, JobProgress, LogLine, Settings } from './shapes';
import { systemCalls } from './system';
import { settingsCalls } from './settings';
import { secretsCalls } from './secrets';
import { jobsCalls } from './jobs';
import { promptCalls } from './prompt';
import { templatesCalls } from './templates';
import { galleryCalls } from './gallery';
import { metadataCalls } from './metadata';
import { generationCalls } from './generation';
import { localCalls, localEvents } from './local';
import { datasetCalls, datasetEvents } from './datasets';
import { taggingCalls } from './tagging';
import { trainingCalls, trainingEvents } from './training';
import { podCalls, podEvents } from './pods';
import { runpodCalls, runpodEvents } from './runpod';

export * from './shapes';
export * from './local';
export * from './training';
export * from './pods';
export * from './runpod';
export * from './generation';

export const calls = {
  ...systemCalls,
  ...settingsCalls,
  ...secretsCalls,
  ...jobsCalls,
  ...promptCalls,
  ...templatesCalls,
  ...galleryCalls,
  ...metadataCalls,
  ...generationCalls,
  ...localCalls,
  ...datasetCalls,
  ...taggingCalls,
  ...trainingCalls,
  ...podCalls,
  ...runpodCalls,
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
  /** The gallery index changed (scan, new image, delete…): refresh what is shown. */
  'gallery.changed': z.object({ added: z.number().int(), removed: z.number().int(), updated: z.number().int() }),
  /** Settings changed (by any window or transport). */
  'settings.changed': Settings,
  ...localEvents,
  ...datasetEvents,
  ...trainingEvents,
  ...podEvents,
  ...runpodEvents,
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
