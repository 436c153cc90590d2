// Wizard choices → an ai-toolkit job config. Templates per model family live in
// configs/training/<family>.yaml and presets (GPU memory × level) in presets.yaml; the
// builder fills every field explicitly (ai-toolkit's own defaults are SD1.5-era and a
// missing `network` block silently means a full fine-tune) and the zod schema below — what
// the studio emits, nothing looser — validates every config before it is used, with
// errors that name the field path (config.process[0].train.lr).
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import {
  TRAINING_GPUS,
  TRAINING_LEVELS,
  TRAINING_MODELS,
  TrainingSlug,
  type TrainingModel,
  type TrainingPlanRequest,
  type TrainingPreset,
} from '@shared/contract/training';

// ---------- the schema of what the studio emits ----------

const HostPath = z
  .string()
  .min(2)
  .max(1024)
  .refine((p) => p.startsWith('/'), 'must be an absolute POSIX path on the training host')
  .refine((p) => !/[\0\n\r]/.test(p), 'must not contain control characters');
const OneLine = (max: number) => z.string().max(max).refine((s) => !/[\0\n\r]/.test(s), 'must be a single line');
const Int = (min: number, max: number) => z.number().int('must be a whole number').min(min, `must be ${min}–${max}`).max(max, `must be ${min}–${max}`);

export const ProcessConfig = z
  .object({
    type: z.literal('sd_trainer'),
    training_folder: HostPath,
    device: z.literal('cuda:0'),
    trigger_word: OneLine(100).refine((s) => s.trim().length > 0, 'must not be empty').optional(),
    network: z.object({ type: z.literal('lora'), linear: Int(1, 256), linear_alpha: Int(1, 256) }).strict(),
    save: z.object({ dtype: z.enum(['float16', 'bf16', 'float32']), save_every: Int(1, 100_000), max_step_saves_to_keep: Int(1, 1000) }).strict(),
    datasets: z
      .array(
        z
          .object({
            folder_path: HostPath,
            caption_ext: z.literal('txt'),
            caption_dropout_rate: z.number().min(0).max(1),
            shuffle_tokens: z.boolean(),
            cache_latents_to_disk: z.boolean(),
            resolution: z.array(Int(256, 2048).refine((r) => r % 64 === 0, 'must be a multiple of 64')).min(1).max(8),
          })
          .strict(),
      )
      .length(1, 'must hold exactly one dataset'),
    train: z
      .object({
        batch_size: Int(1, 64),
        steps: Int(1, 1_000_000),
        gradient_accumulation_steps: Int(1, 256),
        train_unet: z.literal(true),
        train_text_encoder: z.boolean(),
        gradient_checkpointing: z.boolean(),
        noise_scheduler: z.enum(['flowmatch', 'ddpm']),
        optimizer: z.enum(['adamw8bit', 'adamw', 'prodigy', 'adafactor']),
        lr: z.number().min(1e-8, 'must be 1e-8–1e-2').max(1e-2, 'must be 1e-8–1e-2'),
        dtype: z.enum(['bf16', 'fp16', 'fp32']),
        skip_first_sample: z.boolean(),
        ema_config: z.object({ use_ema: z.boolean(), ema_decay: z.number().min(0).max(1) }).strict(),
      })
      .strict(),
    model: z
      .object({
        name_or_path: OneLine(300).refine((s) => s.length > 0, 'must not be empty'),
        assistant_lora_path: OneLine(300).optional(),
        arch: z.enum(['flux', 'sdxl', 'sd1']),
        quantize: z.boolean(),
        low_vram: z.boolean(),
      })
      .strict(),
    sample: z
      .object({
        sampler: z.enum(['flowmatch', 'ddpm']),
        sample_every: Int(1, 1_000_000),
        width: Int(64, 4096).refine((w) => w % 8 === 0, 'must be a multiple of 8'),
        height: Int(64, 4096).refine((w) => w % 8 === 0, 'must be a multiple of 8'),
        prompts: z.array(OneLine(2000).refine((s) => s.trim().length > 0, 'must not be empty')).min(1, 'needs at least one prompt').max(20),
        neg: OneLine(2000),
        seed: Int(0, 4294967295),
        walk_seed: z.boolean(),
        guidance_scale: z.number().min(0).max(30),
        sample_steps: Int(1, 200),
      })
      .strict(),
    /** ai-toolkit's UILogger: every step's loss into <training_folder>/<name>/loss_log.db (the loss chart's source). */
    logging: z.object({ use_ui_logger: z.literal(true), log_every: z.literal(1) }).strict(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.sample.sampler !== p.train.noise_scheduler) {
      ctx.addIssue({ code: 'custom', path: ['sample', 'sampler'], message: `must equal train.noise_scheduler (${p.train.noise_scheduler})` });
    }
    if (p.model.arch === 'flux' && p.train.noise_scheduler !== 'flowmatch') {
      ctx.addIssue({ code: 'custom', path: ['train', 'noise_scheduler'], message: 'must be flowmatch for FLUX' });
    }
    if (/flux\.1-schnell/i.test(p.model.name_or_path) && !p.model.assistant_lora_path) {
      ctx.addIssue({ code: 'custom', path: ['model', 'assistant_lora_path'], message: 'is required for FLUX.1-schnell (ostris/FLUX.1-schnell-training-adapter)' });
    }
  });

