// The `local` GenerationRuntime: the generation job hands it a resolved request and gets
// encoded image bytes back, as from the remote runtime. Also localGeneration(), the request
// `flux-studio local generate` submits to that same job (a model folder's own defaults).
import path from 'node:path';
import { MAX_SEED, type ResolvedGeneration } from '@shared/contract';
import type { GenerationRuntime, RuntimeContext, RuntimeModelChoice, RuntimeOutput, RuntimeRequest } from '../runtime';
import { StudioError } from '../../core/studio-error';
import { NOISE_PRNG } from './latents';
import type { LocalService } from './local-service';
import type { ModelFolderInfo } from './model-folder';
import type { StepEvent } from './pipeline';
import { LocalWorkerError } from './onnx-worker-client';

export class LocalRuntime implements GenerationRuntime {
  readonly id = 'local' as const;
  /** Recorded with each image: the noise is ours, not torch's. */
  readonly prng = NOISE_PRNG;

  constructor(private readonly local: LocalService) {}

  unavailableReason(): string | null {
    return this.local.activeModel()
      ? null
      : 'No local model: add one in Settings → Models (a diffusers ONNX folder, or download one), or `flux-studio local add DIR`; or use a pod.';
  }

  /** The folder's kind decides: FLUX.1-dev runs with dev's rules, every other kind with schnell's (fixed steps, no guidance). */
  modelFor(localModel: string | null): RuntimeModelChoice | null {
    const dir = localModel ?? this.local.activeModel();
    if (!dir) return null;
    const info = this.local.inspect(dir).info;
    if (!info) return null;
    return { presetModel: info.kind === 'flux-dev' ? 'flux-dev' : 'flux-schnell', recordedAs: info.name ?? path.basename(dir), kindLabel: KIND_LABEL[info.kind] ?? info.kind };
  }

  async generate(req: RuntimeRequest, ctx: RuntimeContext): Promise<RuntimeOutput> {
    const dir = req.localModel ?? this.local.activeModel();
    if (!dir) throw new StudioError('unavailable', 'no local model: add a model folder in Settings → Models (diffusers ONNX layout)');
    if (req.loras.length > 0) throw new StudioError('invalid_input', 'the local runtime does not apply LoRAs yet; use the remote runtime or remove them', 'loras');
    const g = req.generation;
    const info = this.local.inspect(dir).info;
    const t0 = performance.now();
    const started = Date.now();
    let total = g.steps;
    ctx.progress({ step: 0, total, elapsedMs: 0, message: 'loading model' });
    try {
      const image = await this.local.generate(
        dir,
        {
          prompt: g.prompt,
          steps: g.steps,
          width: g.width,
          height: g.height,
          guidance: g.guidance,
          seed: g.seed,
          maxSequenceLength: g.maxSequenceLength,
          format: req.format ?? 'jpeg',
          quality: g.jpegQuality,
        },
        {
          signal: ctx.signal,
          onProgress: (s: StepEvent) => {
            total = s.total;
            ctx.progress({ step: s.step, total: s.total, elapsedMs: Date.now() - started, message: 'denoising' });
          },
        },
      );
      return {
        bytes: Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength),
        seed: image.seed,
        loadSeconds: image.loadSeconds,
        generationSeconds: (performance.now() - t0) / 1000 - (image.loadSeconds ?? 0),
        device: image.provider,
        pod: null,
        model: info?.name ?? path.basename(dir),
        sigmas: image.sigmas,
        prng: NOISE_PRNG,
        // Only FLUX.1-dev has a guidance input; the others run without (recorded as none).
        guidance: info?.layout.usesGuidance ? (g.guidance ?? 3.5) : null,
      };
    } catch (err) {
      if (err instanceof LocalWorkerError && err.code === 'cancelled') {
        const e = new Error('cancelled');
        e.name = 'AbortError';
        throw e;
      }
      throw err;
    }
  }
}

const KIND_LABEL: Record<string, string> = { 'flux-dev': 'FLUX.1-dev', 'flux-schnell': 'FLUX.1-schnell', 'sd-turbo': 'SD-Turbo', 'sdxl-turbo': 'SDXL-Turbo' };

export interface LocalGenerationOptions {
  prompt: string;
  steps?: number;
  seed?: number;
  width?: number;
  height?: number;
  guidance?: number | null;
  maxSequenceLength?: number;
  jpegQuality: number;
}

const DEFAULT_STEPS: Record<string, number> = { 'flux-dev': 28, 'flux-schnell': 4, 'sd-turbo': 1, 'sdxl-turbo': 1 };

/**
 * The request for one image from a model folder, with the folder's own defaults (28 steps
 * FLUX.1-dev, 4 schnell, 1 SD-Turbo / SDXL-Turbo; 1024 px, 512 for the Turbos; guidance 3.5 for
 * FLUX.1-dev only; a random seed). Sizes are the caller's (no preset rounding or minimum).
 */
export function localGeneration(info: Pick<ModelFolderInfo, 'kind' | 'layout'>, o: LocalGenerationOptions): ResolvedGeneration {
  const size = info.kind === 'sd-turbo' || info.kind === 'sdxl-turbo' ? 512 : 1024;
  const seedWasRandom = o.seed === undefined;
  return {
    prompt: o.prompt,
    // Only the FLUX ids are model ids; the image records the folder's name (RuntimeOutput.model).
    model: info.kind === 'flux-dev' ? 'flux-dev' : 'flux-schnell',
    steps: o.steps ?? DEFAULT_STEPS[info.kind] ?? 4,
    quality: null,
    width: o.width ?? size,
    height: o.height ?? size,
    size: 'custom',
    guidance: info.layout.usesGuidance ? (o.guidance ?? 3.5) : null,
    seed: o.seed ?? Math.floor(Math.random() * MAX_SEED),
    seedWasRandom,
    jpegQuality: o.jpegQuality,
    cpuOffload: false,
    // The pipeline's own default when not asked: 512 tokens for FLUX.1-dev, 256 otherwise.
    maxSequenceLength: o.maxSequenceLength ?? (info.kind === 'flux-dev' ? 512 : 256),
    notes: [],
    warnings: [],
  };
}
