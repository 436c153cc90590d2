// A GPU runtime (docs/architecture.md, "How a call travels"): `remote` (the warm worker on a pod over SSH) or `local`
// (ONNX Runtime here). The generation job hands a runtime the resolved request and gets back
// encoded image bytes; saving them (metadata, output folder, gallery) is the job's work, so
// both runtimes' images land through the same path.
import type { ModelId, ResolvedGeneration } from '@shared/contract';

export interface RuntimeLora {
  /** Display name (file name without extension). */
  name: string;
  /** Where the runtime reads it: a pod path for remote, a local path for local. */
  path: string;
  scale: number;
  sha256?: string | null;
  /**
   * A file on this computer (a trained checkpoint under <dataDir>/trainings/) that the remote
   * runtime uploads to the pod first (when not there yet); `path` is then ignored.
   */
  localPath?: string | null;
}

export interface RuntimeRequest {
  /** Local runtime: this model folder instead of the active one. */
  localModel?: string | null;
  /** The job id: runtimes use it as the worker request id and in logs. */
  jobId: string;
  generation: ResolvedGeneration;
  loras: readonly RuntimeLora[];
  /** The pod profile id (remote runtime only). */
  podId?: string | null;
  /** The encoding asked for (local runtime; absent: JPEG). The remote worker always writes JPEG. */
  format?: 'jpeg' | 'png' | null;
}

export interface RuntimeProgress {
  step: number;
  total: number;
  elapsedMs: number;
  /** e.g. "loading model", "denoising", "fetching image". */
  message?: string | null;
}

export interface RuntimeContext {
  signal: AbortSignal;
  progress(p: RuntimeProgress): void;
}

export interface RuntimeOutput {
  /** The encoded image (JPEG or PNG) as produced. */
  bytes: Buffer;
  seed: number;
  loadSeconds: number | null;
  generationSeconds: number;
  /** What actually ran it: "NVIDIA H100 80GB" on a pod, "cuda" / "cpu" / "dml" locally. */
  device: string | null;
  /** Pod profile name (remote only). */
  pod: string | null;
  /** Model label as written into the image's parameters (e.g. "flux-dev", a local folder name). */
  model: string;
  /** The image's path on the pod (remote only), for "delete from pod" and logs. */
  remotePath?: string | null;
  sigmas?: number[] | null;
  /** True when the link dropped mid-run and the finished image was fetched after reconnecting. */
  recovered?: boolean;
  /** The noise generator, when it is not torch's (the local runtime's Philox): recorded with the image. */
  prng?: string | null;
  /** The guidance the model actually used, when it differs from the request's (null: none, as for SD-Turbo); absent: as requested. */
  guidance?: number | null;
}

/**
 * The model a runtime will run whatever the draft's Model says (the local runtime: the model
 * folder's kind). The draft is resolved with `presetModel`'s rules (steps, guidance), so what
 * the Generate page shows is what runs and what the image records.
 */
export interface RuntimeModelChoice {
  /** Whose preset rules apply: FLUX.1-dev for a dev export, FLUX.1-schnell's (fixed steps, no guidance) otherwise. */
  presetModel: ModelId;
  /** The name written into the image's parameters (RuntimeOutput.model). */
  recordedAs: string;
  /** What it is, in words: "FLUX.1-schnell", "SD-Turbo". */
  kindLabel: string;
}

export interface GenerationRuntime {
  readonly id: 'local' | 'remote';
  /** The model this runtime runs for `localModel` (or its default), when the runtime decides it; null when it follows the draft or has none. */
  modelFor?(localModel: string | null): RuntimeModelChoice | null;
  generate(req: RuntimeRequest, ctx: RuntimeContext): Promise<RuntimeOutput>;
  /** Why this runtime cannot take a job right now (e.g. no local model); null when it can. Absent: always ready. */
  unavailableReason?(): string | null;
}
