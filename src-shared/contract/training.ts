// LoRA training with ai-toolkit (on a pod over SSH, or a local checkout): the wizard's plan,
// validation of the editable YAML, runs (start, stop, resume, mark as stopped), their live
// state, samples, checkpoints and the trained LoRAs. No Node or Electron here.
// Each start or resume is a job of kind "training.run" in the lane "training:<target>": runs
// on one target queue and go one after another; jobs.reorder / jobs.cancel order and drop
// queued ones, jobs.cancel of a running one is training.stop.
import { z } from 'zod';
import { AbsolutePath, call, Empty } from './shapes';

export const TRAINING_MODELS = ['flux-dev', 'flux-schnell', 'sdxl', 'sd15'] as const;
export const TrainingModel = z.enum(TRAINING_MODELS);
export type TrainingModel = z.infer<typeof TrainingModel>;
export const TRAINING_GPUS = ['24', '48', '80'] as const;
export const TRAINING_LEVELS = ['quick', 'standard', 'thorough'] as const;
export const TRAINING_PRESETS = TRAINING_GPUS.flatMap((g) => TRAINING_LEVELS.map((l) => `${g}gb-${l}` as const));
export const TrainingPreset = z.enum(TRAINING_PRESETS as unknown as readonly [`${(typeof TRAINING_GPUS)[number]}gb-${(typeof TRAINING_LEVELS)[number]}`]);
export type TrainingPreset = z.infer<typeof TrainingPreset>;

/** Run names: ai-toolkit uses them as a folder and file prefix (and in a glob). */
export const TrainingSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1–64 characters of a-z, 0-9, _ and -, starting with a letter or digit');
export const DatasetName = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'is too long')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'must be a dataset name (letters, digits, space, _ . -)')
  .refine((s) => !s.includes('..'), 'must not contain ..');
/** "local" or a pod's id ("pod:<id>"). */
export const TrainingTargetId = z.string().min(1).max(100).regex(/^(local|pod:[A-Za-z0-9_-]+|[a-z0-9_-]+)$/, 'must be a training target id');

const TriggerWord = z
  .string()
  .max(100, 'is too long')
  .refine((s) => !/[\0\r\n[\]]/.test(s), 'must be one line without [ or ]');

