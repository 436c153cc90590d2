// The local runtime (ONNX Runtime on this machine): model folders, status, schedules.
import { z } from 'zod';
import { AbsolutePath, call, Empty, Job } from './shapes';

export const LOCAL_MODEL_KINDS = ['flux-dev', 'flux-schnell', 'sd-turbo', 'sdxl-turbo'] as const;
export const LocalModelKind = z.enum(LOCAL_MODEL_KINDS);
export type LocalModelKind = z.infer<typeof LocalModelKind>;

export const LocalModel = z.object({
  path: z.string(),
  name: z.string(),
  /** null when the folder is not a valid model (see `error`). */
  kind: LocalModelKind.nullable(),
  sizeBytes: z.number().nullable(),
  valid: z.boolean(),
  /** What is wrong with the folder, for the user. */
  error: z.string().nullable(),
  /** The model local jobs use. */
  active: z.boolean(),
});
export type LocalModel = z.infer<typeof LocalModel>;

export const LocalProviderInfo = z.object({
  /** The chain asked for, best first (e.g. ["cuda", "cpu"]). */
  requested: z.array(z.string()),
  /** What the sessions were created with. */
  created: z.string(),
  /** What the profile of the first denoiser run says did the work (null until a run). */
  detected: z.string().nullable(),
  /** Why earlier providers were not used. */
  fallbacks: z.array(z.string()),
});

export const LocalStatus = z.object({
  /** Whether the inference process is running (a model is loaded or loading). */
  running: z.boolean(),
  pid: z.number().int().nullable(),
  model: z.object({ path: z.string(), name: z.string(), kind: LocalModelKind, sizeBytes: z.number() }).nullable(),
  provider: LocalProviderInfo.nullable(),
  /** Resident memory of the inference process. */
  rssBytes: z.number().nullable(),
  /** What this platform would try for "auto". */
  platformProviders: z.array(z.string()),
  preference: z.enum(['auto', 'cuda', 'dml', 'cpu']),
  idleSeconds: z.number().int(),
  freeMemoryBytes: z.number(),
});
export type LocalStatus = z.infer<typeof LocalStatus>;

export const LocalCatalogEntry = z.object({
  id: z.string(),
  title: z.string(),
  /** Hugging Face repo id (org/name), subfolder and revision of the ONNX export. */
  repo: z.string(),
  subfolder: z.string().nullable(),
  revision: z.string(),
  kind: LocalModelKind,
  /** The download's size (the ONNX files alone). */
  sizeBytes: z.number(),
  /** Providers it runs well on (cuda, dml, cpu). */
  runsWellOn: z.array(z.enum(['cuda', 'dml', 'cpu'])),
  note: z.string(),
});
export type LocalCatalogEntry = z.infer<typeof LocalCatalogEntry>;

export const LocalCatalog = z.object({
  entries: z.array(LocalCatalogEntry),
  /** The smallest entry that runs well on this machine's provider and fits its memory. */
  recommended: z.string().nullable(),
  /** The provider this machine will most likely use (cuda, dml or cpu). */
  provider: z.string(),
  /** Where downloads go (the Hugging Face cache: HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub). */
  cacheDir: z.string(),
  hubUrl: z.string(),
});
export type LocalCatalog = z.infer<typeof LocalCatalog>;

/** A repo id as the Hub spells it (org/name). */
const RepoId = z.string().trim().regex(/^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/, 'a Hugging Face repo id (org/name)');

export const ScheduleModel = z.enum(['flux-dev', 'flux-schnell', 'sd-turbo', 'sdxl-turbo']);

export const localCalls = {
  'local.models': call({
    summary: 'The local model folders with their type, size and whether they are usable.',
    request: Empty,
    response: z.array(LocalModel),
  }),
  'local.addModel': call({
    summary: 'Add a model folder (diffusers ONNX layout); it is checked first and refused with the reason when broken.',
    request: z.object({ path: AbsolutePath }).strict(),
    response: LocalModel,
  }),
  'local.removeModel': call({
    summary: 'Forget a model folder (its files stay where they are).',
    request: z.object({ path: AbsolutePath }).strict(),
    response: z.object({ removed: z.boolean() }),
  }),
  'local.selectModel': call({
    summary: 'Choose the model local jobs use.',
    request: z.object({ path: AbsolutePath }).strict(),
    response: LocalModel,
  }),
  'local.catalog': call({
    summary: 'Models to download: a short curated list, the one that suits this machine, and where downloads go.',
    request: Empty,
    response: LocalCatalog,
  }),
  'local.download': call({
    summary: 'Download an ONNX model folder from the Hugging Face Hub (a job: progress, ETA, cancel); it is checked and added when done.',
    request: z
      .object({
        repo: RepoId,
        subfolder: z.string().trim().max(300).nullable().optional(),
        revision: z.string().trim().max(200).nullable().optional(),
      })
      .strict(),
    response: Job,
  }),
  'local.status': call({
    summary: 'The local runtime: provider in use, model loaded, memory of the inference process.',
    request: Empty,
    response: LocalStatus,
  }),
  'local.unload': call({
    summary: 'End the inference process now, freeing the model\'s memory.',
    request: Empty,
    response: z.object({ unloaded: z.boolean() }),
  }),
  'local.schedule': call({
    summary: 'The sigmas and timesteps a model\'s sampler uses for a step count and size.',
    request: z
      .object({
        model: ScheduleModel,
        steps: z.number().int().min(1).max(1000),
        // Beyond 8192 px FLUX's shift e^mu overflows float32 (diffusers gives NaN there too).
        width: z.number().int().min(16).max(8192),
        height: z.number().int().min(16).max(8192),
      })
      .strict(),
    response: z.object({ sigmas: z.array(z.number()), timesteps: z.array(z.number()), mu: z.number().nullable() }),
  }),
} as const;

export const localEvents = {
  /** The local runtime changed (model loaded or unloaded, provider detected). */
  'local.status': LocalStatus,
} as const;
