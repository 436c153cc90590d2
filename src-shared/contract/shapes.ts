// Shapes shared by the contract's calls and events, and the `call()` helper. Capability
// modules in this folder (one per capability: pods, datasets, …) import from here and
// export their calls; ../contract.ts spreads them into the one `calls` object. Nothing
// here may import Node or Electron: it is bundled into the preload and the renderer too.
import { z } from 'zod';

// ---------- errors ----------

export const ERROR_CODES = [
  'invalid_input', // the request failed its schema; `field` names the first bad field
  'unknown_call', // no such call in the contract
  'not_found',
  'conflict', // the request is valid but the current state forbids it
  'unavailable', // the capability is missing here (e.g. no secure secret storage)
  'forbidden',
  'upstream', // a third-party API answered with an error status or an answer we cannot use
  'network', // a third-party API could not be reached, or did not answer in time
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

/**
 * The platform this code runs on where it is Node (main, the CLI, serve, the preload); undefined
 * in a page, which cannot know where main runs and leaves the platform check to main.
 */
const nodePlatform = (globalThis as { process?: { platform?: unknown } }).process?.platform;
/**
 * Absolute path on the machine running main: POSIX there, a Windows drive or UNC path on
 * Windows. On Linux `C:/x` or `\\server\share` would resolve against the working directory
 * (issue 17), so main refuses them; a page accepts any of the three forms.
 */
const ABSOLUTE =
  nodePlatform === undefined ? /^(\/|[A-Za-z]:[\\/]|\\\\)/ : nodePlatform === 'win32' ? /^([A-Za-z]:[\\/]|\\\\)/ : /^\//;
const ABSOLUTE_HINT = nodePlatform === undefined ? '' : nodePlatform === 'win32' ? ' (C:\\… or \\\\server\\share\\…)' : ' on this system (/…)';
export const AbsolutePath = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'is too long')
  .refine((p) => !p.includes('\0'), 'must not contain NUL bytes')
  .refine((p) => ABSOLUTE.test(p), `must be an absolute path${ABSOLUTE_HINT}`);

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

export const MODEL_IDS = ['flux-dev', 'flux-schnell'] as const;
export const ModelId = z.enum(MODEL_IDS);
export type ModelId = z.infer<typeof ModelId>;
export const QUALITY_PRESETS = ['fast', 'balanced', 'quality'] as const;
export const QualityPreset = z.enum(QUALITY_PRESETS);
export type QualityPreset = z.infer<typeof QualityPreset>;
export const SIZE_PRESETS = ['square', 'portrait', 'landscape', 'hd', '4k', 'custom'] as const;
export const SizePreset = z.enum(SIZE_PRESETS);
export type SizePreset = z.infer<typeof SizePreset>;
export const GUIDANCE_PRESETS = ['creative', 'default', 'strict', 'custom'] as const;
export const GuidancePreset = z.enum(GUIDANCE_PRESETS);
export type GuidancePreset = z.infer<typeof GuidancePreset>;
export const ENHANCE_MODES = ['focused', 'balanced', 'imaginative'] as const;
export const EnhanceMode = z.enum(ENHANCE_MODES);
export type EnhanceMode = z.infer<typeof EnhanceMode>;
export const MAX_SEED = 4294967295; // 2^32 - 1: what torch.Generator.manual_seed and the worker accept

export const Seed = z.number().int('must be a whole number').min(0, `must be 0–${MAX_SEED}`).max(MAX_SEED, `must be 0–${MAX_SEED}`);
export const PromptText = z.string().max(20_000, 'is too long (20,000 characters at most)');

/** User-set numbers that replace the preset values from configs/presets.yaml. */
export const PresetOverrides = z
  .object({
    qualitySteps: z.object({ fast: z.number().int().min(1).max(200), balanced: z.number().int().min(1).max(200), quality: z.number().int().min(1).max(200) }).partial(),
    guidanceValues: z.object({ creative: z.number().min(1).max(7), default: z.number().min(1).max(7), strict: z.number().min(1).max(7) }).partial(),
  })
  .partial();
export type PresetOverrides = z.infer<typeof PresetOverrides>;

