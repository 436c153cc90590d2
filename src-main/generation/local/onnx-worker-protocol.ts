// Messages between the studio and the inference child process (child_process.fork with
// serialization 'advanced': structured clone, so Float32Array and Uint8Array cross as is).
import type { LocalModelKind } from './model-folder';
import type { ProviderPreference } from './providers';
import type { GenerateParams, ProviderReport, StepEvent } from './pipeline';

export interface WorkerGenerate extends GenerateParams {
  format: 'png' | 'jpeg';
  quality: number;
  /** Also send back the final latents (tests, parity). */
  returnLatents?: boolean;
}

export type ToWorker =
  | { type: 'load'; id: number; dir: string; provider: ProviderPreference; threads: number }
  | { type: 'generate'; id: number; request: WorkerGenerate }
  | { type: 'cancel'; id: number }
  | { type: 'status'; id: number }
  | { type: 'unload'; id: number };

export interface WorkerStatus {
  pid: number;
  rssBytes: number;
  model: { dir: string; name: string; kind: LocalModelKind; sizeBytes: number } | null;
  provider: ProviderReport | null;
}

export interface WorkerImage {
  bytes: Uint8Array;
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  seed: number;
  sigmas: number[];
  timesteps: number[];
  finalLatents: Float32Array | null;
  initialLatents: Float32Array | null;
  encodeMs: number;
  denoiseMs: number;
  decodeMs: number;
  steps: StepEvent[];
  truncated: { clip: number; t5: number };
}

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'loaded'; id: number; status: WorkerStatus; loadMs: number }
  | { type: 'progress'; id: number; step: StepEvent }
  | { type: 'image'; id: number; image: WorkerImage }
  | { type: 'status'; id: number; status: WorkerStatus }
  | { type: 'unloaded'; id: number }
  | { type: 'error'; id: number; code: 'cancelled' | 'model' | 'failed'; message: string }
  | { type: 'log'; line: string };
