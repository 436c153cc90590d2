// Auto-captioning of a dataset: a local WD14-style ONNX tagger or Claude vision, run as a
// job that writes captions as it goes and keeps every image's caption before and after, so
// the whole run or single images can be reviewed and undone. Pause/resume between images.
import { z } from 'zod';
import { AbsolutePath, call, Job, JobId, JobState } from './shapes';
import { DatasetFile, DatasetName } from './datasets';

// ---------- shapes ----------

export const TAGGING_MODES = ['fill', 'overwrite', 'append'] as const;
/** fill: only images without a caption (or a blank one); overwrite: replace; append: add after the old caption. */
export const TaggingMode = z.enum(TAGGING_MODES);
export type TaggingMode = z.infer<typeof TaggingMode>;

const Probability = z.number().min(0, 'must be 0–1').max(1, 'must be 0–1');
const TagText = z.string().trim().min(1).max(200);

export const TaggerSource = z
  .object({
    kind: z.literal('tagger'),
    /** A folder with model.onnx and selected_tags.csv (WD14 / wd-v3). */
    dir: AbsolutePath,
    generalThreshold: Probability.default(0.35),
    characterThreshold: Probability.default(0.85),
    includeRating: z.boolean().default(false),
    underscoresToSpaces: z.boolean().default(true),
    blacklist: z.array(TagText).max(2000).default([]),
    maxTags: z.number().int().min(1).max(500).nullable().default(null),
    /** MCut: per image, thresholds at the largest gap between probabilities (characters ≥ 0.15) instead of the fixed ones. */
    mcut: z.boolean().default(false),
  })
  .strict();
export type TaggerSource = z.infer<typeof TaggerSource>;

export const ClaudeSource = z
  .object({
    kind: z.literal('claude'),
    /** What Claude is asked for each image; `[trigger]` is replaced with the dataset's trigger word. Default: configs/tagging.yaml. */
    instruction: z.string().trim().min(1, 'must not be empty').max(4000, 'is too long (4,000 characters at most)').optional(),
    /** A Claude model id; default: configs/tagging.yaml. */
    model: z.string().trim().min(1).max(100).optional(),
    maxTokens: z.number().int().min(16).max(2048).optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
  })
  .strict();
export type ClaudeSource = z.infer<typeof ClaudeSource>;

export const TaggingSource = z.discriminatedUnion('kind', [TaggerSource, ClaudeSource]);
export type TaggingSource = z.infer<typeof TaggingSource>;

export const TaggingRequest = z
  .object({
    dataset: DatasetName,
    mode: TaggingMode.default('fill'),
    /** Only these images (dataset-relative files); all when absent. */
    files: z.array(DatasetFile).min(1).max(100_000).optional(),
    source: TaggingSource,
  })
  .strict();
export type TaggingRequest = z.infer<typeof TaggingRequest>;

export const CostEstimate = z.object({
  model: z.string(),
  /** Images that would be sent (after the mode skipped captioned ones). */
  images: z.number().int(),
  skipped: z.number().int(),
  /** Images Claude sees, after downscaling: Σ ceil(w·h/750). */
  imageTokens: z.number().int(),
  /** Instruction text, all images together (≈ 4 characters a token). */
  textTokens: z.number().int(),
  /** The most the answers can take: images × max tokens. */
  outputTokens: z.number().int(),
  /** USD per million tokens from configs/tagging.yaml; null when the model is not priced there. */
  inputPrice: z.number().nullable(),
  outputPrice: z.number().nullable(),
  /** Upper estimate in USD (null when the model is not priced). */
  usd: z.number().nullable(),
  /** At or above this estimate the CLI asks for --yes and the dialog for a confirmation. */
  confirmAboveUsd: z.number(),
  needsConfirmation: z.boolean(),
});
export type CostEstimate = z.infer<typeof CostEstimate>;

export const TAGGING_ITEM_STATUSES = ['written', 'unchanged', 'skipped', 'failed', 'undone', 'pending'] as const;
export const TaggingItem = z.object({
  file: z.string(),
  /** The caption before the run (null: there was no caption file). */
  before: z.string().nullable(),
  /** What the run wrote (null when it wrote nothing). */
  after: z.string().nullable(),
  /** The tagger's or Claude's raw answer. */
  generated: z.string().nullable(),
  status: z.enum(TAGGING_ITEM_STATUSES),
  error: z.string().nullable(),
});
export type TaggingItem = z.infer<typeof TaggingItem>;