/** What the user chose on the Generate page (or with CLI flags), before resolving. */
export const GenerationDraft = z
  .object({
    prompt: PromptText,
    model: ModelId.optional(),
    quality: QualityPreset.optional(),
    /** Explicit steps win over the quality preset. */
    steps: z.number().int('must be a whole number').min(1, 'must be 1–200').max(200, 'must be 1–200').optional(),
    size: SizePreset.optional(),
    /** Required with size "custom"; any value is rounded to the nearest multiple of 16. */
    width: z.number().int().min(1).max(100_000).optional(),
    height: z.number().int().min(1).max(100_000).optional(),
    guidance: GuidancePreset.optional(),
    /** Required with guidance "custom": 1.0–7.0. */
    guidanceValue: z.number().min(1, 'must be 1.0–7.0').max(7, 'must be 1.0–7.0').optional(),
    /** A fixed seed, or absent/null for a random one drawn by the studio. */
    seed: Seed.nullable().optional(),
    jpegQuality: z.number().int('must be a whole number').min(1, 'must be 1–100').max(100, 'must be 1–100').optional(),
    cpuOffload: z.boolean().optional(),
  })
  .strict();
export type GenerationDraft = z.infer<typeof GenerationDraft>;

/** The fully resolved request a runtime receives: every number explicit. */
export const ResolvedGeneration = z.object({
  prompt: z.string(),
  model: ModelId,
  steps: z.number().int(),
  quality: QualityPreset.nullable(),
  width: z.number().int(),
  height: z.number().int(),
  size: SizePreset,
  /** null for models without a guidance input (FLUX.1-schnell). */
  guidance: z.number().nullable(),
  seed: Seed,
  seedWasRandom: z.boolean(),
  jpegQuality: z.number().int(),
  cpuOffload: z.boolean(),
  maxSequenceLength: z.number().int(),
  /** Adjustments made, e.g. "width 1000 → 1008 (multiple of 16)". */
  notes: z.array(z.string()),
  /** Valid but worth a look, e.g. far outside the model's training size. */
  warnings: z.array(z.string()),
  /**
   * The model as the image's parameters will record it ("flux-dev", a local folder's name),
   * when the request said where it runs (generation.resolve with `runtime`).
   */
  modelName: z.string().optional(),
  /** What that model is in words ("FLUX.1-schnell", "SD-Turbo"), when the runtime chose it (local). */
  modelKind: z.string().optional(),
});
export type ResolvedGeneration = z.infer<typeof ResolvedGeneration>;

export const PresetsView = z.object({
  models: z.array(z.object({ id: ModelId, label: z.string(), usesGuidance: z.boolean(), maxSequenceLength: z.number().int(), defaultQuality: QualityPreset, fixedSteps: z.number().int().nullable() })),
  quality: z.array(z.object({ id: QualityPreset, label: z.string(), steps: z.number().int() })),
  sizes: z.array(z.object({ id: SizePreset, label: z.string(), width: z.number().int(), height: z.number().int() })),
  guidance: z.array(z.object({ id: GuidancePreset, label: z.string(), value: z.number() })),
  guidanceRange: z.tuple([z.number(), z.number()]),
  sideRange: z.tuple([z.number().int(), z.number().int()]),
  defaults: z.object({ model: ModelId, quality: QualityPreset, size: SizePreset, guidance: GuidancePreset, jpegQuality: z.number().int(), cpuOffload: z.boolean() }),
});
export type PresetsView = z.infer<typeof PresetsView>;

export const TokenCount = z.object({
  /** false when no CLIP tokenizer data was found; `reason` says where it looked. */
  available: z.boolean(),
  reason: z.string().nullable(),
  /** The prompt's token ids without start/end tokens. */
  ids: z.array(z.number().int()),
  count: z.number().int(),
  limit: z.number().int(),
  fits: z.boolean(),
  /** The longest prefix that fits, cut at a token boundary (the text itself when it fits). */
  trimmed: z.string(),
  /** Character offset in the original text where the part CLIP will cut begins; null when it fits. */
  cutAt: z.number().int().nullable(),
  t5: z.object({ count: z.number().int(), limit: z.number().int(), estimate: z.boolean() }),
});
export type TokenCount = z.infer<typeof TokenCount>;

