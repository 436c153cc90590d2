// Generation presets: configs/presets.yaml plus the user's overrides from Settings, and
// the one function that turns a draft (preset names, maybe a custom size) into the exact
// request a runtime receives. The Generate page, the CLI's --dry-run and the runtimes all
// resolve through here, so "Portrait" means the same numbers everywhere.
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import {
  MAX_SEED,
  MODEL_IDS,
  QUALITY_PRESETS,
  type GenerationDraft,
  type GuidancePreset,
  type ModelId,
  type PresetsView,
  type QualityPreset,
  type ResolvedGeneration,
  type Settings,
  type SizePreset,
} from '@shared/contract';
import { StudioError } from '../core/studio-error';

const Labelled = { label: z.string() };
const PresetsFile = z.object({
  models: z.record(
    z.enum(MODEL_IDS),
    z.object({
      ...Labelled,
      repo: z.string(),
      usesGuidance: z.boolean(),
      maxSequenceLength: z.number().int(),
      trainedPixels: z.array(z.number().int().positive()).min(1),
      defaultQuality: z.enum(QUALITY_PRESETS),
      fixedSteps: z.number().int().positive().optional(),
    }),
  ),
  quality: z.record(z.enum(QUALITY_PRESETS), z.object({ ...Labelled, steps: z.number().int().min(1).max(200) })),
  sizes: z.record(z.enum(['square', 'portrait', 'landscape', 'hd', '4k']), z.object({ ...Labelled, width: z.number().int(), height: z.number().int() })),
  limits: z.object({ minSide: z.number().int(), maxSide: z.number().int(), farFromTrainedFactor: z.number().gt(1) }),
  guidance: z.object({
    creative: z.object({ ...Labelled, value: z.number() }),
    default: z.object({ ...Labelled, value: z.number() }),
    strict: z.object({ ...Labelled, value: z.number() }),
    customRange: z.tuple([z.number(), z.number()]),
  }),
  defaults: z.object({
    model: z.enum(MODEL_IDS),
    quality: z.enum(QUALITY_PRESETS),
    size: z.enum(['square', 'portrait', 'landscape', 'hd', '4k']),
    guidance: z.enum(['creative', 'default', 'strict']),
    jpegQuality: z.number().int().min(1).max(100),
    cpuOffload: z.boolean(),
  }),
});
export type PresetsFile = z.infer<typeof PresetsFile>;

