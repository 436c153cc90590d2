// THE generation job, shared by both runtimes: kind 'generation', one serial lane per runtime
// target ("remote:<podId>" / "local"). Submitting resolves the draft with the presets service
// (so the seed is drawn and recorded in the job row); running hands the resolved request to
// the runtime, saves the image with its parameters into the output folder by date (and the
// optional second folder), indexes it in the gallery and opens it when the user asked.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ResolvedGeneration, Runtime, type ImageParameters, type Job } from '@shared/contract';
import type { GenerationLora, GenerationResolve, GenerationResult, GenerationSubmit } from '@shared/contract/generation';
import { StudioError } from '../core/studio-error';
import { publishNoOverwrite, stagingPath } from '../core/no-overwrite';
import type { GalleryService } from '../gallery/gallery-service';
import type { JobExecutor, JobService } from '../jobs/job-service';
import type { Logger } from '../logging/logger';
import { saveImage } from '../metadata/embed';
import { emptyParameters } from '../metadata/params';
import type { Platform } from '../platform/platform';
import type { PresetsService } from './presets-service';
import type { RuntimeRegistry } from './runtime-registry';
import type { SettingsService } from '../settings/settings-service';

export const GENERATION_KIND = 'generation';

export const GenerationParams = z.object({
  runtime: Runtime,
  podId: z.string().nullable(),
  podName: z.string().nullable(),
  generation: ResolvedGeneration,
  /** `localPath`: a trained LoRA here that the remote runtime uploads first (then `path` is that same local path). */
  loras: z.array(z.object({ name: z.string(), path: z.string(), scale: z.number(), localPath: z.string().nullable().optional() })),
  enhancedFrom: z.string().nullable(),
  /** Local runtime: a model folder chosen for this job (null/absent: the active one). */
  localModel: z.string().nullable().optional(),
  /** Local runtime: PNG instead of JPEG (`flux-studio local generate --out x.png`). */
  format: z.enum(['jpeg', 'png']).nullable().optional(),
});
export type GenerationParams = z.infer<typeof GenerationParams>;

export interface GenerationDeps {
  jobs: JobService;
  presets: PresetsService;
  settings: SettingsService;
  gallery: GalleryService;
  runtimes: RuntimeRegistry;
  /** The pod's id and name (throws not_found): through the same PodLinks as the remote runtime. */
  pod(id: string): { id: string; name: string };
  platform: Platform;
  version: string;
  log: Logger;
  /** <dataDir>/trainings: the only folder whose LoRA files may be uploaded to a pod. */
  trainingsDir?: string;
}

export function laneFor(runtime: Runtime, podId: string | null): string {
  return runtime === 'remote' ? `remote:${podId ?? ''}` : 'local';
}