const TaggingCounts = z.object({
  written: z.number().int(),
  unchanged: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  undone: z.number().int(),
  pending: z.number().int(),
});

export const TaggingResults = z.object({
  jobId: z.string(),
  /** When the run started (ISO 8601). */
  startedAt: z.string(),
  dataset: z.string(),
  dir: z.string(),
  mode: TaggingMode,
  source: z.enum(['tagger', 'claude']),
  /** The tagger folder or the Claude model. */
  sourceDetail: z.string(),
  items: z.array(TaggingItem),
  counts: TaggingCounts,
  /** Claude only: tokens the answers reported. */
  usage: z.object({ inputTokens: z.number().int(), outputTokens: z.number().int(), usd: z.number().nullable() }).nullable(),
});
export type TaggingResults = z.infer<typeof TaggingResults>;

/** One earlier run of a dataset, for "review / undo" after the dialog was closed. */
export const TaggingRun = TaggingResults.omit({ items: true, usage: true }).extend({
  /** The job's state, or null when its row was cleared from the jobs list (the results stay). */
  state: JobState.nullable(),
});
export type TaggingRun = z.infer<typeof TaggingRun>;

export const TaggingDefaults = z.object({
  claude: z.object({ model: z.string(), instruction: z.string(), maxTokens: z.number().int(), concurrency: z.number().int(), longSide: z.number().int() }),
  tagger: z.object({ generalThreshold: z.number(), characterThreshold: z.number(), includeRating: z.boolean(), underscoresToSpaces: z.boolean() }),
  confirmAboveUsd: z.number(),
  /** Models with a price in configs/tagging.yaml. */
  pricedModels: z.array(z.string()),
});
export type TaggingDefaults = z.infer<typeof TaggingDefaults>;

// ---------- calls ----------

export const taggingCalls = {
  'tagging.defaults': call({
    summary: 'Default tagger thresholds, Claude model, instruction and limits (configs/tagging.yaml).',
    request: z.object({}).strict(),
    response: TaggingDefaults,
  }),
  'tagging.estimate': call({
    summary: 'What a Claude captioning run would cost: images, tokens and an upper USD estimate.',
    request: TaggingRequest,
    response: CostEstimate,
  }),
  'tagging.start': call({
    summary: 'Start auto-captioning a dataset (a job). Captions are written as it goes; the old ones are kept for undo.',
    request: TaggingRequest,
    response: Job,
  }),
  'tagging.results': call({
    summary: 'Per-image results of a tagging job (before, after, status, error), also while it runs.',
    request: z.object({ jobId: JobId }).strict(),
    response: TaggingResults,
  }),
  'tagging.runs': call({
    summary: 'Earlier tagging runs of a dataset, newest first (their results stay reviewable and undoable).',
    request: z.object({ dataset: DatasetName, limit: z.number().int().min(1).max(100).optional() }).strict(),
    response: z.array(TaggingRun),
  }),
  'tagging.undo': call({
    summary: 'Put back the captions a tagging job replaced: one image, or all. Captions edited since are left alone unless forced.',
    request: z.object({ jobId: JobId, file: DatasetFile.optional(), force: z.boolean().optional() }).strict(),
    response: z.object({
      undone: z.number().int(),
      /** Images whose caption changed since the run (left as they are). */
      conflicts: z.array(z.object({ file: z.string(), reason: z.string() })),
      results: TaggingResults,
    }),
  }),
  'tagging.pause': call({
    summary: 'Pause a running tagging job after the images in flight (resume with tagging.resume).',
    request: z.object({ jobId: JobId }).strict(),
    response: z.object({ paused: z.boolean() }),
  }),
  'tagging.resume': call({
    summary: 'Resume a paused tagging job.',
    request: z.object({ jobId: JobId }).strict(),
    response: z.object({ paused: z.boolean() }),
  }),
} as const;