export const TrainingConfig = z
  .object({
    job: z.literal('extension'),
    config: z.object({ name: TrainingSlug, process: z.array(ProcessConfig).length(1, 'must hold exactly one process') }).strict(),
    meta: z.object({ name: z.string(), version: z.string() }).strict(),
    /** Test hooks read only by the stand-in run.py (native/fixtures/ai-toolkit-standin); ai-toolkit ignores them. */
    flux_studio_test: z
      .object({
        step_seconds: z.number().min(0).max(60).optional(),
        oom_at_step: Int(0, 1_000_000).optional(),
        fail_at_step: Int(0, 1_000_000).optional(),
        times_file: HostPath.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const p = c.config.process[0];
    if (p && path.posix.basename(p.training_folder) !== c.config.name) {
      ctx.addIssue({ code: 'custom', path: ['config', 'process', 0, 'training_folder'], message: `must end in /${c.config.name} (the run's name)` });
    }
  });
export type TrainingConfig = z.infer<typeof TrainingConfig>;

export interface FieldError {
  path: string;
  message: string;
}

export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out || '(root)';
}

export type ValidateResult = { ok: true; config: TrainingConfig } | { ok: false; errors: FieldError[] };

export function validateConfig(value: unknown): ValidateResult {
  const r = TrainingConfig.safeParse(value);
  if (r.success) return { ok: true, config: r.data };
  return { ok: false, errors: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
}

/** Parse YAML text (the review step's editor) and validate it; YAML errors point at line:col. */
export function validateYaml(text: string): ValidateResult {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}:${e.linePos[0].col}` : '(yaml)', message: e.message.split('\n')[0] ?? 'invalid YAML' })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // Well-formed but unusable, e.g. an alias to an anchor that does not exist ("*-").
    return { ok: false, errors: [{ path: '(yaml)', message: (err as Error).message.split('\n')[0] ?? 'invalid YAML' }] };
  }
  return validateConfig(value);
}

// ---------- templates and presets ----------

const Template = z.object({
  label: z.string(),
  description: z.string(),
  limits: z.object({ max_resolution: z.number().int(), quantize: z.boolean(), low_vram: z.boolean() }),
  sample_prompts: z.array(z.string()).min(1),
  config: z.unknown(),
});
type Template = z.infer<typeof Template>;

const GpuRow = z.object({
  label: z.string(),
  batch_size: z.number().int(),
  resolutions: z.array(z.number().int()),
  quantize: z.boolean(),
  low_vram: z.boolean(),
  gradient_checkpointing: z.boolean(),
});
const LevelRow = z.object({
  label: z.string(),
  steps: z.number().int(),
  rank: z.number().int(),
  alpha: z.number().int(),
  lr: z.number(),
  sample_every: z.number().int(),
  save_every: z.number().int(),
});
const PresetsFile = z.object({
  gpus: z.record(z.enum(TRAINING_GPUS), GpuRow),
  levels: z.record(z.enum(TRAINING_LEVELS), LevelRow),
});

export interface TrainingCatalog {
  templates: Record<TrainingModel, Template>;
  gpus: z.infer<typeof PresetsFile>['gpus'];
  levels: z.infer<typeof PresetsFile>['levels'];
}

export function loadTrainingCatalog(configsDir: string): TrainingCatalog {
  const dir = path.join(configsDir, 'training');
  const read = (f: string): unknown => YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  const templates = {} as Record<TrainingModel, Template>;
  for (const m of TRAINING_MODELS) {
    const t = Template.safeParse(read(`${m}.yaml`));
    if (!t.success) throw new Error(`configs/training/${m}.yaml is invalid: ${t.error.message}`);
    templates[m] = t.data;
  }
  const presets = PresetsFile.parse(read('presets.yaml'));
  return { templates, gpus: presets.gpus, levels: presets.levels };
}

/** The numbers a preset gives one model family (the family's limits applied). */
export function presetValues(catalog: TrainingCatalog, model: TrainingModel, preset: TrainingPreset) {
  const [gpuPart, levelPart] = preset.split('-');
  const gpuKey = (gpuPart ?? '').replace('gb', '') as keyof TrainingCatalog['gpus'];
  const level = levelPart as keyof TrainingCatalog['levels'];
  const gpu = catalog.gpus[gpuKey];
  const lv = catalog.levels[level];
  const t = catalog.templates[model];
  return {
    steps: lv.steps,
    rank: lv.rank,
    alpha: lv.alpha,
    lr: lv.lr,
    sampleEvery: lv.sample_every,
    saveEvery: lv.save_every,
    batchSize: gpu.batch_size,
    resolutions: gpu.resolutions.filter((r) => r <= t.limits.max_resolution),
    quantize: gpu.quantize && t.limits.quantize,
    lowVram: gpu.low_vram && t.limits.low_vram,
    gradientCheckpointing: gpu.gradient_checkpointing,
  };
}

export interface HostLayout {
  /** Where ai-toolkit's training folder for this run goes (…/trainings/<name>). */
  trainingsDir: string;
  /** Where the dataset is synced (…/datasets/<dataset>). */
  datasetsDir: string;
}

export function defaultSamplePrompts(catalog: TrainingCatalog, model: TrainingModel): string[] {
  return [...catalog.templates[model].sample_prompts];
}

/** A slug from a dataset name for the default run name. */
export function suggestName(dataset: string, model: TrainingModel): string {
  const base = dataset.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^[_-]+|[_-]+$/g, '').slice(0, 40) || 'lora';
  return `${/^[a-z0-9]/.test(base) ? base : `l${base}`}_${model.replace('-', '_')}`;
}

/** Build the config (every field explicit), validated. Throws PlanError with field paths. */
export function buildConfig(catalog: TrainingCatalog, req: TrainingPlanRequest, layout: HostLayout): TrainingConfig {
  const t = catalog.templates[req.model];
  const values = presetValues(catalog, req.model, req.preset);
  const name = req.name ?? suggestName(req.dataset, req.model);
  const base = structuredClone(t.config) as { job: unknown; config: { name: unknown; process: Record<string, unknown>[] }; meta: unknown };
  const proc = base.config.process[0] as Record<string, Record<string, unknown> & { [k: string]: unknown }>;
  const trigger = req.trigger?.trim() || undefined;
  base.config.name = name;
  const p = proc as unknown as Record<string, unknown>;
  p.training_folder = path.posix.join(layout.trainingsDir, name);
  if (trigger) p.trigger_word = trigger;
  else delete p.trigger_word;
  const rank = req.rank ?? values.rank;
  proc.network = { type: 'lora', linear: rank, linear_alpha: req.alpha ?? (req.rank ? rank : values.alpha) };
  const steps = req.steps ?? values.steps;
  const saveEvery = req.saveEvery ?? Math.min(values.saveEvery, steps);
  proc.save = { ...proc.save, save_every: saveEvery };
  const ds = (p.datasets as Record<string, unknown>[])[0] ?? {};
  p.datasets = [{ ...ds, folder_path: path.posix.join(layout.datasetsDir, req.dataset), resolution: req.resolutions ?? values.resolutions }];
  proc.train = {
    ...proc.train,
    steps,
    batch_size: req.batchSize ?? values.batchSize,
    lr: req.lr ?? values.lr,
    gradient_checkpointing: values.gradientCheckpointing || values.quantize,
    skip_first_sample: req.skipFirstSample ?? false,
  };
  proc.model = {
    ...proc.model,
    // A local diffusers folder (on the training host) in place of the Hugging Face id.
    ...(req.baseModel ? { name_or_path: req.baseModel } : {}),
    quantize: req.quantize ?? values.quantize,
    low_vram: req.lowVram ?? values.lowVram,
  };
  const prompts = (req.samplePrompts ?? t.sample_prompts).map((s) => (trigger ? s : s.replace(/\[trigger\]\s*,?\s*/g, '').trim()));
  proc.sample = { ...proc.sample, sample_every: req.sampleEvery ?? Math.min(values.sampleEvery, steps), prompts };
  const out: Record<string, unknown> = { ...base };
  if (req.test) out.flux_studio_test = req.test;
  const r = validateConfig(out);
  if (!r.ok) throw new PlanError(r.errors);
  return r.config;
}

export class PlanError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    this.name = 'PlanError';
  }
}

/** The YAML the review step shows and `train plan --print` prints. */
export function configToYaml(config: TrainingConfig, header?: string): string {
  const body = YAML.stringify(config, { lineWidth: 0, indent: 2 });
  return (header ? header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' : '') + body;
}