export const TrainingPlanRequest = z
  .object({
    dataset: DatasetName,
    model: TrainingModel,
    preset: TrainingPreset.default('24gb-standard'),
    target: TrainingTargetId.optional(),
    name: TrainingSlug.optional(),
    trigger: TriggerWord.optional(),
    steps: z.number().int().min(1, 'must be 1–1000000').max(1_000_000, 'must be 1–1000000').optional(),
    rank: z.number().int().min(1, 'must be 1–256').max(256, 'must be 1–256').optional(),
    alpha: z.number().int().min(1).max(256).optional(),
    lr: z.number().min(1e-8).max(1e-2).optional(),
    batchSize: z.number().int().min(1).max(64).optional(),
    resolutions: z.array(z.number().int().min(256).max(2048)).min(1).max(8).optional(),
    quantize: z.boolean().optional(),
    lowVram: z.boolean().optional(),
    sampleEvery: z.number().int().min(1).max(1_000_000).optional(),
    saveEvery: z.number().int().min(1).max(1_000_000).optional(),
    samplePrompts: z.array(z.string().min(1).max(2000)).min(1).max(20).optional(),
    skipFirstSample: z.boolean().optional(),
    /** A local diffusers folder on the training host used as model.name_or_path instead of the Hugging Face id. */
    baseModel: z
      .string()
      .max(300, 'is too long')
      .refine((p) => p.startsWith('/'), 'must be an absolute path to a diffusers folder on the training host')
      .refine((p) => !/[\0\r\n]/.test(p), 'must be one line')
      .optional(),
    /** Hooks for the stand-in run.py in tests (ignored by ai-toolkit). */
    test: z
      .object({
        step_seconds: z.number().min(0).max(60).optional(),
        oom_at_step: z.number().int().min(0).optional(),
        fail_at_step: z.number().int().min(0).optional(),
        times_file: z.string().max(1024).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TrainingPlanRequest = z.output<typeof TrainingPlanRequest>;

export const FieldErrors = z.array(z.object({ path: z.string(), message: z.string() }));

export const TrainingPlan = z.object({
  name: z.string(),
  target: z.string(),
  yaml: z.string(),
  warnings: z.array(z.string()),
});
export type TrainingPlan = z.infer<typeof TrainingPlan>;

export const TRAINING_STATES = ['queued', 'preparing', 'running', 'stopping', 'completed', 'stopped', 'failed', 'lost'] as const;
export const TrainingState = z.enum(TRAINING_STATES);
export type TrainingState = z.infer<typeof TrainingState>;

export const TrainingRun = z.object({
  id: z.string(),
  name: z.string(),
  dataset: z.string(),
  model: z.string(),
  target: z.string(),
  hostLabel: z.string(),
  state: TrainingState,
  /** The job that runs (or last ran) it: kind "training.run", lane "training:<target>". */
  jobId: z.string().nullable(),
  /** While queued: its place in the target's queue (1 = runs next). */
  queuePosition: z.number().int().min(1).nullable(),
  /** Is this studio following the run's log right now. */
  attached: z.boolean(),
  step: z.number().int(),
  total: z.number().int(),
  loss: z.number().nullable(),
  lr: z.number().nullable(),
  secondsPerStep: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  /** What it is doing: "syncing dataset 12/40", "sampling", "saving at step 250"… */
  message: z.string().nullable(),
  /** After a resume: the step ai-toolkit reported ("Found step N"), null before it says. */
  resumedFromStep: z.number().int().nullable(),
  /** A resume that did not continue where it should ("restarted from 0"). */
  resumeNote: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  sampleCount: z.number().int(),
  checkpointCount: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type TrainingRun = z.infer<typeof TrainingRun>;

export const TrainingSample = z.object({ file: z.string(), step: z.number().int(), prompt: z.number().int(), promptText: z.string().nullable() });
export const TrainingCheckpoint = z.object({ file: z.string(), path: z.string(), step: z.number().int().nullable(), final: z.boolean(), bytes: z.number().int() });
export type TrainingCheckpoint = z.infer<typeof TrainingCheckpoint>;

export const TrainingRunDetail = z.object({
  run: TrainingRun,
  yaml: z.string(),
  loss: z.array(z.object({ step: z.number().int(), loss: z.number() })),
  samples: z.array(TrainingSample),
  checkpoints: z.array(TrainingCheckpoint),
  logTail: z.array(z.string()),
});
export type TrainingRunDetail = z.infer<typeof TrainingRunDetail>;

export const TrainedLora = z.object({
  runId: z.string(),
  name: z.string(),
  model: z.string(),
  trigger: z.string().nullable(),
  file: z.string(),
  path: z.string(),
  step: z.number().int().nullable(),
  final: z.boolean(),
});
export type TrainedLora = z.infer<typeof TrainedLora>;

/** Settings → Local training's "Check": what the chosen folder and Python can run. */
export const ToolkitCheck = z.object({
  /** Both fields usable: run.py is there and the Python imports torch and ai-toolkit's main requirements. */
  ok: z.boolean(),
  toolkitDir: z.string(),
  python: z.string(),
  /** ai-toolkit's own version (version.py's VERSION); null when the folder has none. */
  version: z.string().nullable(),
  pythonVersion: z.string().nullable(),
  torch: z.string().nullable(),
  /** torch.cuda.is_available(); null when torch did not import. */
  cuda: z.boolean().nullable(),
  /** What is wrong, at the field it concerns, with the way out. */
  problems: z.array(z.object({ field: z.enum(['toolkitDir', 'python']), message: z.string() })),
});
export type ToolkitCheck = z.infer<typeof ToolkitCheck>;

const RunId = z.object({ id: TrainingSlug }).strict();

export const trainingCalls = {
  'training.options': call({
    summary: 'What the training wizard offers: model families, presets, datasets, targets and defaults.',
    request: Empty,
    response: z.object({
      models: z.array(z.object({ id: TrainingModel, label: z.string(), description: z.string(), samplePrompts: z.array(z.string()) })),
      presets: z.array(z.object({ id: TrainingPreset, gpu: z.string(), level: z.string(), label: z.string(), values: z.record(z.string(), z.unknown()) })),
      datasets: z.array(z.object({ name: z.string(), imageCount: z.number().int(), trigger: z.string().nullable() })),
      targets: z.array(z.object({ id: z.string(), label: z.string(), ready: z.boolean(), reason: z.string().nullable() })),
      defaults: z.object({ preset: TrainingPreset, target: z.string().nullable() }),
    }),
  }),
  'training.plan': call({
    summary: 'The ai-toolkit YAML the wizard’s choices produce (every field explicit, validated).',
    request: TrainingPlanRequest,
    response: TrainingPlan,
  }),
  'training.validate': call({
    summary: 'Validate edited YAML; errors name the field path.',
    request: z.object({ yaml: z.string().min(1).max(200_000) }).strict(),
    response: z.object({ ok: z.boolean(), name: z.string().nullable(), errors: FieldErrors }),
  }),
  'training.start': call({
    summary: 'Queue a run from (possibly edited) YAML on its target; when its turn comes: install check, dataset sync, detached launch.',
    request: z.object({ yaml: z.string().min(1).max(200_000), dataset: DatasetName, model: TrainingModel, target: TrainingTargetId.optional() }).strict(),
    response: TrainingRun,
  }),
  'training.list': call({ summary: 'Training runs, newest first.', request: Empty, response: z.array(TrainingRun) }),
  'training.get': call({ summary: 'One run with its loss curve, samples, checkpoints and log tail.', request: RunId, response: TrainingRunDetail }),
  'training.stop': call({
    summary: 'Stop a run (SIGINT, then TERM, then KILL after timeouts); a queued run is taken out of the queue without starting.',
    request: RunId,
    response: TrainingRun,
  }),
  'training.resume': call({
    summary: 'Queue a stopped or failed run to resume from its newest checkpoint (optionally with more steps).',
    request: z.object({ id: TrainingSlug, steps: z.number().int().min(1).max(1_000_000).optional() }).strict(),
    response: TrainingRun,
  }),
  'training.markStopped': call({ summary: 'Record a run whose process is gone as stopped.', request: RunId, response: TrainingRun }),
  'training.sample': call({
    summary: 'A sample image of a run, as a data: URL.',
    request: z.object({ id: TrainingSlug, file: z.string().regex(/^[0-9]+__[0-9]{9}_[0-9]+\.(jpg|jpeg|png|webp)$/, 'must be a sample file name') }).strict(),
    response: z.object({ dataUrl: z.string() }),
  }),
  'training.checkToolkit': call({
    summary: 'Check an ai-toolkit folder and the Python that runs it (runs that Python): ai-toolkit’s version, Python, torch, CUDA, or what is wrong.',
    request: z.object({ toolkitDir: AbsolutePath, python: AbsolutePath }).strict(),
    response: ToolkitCheck,
  }),
  'training.loras': call({ summary: 'LoRA files trained here (newest first), for Generate’s LoRA picker.', request: Empty, response: z.array(TrainedLora) }),
} as const;

export const trainingEvents = {
  /** A run changed (state, step, loss, message…): the whole run row. */
  'training.updated': TrainingRun,
} as const;
