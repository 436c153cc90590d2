// How long a training takes and what it costs on a rented GPU, shown before "Train on RunPod"
// starts (docs/architecture.md, "Train on RunPod"). Seconds per step come from earlier runs of
// the same model family on the same GPU type (the speed ai-toolkit reported), else from the
// table below; setup (pod start, ai-toolkit install check, model download) is a flat allowance.
import type { TrainingModel } from '@shared/contract/training';

/**
 * Seconds per step of a FLUX LoRA at ai-toolkit's defaults (1024 px buckets, batch 1, rank 16,
 * quantized on 24 GB cards), by GPU. Rough, published-benchmark level numbers: an estimate
 * until this studio has timed a run on that GPU. The first match (by GPU type id or name) wins.
 */
export const DEFAULT_SECONDS_PER_STEP: readonly { match: RegExp; label: string; secondsPerStep: number }[] = [
  { match: /H200/i, label: 'H200', secondsPerStep: 1.0 },
  { match: /H100/i, label: 'H100', secondsPerStep: 1.2 },
  { match: /A100.*80|A100-SXM|A100 SXM/i, label: 'A100 80 GB', secondsPerStep: 1.8 },
  { match: /A100/i, label: 'A100', secondsPerStep: 2.0 },
  { match: /L40S/i, label: 'L40S', secondsPerStep: 2.0 },
  { match: /RTX 6000 Ada|6000 Ada/i, label: 'RTX 6000 Ada', secondsPerStep: 2.2 },
  { match: /5090/i, label: 'RTX 5090', secondsPerStep: 2.0 },
  { match: /4090/i, label: 'RTX 4090', secondsPerStep: 2.6 },
  { match: /L40\b/i, label: 'L40', secondsPerStep: 2.6 },
  { match: /A6000|A40\b/i, label: 'RTX A6000 / A40', secondsPerStep: 3.2 },
  { match: /3090/i, label: 'RTX 3090', secondsPerStep: 4.0 },
  { match: /A5000|L4\b|4080/i, label: 'RTX A5000 / L4 / RTX 4080', secondsPerStep: 4.5 },
];
/** A GPU the table does not know. */
export const UNKNOWN_GPU_SECONDS_PER_STEP = 4.0;
/** Other model families relative to FLUX (smaller UNets train faster). */
export const MODEL_SPEED_FACTOR: Record<TrainingModel, number> = { 'flux-dev': 1, 'flux-schnell': 1, sdxl: 0.5, sd15: 0.25 };
/** Pod start or create, ai-toolkit install check and model download: a new pod downloads everything, an existing one mostly has it. */
export const SETUP_SECONDS = { newPod: 15 * 60, existingPod: 4 * 60 } as const;

export interface TrainingEstimateInput {
  steps: number;
  model: TrainingModel;
  /** GPU type id or name; null: unknown. */
  gpu: string | null;
  /** Seconds per step of earlier runs on this GPU (newest first). */
  history: readonly number[];
  newPod: boolean;
  /** Compute USD/h of the GPU; null: unknown (then no cost). */
  ratePerHr: number | null;
  budget: { cap: 'session' | 'month'; leftUsd: number } | null;
}

export interface TrainingEstimate {
  secondsPerStep: number;
  basis: 'history' | 'default';
  /** Where the speed comes from, for the user ("3 earlier runs on RTX 4090", "default for H100"). */
  basisNote: string;
  setupSeconds: number;
  seconds: number;
  ratePerHr: number | null;
  usd: number | null;
  budgetCap: 'session' | 'month' | null;
  budgetLeftUsd: number | null;
  /** The estimate is more than what is left: starting needs the user's confirmation. */
  exceedsBudget: boolean;
}

export function defaultSecondsPerStep(gpu: string | null): { secondsPerStep: number; label: string | null } {
  const hit = gpu ? DEFAULT_SECONDS_PER_STEP.find((d) => d.match.test(gpu)) : undefined;
  return hit ? { secondsPerStep: hit.secondsPerStep, label: hit.label } : { secondsPerStep: UNKNOWN_GPU_SECONDS_PER_STEP, label: null };
}

export function estimateTraining(i: TrainingEstimateInput): TrainingEstimate {
  let secondsPerStep: number;
  let basis: TrainingEstimate['basis'];
  let basisNote: string;
  if (i.history.length > 0) {
    const sorted = [...i.history].sort((a, b) => a - b);
    secondsPerStep = sorted[Math.floor(sorted.length / 2)] as number;
    basis = 'history';
    basisNote = `${i.history.length} earlier run${i.history.length === 1 ? '' : 's'} of ${i.model} on ${i.gpu ?? 'this GPU'}`;
  } else {
    const d = defaultSecondsPerStep(i.gpu);
    secondsPerStep = d.secondsPerStep * MODEL_SPEED_FACTOR[i.model];
    basis = 'default';
    basisNote = d.label ? `the studio's default for ${d.label} (no run timed on it yet)` : `the studio's default for an unknown GPU (${i.gpu ?? 'none picked'})`;
  }
  const setupSeconds = i.newPod ? SETUP_SECONDS.newPod : SETUP_SECONDS.existingPod;
  const seconds = Math.round(setupSeconds + i.steps * secondsPerStep);
  const usd = i.ratePerHr === null ? null : Math.round(i.ratePerHr * (seconds / 3600) * 100) / 100;
  return {
    secondsPerStep,
    basis,
    basisNote,
    setupSeconds,
    seconds,
    ratePerHr: i.ratePerHr,
    usd,
    budgetCap: i.budget?.cap ?? null,
    budgetLeftUsd: i.budget ? Math.round(i.budget.leftUsd * 100) / 100 : null,
    exceedsBudget: usd !== null && i.budget !== null && usd > i.budget.leftUsd,
  };
}
