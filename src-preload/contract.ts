// THE typed API between the renderer and main. Every call (request + response schema)
// and every event stream is declared once: shared shapes in contract/shapes.ts, each
// capability's calls in contract/<capability>.ts, all spread into `calls` and `events`
// here. Main registers one handler per call and validates every request with these
// schemas; the Electron preload and the browser client are both generated from this file.
// Nothing here may import Node or Electron: it is bundled into the preload and the renderer.
import { z } from 'zod';
import {
  AbsolutePath, call, Empty, EnhanceMode, EnhanceResult, GalleryImage, GallerySearch, GallerySource,
  GenerationDraft, ImageId, JOB_STATES, ImageIds, ImageParameters, Job, JobId, JobProgress, JobState, LogLine,
  ModelId, PresetsView, PromptTemplate, PromptText, ResolvedGeneration, SecretName, SecretsOverview,
  Settings, TokenCount,
} from './contract/shapes';
import { localCalls, localEvents } from './contract/local';
import { taggingCalls } from './contract/tagging';
import { datasetCalls, datasetEvents } from './contract/datasets';

export * from './contract/shapes';
export * from './contract/local';
import { trainingCalls, trainingEvents } from './contract/training';

export * from './contract/shapes';
export * from './contract/training';
import { podCalls, podEvents } from './contract/pods';
import { generationCalls } from './contract/generation';

export * from './contract/shapes';
export * from './contract/pods';
export * from './contract/generation';
// ---------- calls ----------


export const calls = {
  ...taggingCalls,
  ...datasetCalls,
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
  'presets.get': call({
    summary: 'The generation presets (configs/presets.yaml with the Settings overrides applied).',
    request: Empty,
    response: PresetsView,
  }),
  'generation.resolve': call({
    summary: 'Resolve a draft into exact numbers: preset values, sizes rounded to 16, a drawn seed, warnings.',
    request: GenerationDraft,
    response: ResolvedGeneration,
  }),
  'prompt.tokens': call({
    summary: 'CLIP token ids and count for a prompt, the trimmed text that fits, and the T5 budget.',
    request: z.object({ text: PromptText, model: ModelId.optional() }).strict(),
    response: TokenCount,
  }),
  'prompt.enhance': call({
    summary: 'Ask Claude to expand a prompt; the answer is shown beside the original, never applied silently.',
    request: z
      .object({
        prompt: PromptText.refine((p) => p.trim().length > 0, 'must not be empty'),
        mode: EnhanceMode.optional(),
        trimToClip: z.boolean().optional(),
      })
      .strict(),
    response: EnhanceResult,
  }),
  'templates.list': call({
    summary: 'Prompt templates: the shipped ones (read-only) and the user\'s own.',
    request: Empty,
    response: z.array(PromptTemplate),
  }),
  'templates.save': call({
    summary: 'Create (no id) or update (id) a user template. The text must contain {prompt}.',
    request: z
      .object({
        id: z.string().min(1).max(64).optional(),
        name: z.string().trim().min(1, 'must not be empty').max(80),
        text: z.string().min(1).max(4000).refine((t) => t.includes('{prompt}'), 'must contain {prompt}'),
      })
      .strict(),
    response: PromptTemplate,
  }),
  'templates.delete': call({
    summary: 'Delete a user template (shipped ones cannot be deleted).',
    request: z.object({ id: z.string().min(1).max(64) }).strict(),
    response: z.object({ deleted: z.boolean() }),
  }),
  'templates.apply': call({
    summary: 'Put a prompt into a template\'s {prompt} slot.',
    request: z.object({ id: z.string().min(1).max(64), prompt: PromptText }).strict(),
    response: z.object({ text: z.string() }),
  }),
  'gallery.search': call({
    summary: 'Full-text search over prompts plus filters and sorts; a page of images and the total.',
    request: GallerySearch,
    response: z.object({ items: z.array(GalleryImage), total: z.number().int(), offset: z.number().int() }),
  }),
  'gallery.get': call({
    summary: 'One image with every parameter.',
    request: z.object({ id: ImageId }).strict(),
    response: GalleryImage,
  }),
  'gallery.facets': call({
    summary: 'What the filter chips can offer: models, tags and runtimes with counts.',
    request: Empty,
    response: z.object({
      models: z.array(z.object({ value: z.string(), count: z.number().int() })),
      tags: z.array(z.object({ value: z.string(), count: z.number().int() })),
      runtimes: z.array(z.object({ value: z.string(), count: z.number().int() })),
      total: z.number().int(),
      favourites: z.number().int(),
    }),
  }),
  'gallery.setFavourite': call({
    summary: 'Mark or unmark images as favourites.',
    request: z.object({ ids: ImageIds, favourite: z.boolean() }).strict(),
    response: z.object({ updated: z.number().int() }),
  }),
  'gallery.setTags': call({
    summary: 'Replace an image\'s user tags.',
    request: z.object({ id: ImageId, tags: z.array(z.string().trim().min(1).max(100)).max(100) }).strict(),
    response: GalleryImage,
  }),
  'gallery.delete': call({
    summary: 'Move images to the trash; undoable in this session with the returned token.',
    request: z.object({ ids: ImageIds }).strict(),
    response: z.object({ deleted: z.number().int(), undoToken: z.string() }),
  }),
  'gallery.undoDelete': call({
    summary: 'Put back the images of a delete (this session only).',
    request: z.object({ undoToken: z.string().min(1).max(100) }).strict(),
    response: z.object({ restored: z.number().int() }),
  }),
  'gallery.export': call({
    summary: 'Copy images to a folder (a job with progress).',
    request: z.object({ ids: ImageIds, folder: AbsolutePath }).strict(),
    response: Job,
  }),
  'gallery.open': call({
    summary: 'Open an image in the system viewer (desktop only).',
    request: z.object({ id: ImageId }).strict(),
    response: z.object({ supported: z.boolean() }),
  }),
  'gallery.sources': call({
    summary: 'The folders the gallery indexes (the output folder always).',
    request: Empty,
    response: z.array(GallerySource),
  }),
  'gallery.addSource': call({
    summary: 'Index and watch another folder of images.',
    request: z.object({ path: AbsolutePath }).strict(),
    response: GallerySource,
  }),
  'gallery.removeSource': call({
    summary: 'Stop indexing a folder (its files stay where they are).',
    request: z.object({ id: z.string().min(1).max(64) }).strict(),
    response: z.object({ removed: z.boolean() }),
  }),
  'gallery.rescan': call({
    summary: 'Scan every source again (a job with progress).',
    request: Empty,
    response: Job,
  }),
  'metadata.read': call({
    summary: 'Read generation parameters from an image (this studio\'s, A1111 `parameters`, ComfyUI `prompt`): by path, or the bytes of a dropped file.',
    request: z
      .object({
        path: AbsolutePath.optional(),
        /** A dropped file's bytes (browser mode), base64; 64 MiB at most. */
        dataBase64: z.string().max(90_000_000).optional(),
      })
      .strict()
      .refine((r) => (r.path === undefined) !== (r.dataBase64 === undefined), 'give exactly one of path and dataBase64'),
    response: ImageParameters,
  }),
  'logs.recent': call({
    summary: 'The most recent log lines at info level and above (secrets redacted).',
    request: z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(),
    response: z.array(LogLine),
  }),
  ...localCalls,
  ...trainingCalls,
  ...podCalls,
  ...generationCalls,
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