export function loadPresets(configsDir: string): PresetsFile {
  const file = path.join(configsDir, 'presets.yaml');
  const parsed = PresetsFile.safeParse(YAML.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  for (const [id, s] of Object.entries(parsed.data.sizes)) {
    if (s.width % 16 || s.height % 16) throw new Error(`${file}: sizes.${id} must use multiples of 16`);
  }
  return parsed.data;
}

const roundTo16 = (n: number) => Math.max(16, Math.round(n / 16) * 16);
const megapixels = (px: number) => (px / 1_000_000).toFixed(1);

export class PresetsService {
  constructor(
    private readonly presets: PresetsFile,
    private readonly settings: () => Settings,
    private readonly randomSeed: () => number = () => randomInt(0, MAX_SEED + 1),
  ) {}

  private steps(q: QualityPreset): number {
    return this.settings().presetOverrides.qualitySteps?.[q] ?? this.presets.quality[q].steps;
  }

  private guidanceValue(g: Exclude<GuidancePreset, 'custom'>): number {
    return this.settings().presetOverrides.guidanceValues?.[g] ?? this.presets.guidance[g].value;
  }

  view(): PresetsView {
    const p = this.presets;
    const s = this.settings();
    return {
      models: MODEL_IDS.map((id) => ({
        id,
        label: p.models[id].label,
        usesGuidance: p.models[id].usesGuidance,
        maxSequenceLength: p.models[id].maxSequenceLength,
        defaultQuality: p.models[id].defaultQuality,
        fixedSteps: p.models[id].fixedSteps ?? null,
      })),
      quality: QUALITY_PRESETS.map((id) => ({ id, label: p.quality[id].label, steps: this.steps(id) })),
      sizes: (['square', 'portrait', 'landscape', 'hd', '4k'] as const).map((id) => ({ id, ...p.sizes[id] })),
      guidance: (['creative', 'default', 'strict'] as const).map((id) => ({ id, label: p.guidance[id].label, value: this.guidanceValue(id) })),
      guidanceRange: p.guidance.customRange,
      sideRange: [p.limits.minSide, p.limits.maxSide],
      defaults: {
        model: s.defaultModel,
        quality: s.defaultQuality,
        size: s.defaultSize,
        guidance: s.defaultGuidance,
        jpegQuality: s.jpegQuality,
        cpuOffload: s.cpuOffload,
      },
    };
  }

  /**
   * Draft → exact numbers. Bad values throw invalid_input naming the field; odd ones become
   * warnings. `label` names the model in them when another model runs by these rules (a local SD-Turbo).
   */
  resolve(draft: GenerationDraft, opts: { label?: string } = {}): ResolvedGeneration {
    const s = this.settings();
    const p = this.presets;
    const notes: string[] = [];
    const warnings: string[] = [];
    const model: ModelId = draft.model ?? s.defaultModel;
    const spec = { ...p.models[model], label: opts.label ?? p.models[model].label };

    // Steps: explicit > model's fixed steps (schnell) > quality preset.
    let steps: number;
    let quality: QualityPreset | null = null;
    if (draft.steps !== undefined) {
      steps = draft.steps;
    } else if (spec.fixedSteps !== undefined) {
      steps = spec.fixedSteps;
      if (draft.quality !== undefined && this.steps(draft.quality) !== spec.fixedSteps) {
        notes.push(`${spec.label} is a ${spec.fixedSteps}-step model: the ${p.quality[draft.quality].label} preset does not apply`);
      }
    } else {
      quality = draft.quality ?? s.defaultQuality;
      steps = this.steps(quality);
    }
    if (spec.fixedSteps !== undefined && steps > spec.fixedSteps * 2) {
      warnings.push(`${spec.label} is distilled for ${spec.fixedSteps} steps; ${steps} steps take longer and rarely look better`);
    }
    if (spec.usesGuidance && steps < 20) {
      warnings.push(`${spec.label} wants 20–50 steps; ${steps} steps give a rough draft`);
    }

    // Size: a preset, or custom W×H rounded to the nearest multiple of 16.
    const customGiven = draft.width !== undefined || draft.height !== undefined;
    const size: SizePreset = draft.size ?? (customGiven ? 'custom' : s.defaultSize);
    let width: number;
    let height: number;
    if (size === 'custom') {
      if (draft.width === undefined) throw new StudioError('invalid_input', 'width: a custom size needs a width and a height', 'width');
      if (draft.height === undefined) throw new StudioError('invalid_input', 'height: a custom size needs a width and a height', 'height');
      width = roundTo16(draft.width);
      height = roundTo16(draft.height);
      if (width !== draft.width || height !== draft.height) {
        notes.push(`${draft.width} × ${draft.height} rounded to ${width} × ${height} (FLUX needs multiples of 16)`);
      }
    } else {
      ({ width, height } = p.sizes[size]);
    }
    for (const [field, value, asked] of [['width', width, draft.width], ['height', height, draft.height]] as const) {
      const shown = size === 'custom' && asked !== undefined && asked !== value ? `${asked} px (${value} after rounding)` : `${value} px`;
      if (value < p.limits.minSide) {
        throw new StudioError('invalid_input', `${field}: ${shown} is under the minimum of ${p.limits.minSide} px`, field);
      }
      if (value > p.limits.maxSide) {
        throw new StudioError('invalid_input', `${field}: ${shown} is over the maximum of ${p.limits.maxSide} px`, field);
      }
    }
    const pixels = width * height;
    const trained = spec.trainedPixels[0] ?? 1_048_576;
    const factor = pixels / trained;
    if (factor > p.limits.farFromTrainedFactor) {
      warnings.push(
        `${width} × ${height} is ${factor.toFixed(1)}× the ~${megapixels(trained)} MP ${spec.label} was trained on: expect repeated subjects or stretched anatomy, and much longer generation`,
      );
    } else if (factor < 1 / p.limits.farFromTrainedFactor) {
      warnings.push(`${width} × ${height} is far below the ~${megapixels(trained)} MP ${spec.label} was trained on: expect soft, less detailed images`);
    }

    // Guidance: only for models with a guidance input.
    let guidance: number | null = null;
    const guidancePreset = draft.guidance ?? s.defaultGuidance;
    if (spec.usesGuidance) {
      if (guidancePreset === 'custom') {
        if (draft.guidanceValue === undefined) {
          throw new StudioError('invalid_input', 'guidanceValue: custom guidance needs a value (1.0–7.0)', 'guidanceValue');
        }
        const [lo, hi] = p.guidance.customRange;
        if (draft.guidanceValue < lo || draft.guidanceValue > hi) {
          throw new StudioError('invalid_input', `guidanceValue: ${draft.guidanceValue} is outside ${lo}–${hi}`, 'guidanceValue');
        }
        guidance = draft.guidanceValue;
      } else {
        guidance = this.guidanceValue(guidancePreset);
      }
    } else if (draft.guidance !== undefined || draft.guidanceValue !== undefined) {
      notes.push(`${spec.label} has no guidance input: the guidance setting does not apply`);
    }

    const seedWasRandom = draft.seed === undefined || draft.seed === null;
    const seed = seedWasRandom ? this.randomSeed() : (draft.seed as number);

    return {
      prompt: draft.prompt,
      model,
      steps,
      quality,
      width,
      height,
      size,
      guidance,
      seed,
      seedWasRandom,
      jpegQuality: draft.jpegQuality ?? s.jpegQuality,
      cpuOffload: draft.cpuOffload ?? s.cpuOffload,
      maxSequenceLength: spec.maxSequenceLength,
      notes,
      warnings,
    };
  }
}