function short(text: string, n = 48): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function eta(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** Copies into <dir>/<YYYY-MM-DD>/<name> through a temp name; never overwrites (name_2…). */
function copyInto(file: string, dir: string): string {
  const day = path.basename(path.dirname(file));
  const target = path.join(dir, day);
  fs.mkdirSync(target, { recursive: true });
  const ext = path.extname(file);
  const stem = path.basename(file, ext);
  const staging = stagingPath(target, stem);
  fs.copyFileSync(file, staging);
  return publishNoOverwrite(staging, target, stem, ext);
}

export class GenerationService {
  constructor(private readonly deps: GenerationDeps) {}

  submit(req: GenerationSubmit): Job {
    const { runtimes } = this.deps;
    // Refuse now, with the reason, what cannot run (no such runtime; no local model unless
    // the request names a model folder of its own).
    if (req.runtime === 'local' && req.localModel) runtimes.get('local');
    else runtimes.ready(req.runtime);
    let pod: { id: string; name: string } | null = null;
    if (req.runtime === 'remote') {
      if (!req.podId) throw new StudioError('invalid_input', 'generation.submit: podId: choose a pod for the remote runtime', 'podId');
      pod = this.deps.pod(req.podId);
    }
    const generation = this.resolve({ ...req.draft, runtime: req.runtime, ...(req.localModel ? { localModel: req.localModel } : {}) });
    return this.enqueue(req, pod, generation);
  }

  /**
   * The draft resolved for where it runs: a runtime that decides the model itself (local: the
   * model folder's kind) resolves with that model's rules, so the steps, guidance and model the
   * page shows are what runs and what the image records (docs/architecture.md, "Generate page").
   */
  resolve(req: GenerationResolve): ResolvedGeneration {
    const { runtime, localModel, ...draft } = req;
    if (runtime === undefined) return this.deps.presets.resolve(draft);
    const choice = runtime === 'local' && this.deps.runtimes.has('local') ? (this.deps.runtimes.get('local').modelFor?.(localModel ?? null) ?? null) : null;
    if (!choice) {
      const resolved = this.deps.presets.resolve(draft);
      return { ...resolved, modelName: resolved.model };
    }
    const asked = draft.model;
    const resolved = this.deps.presets.resolve({ ...draft, model: choice.presetModel }, { label: choice.kindLabel });
    const notes = asked !== undefined && asked !== choice.presetModel ? [`The local model ${choice.recordedAs} (${choice.kindLabel}) runs: the Model choice does not apply`, ...resolved.notes] : resolved.notes;
    return { ...resolved, notes, modelName: choice.recordedAs, modelKind: choice.kindLabel };
  }

  /**
   * A local generation already resolved by its caller: `flux-studio local generate`, whose
   * model folder sets its own steps and size (tiny test exports included, under the presets'
   * minimum side). The same job as `submit`: saved with its parameters, indexed, by date.
   */
  submitLocal(req: { generation: ResolvedGeneration; localModel: string; format?: 'jpeg' | 'png' }): Job {
    this.deps.runtimes.get('local');
    return this.enqueue({ runtime: 'local', localModel: req.localModel, format: req.format }, null, req.generation);
  }

  private enqueue(
    req: { runtime: GenerationSubmit['runtime']; localModel?: string; loras?: GenerationLora[]; enhancedFrom?: string; format?: 'jpeg' | 'png' },
    pod: { id: string; name: string } | null,
    generation: ResolvedGeneration,
  ): Job {
    if (generation.prompt.trim() === '') throw new StudioError('invalid_input', 'generation.submit: prompt: must not be empty', 'prompt');
    const params: GenerationParams = {
      runtime: req.runtime,
      podId: pod?.id ?? null,
      podName: pod?.name ?? null,
      generation,
      loras: (req.loras ?? []).map((l, i) => ('localPath' in l ? { name: l.name, path: l.localPath, scale: l.scale, localPath: this.checkLocalLora(l.localPath, i) } : { name: l.name, path: l.path, scale: l.scale })),
      enhancedFrom: req.enhancedFrom ?? null,
      localModel: req.runtime === 'local' ? (req.localModel ?? null) : null,
      ...(req.runtime === 'local' && req.format ? { format: req.format } : {}),
    };
    return this.deps.jobs.submit(GENERATION_KIND, params);
  }

  /** A local LoRA file may only come from <dataDir>/trainings/ (no links out of it), and must be a .safetensors file. */
  private checkLocalLora(file: string, i: number): string {
    const field = `loras.${i}.localPath`;
    const bad = (why: string) => new StudioError('invalid_input', `generation.submit: ${field}: ${why}`, field);
    if (!this.deps.trainingsDir) throw bad('uploading LoRA files from this computer is not available here; give a path on the pod instead.');
    let real: string;
    let root: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      throw bad(`no such file ${file}. Pick a LoRA from the list again.`);
    }
    try {
      root = fs.realpathSync(this.deps.trainingsDir);
    } catch {
      throw bad(`only LoRAs trained here (under ${this.deps.trainingsDir}) can be uploaded, and there are none yet.`);
    }
    if (!real.startsWith(root + path.sep)) throw bad(`only LoRAs trained here (under ${this.deps.trainingsDir}) can be uploaded; ${file} is outside it.`);
    if (!/\.safetensors$/i.test(real)) throw bad(`${file} is not a .safetensors file.`);
    if (!fs.statSync(real).isFile()) throw bad(`${file} is not a file.`);
    return real;
  }

  executor(): JobExecutor<GenerationParams> {
    return {
      kind: GENERATION_KIND,
      params: GenerationParams,
      lane: (p) => laneFor(p.runtime, p.podId),
      title: (p) => `Generate “${short(p.generation.prompt)}” · ${p.generation.width}×${p.generation.height} · ${p.generation.steps} steps · ${p.runtime === 'remote' ? (p.podName ?? 'pod') : 'local GPU'}`,
      run: async ({ job, params, signal, progress, setRemoteRef }) => {
        const { settings, gallery, platform } = this.deps;
        const runtime = this.deps.runtimes.get(params.runtime);
        const g = params.generation;
        const t0 = performance.now();
        let firstStepAt: number | null = null;
        let firstStep = 0;
        if (params.podId) setRemoteRef(`ssh:${params.podName ?? params.podId}`, { podId: params.podId, requestId: job.id });
        progress({ step: 0, total: g.steps, message: 'queued on the runtime' });
        const out = await runtime.generate(
          { jobId: job.id, generation: g, loras: params.loras, podId: params.podId, localModel: params.localModel ?? null, format: params.format ?? null },
          {
            signal,
            progress: (p) => {
              let message = p.message ?? null;
              if (p.step > 0 && p.step < p.total && message === 'denoising') {
                const now = performance.now();
                if (firstStepAt === null) {
                  firstStepAt = now;
                  firstStep = p.step;
                } else if (p.step > firstStep) {
                  const perStep = (now - firstStepAt) / (p.step - firstStep);
                  message = `step ${p.step}/${p.total} · ETA ${eta(perStep * (p.total - p.step))}`;
                }
                if (message === 'denoising') message = `step ${p.step}/${p.total}`;
              }
              progress({ step: p.step, total: p.total, message });
            },
          },
        );
        if (signal.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
        progress({ step: g.steps, total: g.steps, message: 'saving' });
        const s = settings.get();
        const imageParams: ImageParameters = {
          ...emptyParameters(),
          prompt: g.prompt,
          enhancedFrom: params.enhancedFrom,
          model: out.model,
          seed: out.seed,
          steps: g.steps,
          guidance: out.guidance !== undefined ? out.guidance : g.guidance,
          width: g.width,
          height: g.height,
          jpegQuality: g.jpegQuality,
          loras: params.loras.map((l) => ({ name: l.name, scale: l.scale })),
          runtime: params.runtime,
          pod: out.pod,
          loadSeconds: out.loadSeconds,
          genSeconds: out.generationSeconds,
          source: 'studio',
        };
        const saved = saveImage({ outputDir: s.outputDir, bytes: out.bytes, params: imageParams, seed: out.seed, embed: s.embedMetadata, version: this.deps.version, sigmas: out.sigmas ?? null, prng: out.prng ?? null });
        let secondPath: string | null = null;
        if (s.secondOutputDir) {
          try {
            secondPath = copyInto(saved.path, s.secondOutputDir);
          } catch (err) {
            this.deps.log.warn(`could not copy ${saved.path} to the second folder ${s.secondOutputDir}: ${(err as Error).message}`);
          }
        }
        let imageId: string | null = null;
        try {
          imageId = await gallery.indexFile(saved.path);
        } catch (err) {
          this.deps.log.warn(`could not index ${saved.path}: ${(err as Error).message}`);
        }
        if (s.openAfterGenerate && platform.openPath) void platform.openPath(saved.path).catch(() => false);
        const result: GenerationResult = {
          path: saved.path,
          secondPath,
          imageId,
          seed: out.seed,
          width: g.width,
          height: g.height,
          bytes: fs.statSync(saved.path).size,
          runtime: params.runtime,
          pod: out.pod,
          device: out.device,
          remotePath: out.remotePath ?? null,
          loadSeconds: out.loadSeconds,
          generationSeconds: out.generationSeconds,
          totalSeconds: Math.round(performance.now() - t0) / 1000,
          recovered: out.recovered ?? false,
          model: out.model,
          sigmas: out.sigmas ?? null,
        };
        this.deps.log.info(`saved ${saved.path} (seed ${out.seed}${out.recovered ? ', recovered after a lost connection' : ''})`);
        return result;
      },
    };
  }
}
