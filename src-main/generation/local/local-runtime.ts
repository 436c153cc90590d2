// The `local` GenerationRuntime: the generation job hands it a resolved request and gets
// encoded image bytes back, as from the remote runtime. Also generateLocal(), the one
// function behind `flux-studio local generate` (and `generate --local` once merged).
import fs from 'node:fs';
import path from 'node:path';
import type { GenerationRuntime, RuntimeContext, RuntimeOutput, RuntimeRequest } from '../runtime';
import { StudioError } from '../../core/studio-error';
import { writeFileAtomic } from '../../core/atomic-write';
import { outputName } from '../../metadata/embed';
import { NOISE_PRNG } from './latents';
import type { LocalService } from './local-service';
import type { StepEvent } from './pipeline';
import { LocalWorkerError } from './onnx-worker-client';

export class LocalRuntime implements GenerationRuntime {
  readonly id = 'local' as const;
  /** Recorded with each image: the noise is ours, not torch's. */
  readonly prng = NOISE_PRNG;

  constructor(private readonly local: LocalService) {}

  unavailableReason(): string | null {
    return this.local.activeModel() ? null : 'No local model: add a model folder (diffusers ONNX layout) in Settings → Models, or use a pod.';
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
          format: 'jpeg',
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

export interface LocalGenerateOptions {
  prompt: string;
  model: string;
  steps?: number;
  seed?: number;
  width?: number;
  height?: number;
  guidance?: number | null;
  maxSequenceLength?: number;
  /** Output file (.png → PNG, anything else JPEG); default: the output folder's dated name. */
  out?: string;
  outputDir: string;
  jpegQuality?: number;
  signal?: AbortSignal;
  onProgress?: (s: StepEvent) => void;
}

export interface LocalGenerateResult {
  path: string;
  model: string;
  kind: string;
  seed: number;
  steps: number;
  width: number;
  height: number;
  provider: string;
  prng: string;
  loadSeconds: number | null;
  seconds: number;
  sigmas: number[];
}

const DEFAULT_STEPS: Record<string, number> = { 'flux-dev': 28, 'flux-schnell': 4, 'sd-turbo': 1, 'sdxl-turbo': 1 };

/** One local generation from the command line (or `generate --local`): folder in, file out. */
export async function generateLocal(local: LocalService, o: LocalGenerateOptions): Promise<LocalGenerateResult> {
  const dir = path.resolve(o.model);
  const { info, error } = local.inspect(dir, true);
  if (!info) throw new StudioError('invalid_input', `--model: ${error}`, 'model');
  const seed = o.seed ?? Math.floor(Math.random() * 0xffffffff);
  const steps = o.steps ?? DEFAULT_STEPS[info.kind] ?? 4;
  const size = info.kind === 'sd-turbo' || info.kind === 'sdxl-turbo' ? 512 : 1024;
  const width = o.width ?? size;
  const height = o.height ?? size;
  const format = o.out && /\.png$/i.test(o.out) ? 'png' : 'jpeg';
  const t0 = performance.now();
  const image = await local.generate(
    dir,
    {
      prompt: o.prompt,
      steps,
      width,
      height,
      guidance: info.layout.usesGuidance ? (o.guidance ?? 3.5) : null,
      seed,
      maxSequenceLength: o.maxSequenceLength ?? null,
      format,
      quality: o.jpegQuality ?? 95,
    },
    { signal: o.signal, onProgress: o.onProgress },
  );
  let file = o.out ? path.resolve(o.out) : '';
  if (!file) {
    const { day, stem } = outputName(new Date(), seed);
    file = path.join(o.outputDir, day, `${stem}.${format === 'png' ? 'png' : 'jpg'}`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength));
  return {
    path: file,
    model: info.name,
    kind: info.kind,
    seed,
    steps,
    width: image.width,
    height: image.height,
    provider: image.provider,
    prng: NOISE_PRNG,
    loadSeconds: image.loadSeconds,
    seconds: (performance.now() - t0) / 1000,
    sigmas: image.sigmas,
  };
}
