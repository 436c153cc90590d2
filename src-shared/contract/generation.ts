// Generation: presets, resolving a draft into exact numbers, and generation jobs: one job kind for both runtimes (remote pod / local ONNX), queued per lane
// ("remote:<podId>" / "local"), with progress (step, total, ETA) and a result with the saved
// file. Nothing here may import Node or Electron.
import { z } from 'zod';
import { AbsolutePath, call, Empty, GenerationDraft, Job, PresetsView, ResolvedGeneration, Runtime } from './shapes';
import { PodId } from './pods';

/** A LoRA already on the runtime: `path` is where the runtime reads it (a pod path for remote). */
export const GenerationPathLora = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** Where the runtime reads it: a path on the pod (remote) or here (local). */
    path: z.string().min(1).max(4096).refine((p) => !p.includes('\0') && !p.includes('\n'), 'must not contain NUL or newline'),
    scale: z.number().min(-4).max(4),
  })
  .strict();

/**
 * A LoRA file on this computer (a trained checkpoint, `training.loras`’ `path`): only files under
 * <dataDir>/trainings/ are accepted; the remote runtime uploads it to the pod when it is not there
 * yet (<workspace>/loras/<sha256 prefix>-<name>.safetensors) and hands the worker that path.
 */
export const GenerationLocalLora = z
  .object({
    name: z.string().trim().min(1).max(200),
    localPath: AbsolutePath,
    scale: z.number().min(-4).max(4),
  })
  .strict();

export const GenerationLora = z.union([GenerationPathLora, GenerationLocalLora]);
export type GenerationLora = z.infer<typeof GenerationLora>;

/**
 * A draft and where it would run: with `runtime` the answer is what that runtime will run (the
 * local runtime's model folder decides the model, so its rules apply) and names the model.
 */
export const GenerationResolve = GenerationDraft.extend({
  runtime: Runtime.optional(),
  /** Local runtime only: a model folder instead of the one chosen in Settings. */
  localModel: AbsolutePath.optional(),
});
export type GenerationResolve = z.infer<typeof GenerationResolve>;

export const GenerationSubmit = z
  .object({
    draft: GenerationDraft,
    runtime: Runtime,
    /** Required for the remote runtime. */
    podId: PodId.optional(),
    /** Local runtime only: a model folder (diffusers ONNX layout) instead of the one chosen in Settings. */
    localModel: AbsolutePath.optional(),
    loras: z.array(GenerationLora).max(8).optional(),
    /** The prompt before Claude enhanced it (recorded in the image). */
    enhancedFrom: z.string().max(20_000).optional(),
  })
  .strict()
  .refine((r) => r.runtime !== 'remote' || r.podId !== undefined, { message: 'podId: choose a pod for the remote runtime', path: ['podId'] });
export type GenerationSubmit = z.infer<typeof GenerationSubmit>;

/** What a finished generation job returns (Job.result). */
export const GenerationResult = z.object({
  path: z.string(),
  secondPath: z.string().nullable(),
  imageId: z.string().nullable(),
  seed: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  runtime: Runtime,
  pod: z.string().nullable(),
  device: z.string().nullable(),
  remotePath: z.string().nullable(),
  loadSeconds: z.number().nullable(),
  generationSeconds: z.number(),
  totalSeconds: z.number(),
  /** True when the link dropped mid-run and the finished image was recovered after reconnecting. */
  recovered: z.boolean(),
  /** The model as recorded in the image (e.g. "flux-dev", a local folder's name). */
  model: z.string().optional(),
  /** The sigmas the sampler used, when the runtime reports them (local). */
  sigmas: z.array(z.number()).nullable().optional(),
});
export type GenerationResult = z.infer<typeof GenerationResult>;

export const RuntimeInfo = z.object({ id: Runtime, available: z.boolean(), label: z.string() });

export const generationCalls = {
  'presets.get': call({
    summary: 'The generation presets (configs/presets.yaml with the Settings overrides applied).',
    request: Empty,
    response: PresetsView,
  }),
  'generation.resolve': call({
    summary: 'Resolve a draft into exact numbers: preset values, sizes rounded to 16, a drawn seed, warnings; with a runtime, for what that runtime will run.',
    request: GenerationResolve,
    response: ResolvedGeneration,
  }),
  'generation.submit': call({
    summary: 'Queue a generation: the draft is resolved now (seed drawn), then runs on the chosen runtime; the image is saved with its parameters and indexed.',
    request: GenerationSubmit,
    response: Job,
  }),
  'generation.runtimes': call({
    summary: 'Which runtimes this studio can use (the local one registers itself when present).',
    request: Empty,
    response: z.array(RuntimeInfo),
  }),
} as const;