export const PromptTemplate = z.object({
  id: z.string(),
  name: z.string(),
  text: z.string(),
  builtin: z.boolean(),
});
export type PromptTemplate = z.infer<typeof PromptTemplate>;

export const EnhanceResult = z.object({
  original: z.string(),
  /** What the model answered, cleaned of quotes/preamble. */
  enhanced: z.string(),
  /** `enhanced` cut to the CLIP limit when trimming was asked for (else equal to it). */
  trimmed: z.string(),
  wasTrimmed: z.boolean(),
  tokenCount: z.number().int(),
  model: z.string(),
  mode: EnhanceMode,
  elapsedMs: z.number(),
});
export type EnhanceResult = z.infer<typeof EnhanceResult>;

export const Settings = z.object({
  outputDir: AbsolutePath,
  defaultRuntime: Runtime,
  openAfterGenerate: z.boolean(),
  defaultModel: ModelId,
  defaultQuality: QualityPreset,
  defaultSize: SizePreset.exclude(['custom']),
  defaultGuidance: GuidancePreset.exclude(['custom']),
  jpegQuality: z.number().int().min(1).max(100),
  /** Remote worker: offload model parts to CPU RAM to fit smaller GPUs (slower). */
  cpuOffload: z.boolean(),
  presetOverrides: PresetOverrides,
  /** A CLIP tokenizer folder to use before the app's own (a model's tokenizer/); null: none. */
  clipTokenizerDir: AbsolutePath.nullable(),
  enhanceModel: z.string().min(1).max(100),
  enhanceTemperature: z.number().min(0).max(1),
  enhanceMaxTokens: z.number().int().min(16).max(1024),
  enhanceTrimToClip: z.boolean(),
  /** The user has seen that enhancement sends the prompt to Anthropic. */
  enhanceNoticeAccepted: z.boolean(),
  /** Write the A1111 `parameters` text and the studio's JSON into saved images (off for privacy). */
  embedMetadata: z.boolean(),
  /** Local runtime: model folders (diffusers ONNX layout) the user added. */
  localModels: z.array(AbsolutePath).max(50),
  /** The local model new local jobs use; null: the first valid one. */
  localModel: AbsolutePath.nullable(),
  /** Execution provider: auto (CUDA on Linux x64, DirectML on Windows, else CPU), or one forced. */
  localProvider: z.enum(['auto', 'cuda', 'dml', 'cpu']),
  /** onnxruntime intra-op threads; 0 lets it decide. */
  localThreads: z.number().int().min(0).max(256),
  /** Seconds without local work before the inference process ends and frees the model (0: never). */
  localIdleSeconds: z.number().int().min(0).max(86_400),
  /** Local training: an ai-toolkit checkout (with run.py) and the Python that runs it; null: train on pods only. */
  trainingToolkitDir: AbsolutePath.nullable(),
  trainingPython: AbsolutePath.nullable(),
  /** A second folder each generated image is also copied to (by date), as the original workflow did; null: none. */
  secondOutputDir: AbsolutePath.nullable(),
  /** Delete each image from the pod once it is safely home. */
  deleteFromPodAfterFetch: z.boolean(),
  /** RunPod (issue 15): stop running pods when this session's / this month's spend reaches it (USD); null: no cap. */
  runpodBudgetSessionUsd: z.number().min(0).max(100_000).nullable(),
  runpodBudgetMonthUsd: z.number().min(0).max(1_000_000).nullable(),
  /** The on-pod watchdog stops a pod after this many minutes with no generation, training or studio session. */
  runpodIdleStopMinutes: z.number().int().min(1).max(24 * 60),
  /** The image new pods run; the default fits the worker and ai-toolkit. */
  runpodImage: z.string().trim().min(1).max(300),
  /** What "Train on RunPod" does to the pod when the run ends or fails. */
  runpodAfterTraining: z.enum(['stop', 'terminate', 'keep']),
  /** A training whose step has not advanced for this many minutes is reported as stalled. */
  trainingStallMinutes: z.number().int().min(1).max(24 * 60),
  /** Stop the pod of a stalled training. */
  stopPodOnStall: z.boolean(),
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
  /** Seconds left, when the work can tell (a training from its step speed). */
  etaSeconds: z.number().min(0).nullable().optional(),
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

// 'source': a gallery source folder; the first path segment is the source id.
export const MediaRoot = z.enum(['output', 'thumbs', 'datasets', 'source']);
export type MediaRoot = z.infer<typeof MediaRoot>;


// ---------- gallery ----------

export const Lora = z.object({ name: z.string(), scale: z.number(), sha256: z.string().nullable().optional() });

/** Parameters read from an image file (ours, A1111-style, or ComfyUI), or stored with it. */
export const ImageParameters = z.object({
  prompt: z.string().nullable(),
  negativePrompt: z.string().nullable(),
  enhancedFrom: z.string().nullable(),
  model: z.string().nullable(),
  seed: z.number().int().nullable(),
  steps: z.number().int().nullable(),
  guidance: z.number().nullable(),
  sampler: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  jpegQuality: z.number().int().nullable(),
  loras: z.array(Lora),
  runtime: z.enum(['local', 'remote']).nullable(),
  pod: z.string().nullable(),
  loadSeconds: z.number().nullable(),
  genSeconds: z.number().nullable(),
  /** Which metadata the values came from. */
  source: z.enum(['studio', 'a1111', 'comfyui']).nullable(),
  /** The A1111 `parameters` text, when the file had one. */
  parametersText: z.string().nullable(),
});
export type ImageParameters = z.infer<typeof ImageParameters>;

export const GalleryImage = z.object({
  id: z.string(),
  sourceId: z.string(),
  /** Absolute path on the machine running main. */
  path: z.string(),
  /** Where the renderer loads the full image from (studio.mediaUrl(root, rel)). */
  media: z.object({ root: MediaRoot, rel: z.string() }),
  /** Thumbnail paths under the 'thumbs' media root; null until made (or when broken). */
  thumbSmall: z.string().nullable(),
  thumbLarge: z.string().nullable(),
  fileName: z.string(),
  format: z.string().nullable(),
  sizeBytes: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  contentHash: z.string(),
  createdAt: z.string(),
  favourite: z.boolean(),
  tags: z.array(z.string()),
  /** Why the file could not be read as an image; null when it is fine. */
  broken: z.string().nullable(),
  params: ImageParameters,
});
export type GalleryImage = z.infer<typeof GalleryImage>;

export const GALLERY_SORTS = ['newest', 'oldest', 'relevance', 'largest', 'name'] as const;
export const GallerySearch = z
  .object({
    text: z.string().max(500).optional(),
    models: z.array(z.string().max(200)).max(20).optional(),
    runtimes: z.array(z.enum(['local', 'remote', 'unknown'])).max(3).optional(),
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    favourite: z.boolean().optional(),
    tags: z.array(z.string().min(1).max(100)).max(20).optional(),
    minWidth: z.number().int().min(0).max(100_000).optional(),
    minHeight: z.number().int().min(0).max(100_000).optional(),
    sourceIds: z.array(z.string().max(64)).max(50).optional(),
    sort: z.enum(GALLERY_SORTS).optional(),
    offset: z.number().int().min(0).max(10_000_000).optional(),
    limit: z.number().int().min(1).max(500).optional(),
  })
  .strict();
export type GallerySearch = z.infer<typeof GallerySearch>;

export const GallerySource = z.object({
  id: z.string(),
  path: z.string(),
  kind: z.enum(['output', 'folder']),
  imageCount: z.number().int(),
  watching: z.boolean(),
  lastScanAt: z.string().nullable(),
});
export type GallerySource = z.infer<typeof GallerySource>;

export const ImageId = z.string().min(1).max(64);
export const ImageIds = z.array(ImageId).min(1, 'must name at least one image').max(10_000);

export const Empty = z.object({}).strict();
export const JobId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be a job id');

/** One contract call: what it does, what it takes, what it answers. */
export function call<Req extends z.ZodType, Res extends z.ZodType>(def: { summary: string; request: Req; response: Res }) {
  return def;
}
