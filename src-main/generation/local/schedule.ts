// The two samplers' schedules, computed exactly as diffusers 0.42 computes them, including
// where it works in float32 (numpy float32 arrays, torch float32 tensors): every such step
// is rounded with Math.fround so the sigmas and timesteps match diffusers bit for bit or
// to the last float32 unit.
//
// FLUX (FlowMatchEulerDiscreteScheduler as FluxPipeline drives it):
//   sigmas = linspace(1, 1/N, N) (float64) → float32;
//   mu = calculate_shift(image_seq_len) (a line through (256, 0.5) and (4096, 1.15));
//   dynamic shifting (dev): σ' = e^mu / (e^mu + (1/σ − 1)) in float32;
//   static shift (schnell, shift = 1): σ' = shift·σ / (1 + (shift − 1)·σ);
//   timesteps = σ'·1000; the sigmas get a trailing 0.
// SD-Turbo and SDXL-Turbo (EulerDiscreteScheduler, scaled_linear betas, "trailing" spacing,
// linear interpolation, final sigma zero). EulerAncestralDiscreteScheduler (what the
// stabilityai/sdxl-turbo repo names) has the same sigmas and timesteps; only its step differs
// (it adds fresh noise), which the pipeline does when `ancestral` is set.

const f = Math.fround;

export interface FlowMatchConfig {
  numTrainTimesteps: number;
  shift: number;
  useDynamicShifting: boolean;
  baseImageSeqLen: number;
  maxImageSeqLen: number;
  baseShift: number;
  maxShift: number;
  timeShiftType: 'exponential' | 'linear';
}

export interface EulerDiscreteConfig {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: 'scaled_linear' | 'linear';
  timestepSpacing: 'trailing' | 'linspace' | 'leading';
  stepsOffset: number;
  predictionType: 'epsilon' | 'v_prediction';
  /** EulerAncestralDiscreteScheduler: each step goes down to σ_down and adds noise·σ_up. */
  ancestral: boolean;
}

export type SchedulerConfig = { kind: 'flow-match'; config: FlowMatchConfig } | { kind: 'euler'; config: EulerDiscreteConfig };

/** The scheduler configs of the real models (their scheduler/scheduler_config.json). */
export const FLUX_DEV_SCHEDULER: FlowMatchConfig = {
  numTrainTimesteps: 1000,
  shift: 3.0,
  useDynamicShifting: true,
  baseImageSeqLen: 256,
  maxImageSeqLen: 4096,
  baseShift: 0.5,
  maxShift: 1.15,
  timeShiftType: 'exponential',
};
export const FLUX_SCHNELL_SCHEDULER: FlowMatchConfig = { ...FLUX_DEV_SCHEDULER, shift: 1.0, useDynamicShifting: false };
export const SD_TURBO_SCHEDULER: EulerDiscreteConfig = {
  numTrainTimesteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  timestepSpacing: 'trailing',
  stepsOffset: 1,
  predictionType: 'epsilon',
  ancestral: false,
};

export const KNOWN_SCHEDULES = {
  'flux-dev': { kind: 'flow-match', config: FLUX_DEV_SCHEDULER },
  'flux-schnell': { kind: 'flow-match', config: FLUX_SCHNELL_SCHEDULER },
  'sd-turbo': { kind: 'euler', config: SD_TURBO_SCHEDULER },
  // stabilityai/sdxl-turbo: the same betas, trailing spacing and steps_offset (its repo names
  // EulerAncestralDiscreteScheduler, whose sigmas and timesteps are these).
  'sdxl-turbo': { kind: 'euler', config: SD_TURBO_SCHEDULER },
} as const satisfies Record<string, SchedulerConfig>;
export type KnownScheduleModel = keyof typeof KNOWN_SCHEDULES;

export interface Schedule {
  /** N + 1 values, the last 0 (float32 values as JS numbers). */
  sigmas: number[];
  /** N values, what the pipeline iterates over. */
  timesteps: number[];
  /** FLUX only: the resolution-dependent shift; null for SD. */
  mu: number | null;
  /** SD only: the factor the initial noise is multiplied by; 1 for FLUX. */
  initNoiseSigma: number;
}

/** diffusers' calculate_shift (pipeline_flux.py), in float64 as Python computes it. */
export function calculateShift(imageSeqLen: number, baseSeqLen = 256, maxSeqLen = 4096, baseShift = 0.5, maxShift = 1.15): number {
  const m = (maxShift - baseShift) / (maxSeqLen - baseSeqLen);
  const b = baseShift - m * baseSeqLen;
  return imageSeqLen * m + b;
}

/** numpy.linspace(start, stop, num) in float64 (endpoint included, last value exactly `stop`). */
export function npLinspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  out[num - 1] = stop;
  return out;
}

/** Latent height/width (before packing) as FluxPipeline.prepare_latents computes them. */
export function fluxLatentSize(width: number, height: number, vaeScaleFactor = 8): { h: number; w: number; seqLen: number } {
  const h = 2 * Math.floor(height / (vaeScaleFactor * 2));
  const w = 2 * Math.floor(width / (vaeScaleFactor * 2));
  return { h, w, seqLen: (h / 2) * (w / 2) };
}

/** The FLUX schedule for N steps at an image sequence length (packed tokens). */
export function flowMatchSchedule(cfg: FlowMatchConfig, steps: number, imageSeqLen: number): Schedule {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a whole number ≥ 1 (got ${steps})`);
  const mu = calculateShift(imageSeqLen, cfg.baseImageSeqLen, cfg.maxImageSeqLen, cfg.baseShift, cfg.maxShift);
  // np.array(sigmas).astype(np.float32)
  let sigmas = npLinspace(1.0, 1 / steps, steps).map(f);
  if (cfg.useDynamicShifting) {
    // numpy 2 (NEP 50): the Python float is cast to float32 and every operation stays float32.
    const e = f(cfg.timeShiftType === 'exponential' ? Math.exp(mu) : mu);
    sigmas = sigmas.map((t) => f(e / f(e + f(f(1 / t) - 1))));
  } else {
    const s = f(cfg.shift);
    sigmas = sigmas.map((t) => f(f(s * t) / f(1 + f(f(s - 1) * t))));
  }
  if (!sigmas.every((s) => Number.isFinite(s))) {
    throw new RangeError(`the schedule is not defined at ${imageSeqLen} image tokens (the shift overflows float32); use a smaller size`);
  }
  const timesteps = sigmas.map((s) => f(s * cfg.numTrainTimesteps));
  return { sigmas: [...sigmas, 0], timesteps, mu, initNoiseSigma: 1 };
}

/**
 * torch.linspace(start, end, steps, dtype=float32) on the CPU: two halves, a float32 step,
 * and `start + step·i` rounded once (the kernel's fused multiply-add; checked against torch).
 */
function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  const s = f(start);
  const e = f(end);
  const step = f(f(e - s) / (steps - 1));
  const out = new Float32Array(steps);
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? f(s + step * i) : f(e - step * (steps - i - 1));
  return out;
}

/** alphas_cumprod as the scheduler builds it (cumprod accumulates in double on the CPU). */
export function alphasCumprod(cfg: EulerDiscreteConfig): Float32Array {
  const n = cfg.numTrainTimesteps;
  const betas =
    cfg.betaSchedule === 'scaled_linear'
      ? torchLinspaceF32(Math.sqrt(cfg.betaStart), Math.sqrt(cfg.betaEnd), n).map((b) => f(b * b))
      : torchLinspaceF32(cfg.betaStart, cfg.betaEnd, n);
  const out = new Float32Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) {
    acc *= f(1 - betas[i]!);
    out[i] = acc;
  }
  return out;
}

/** Python's round(): half to even (numpy.round does the same). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The SD-Turbo (EulerDiscreteScheduler) schedule for N steps. */
export function eulerDiscreteSchedule(cfg: EulerDiscreteConfig, steps: number): Schedule {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a whole number ≥ 1 (got ${steps})`);
  const n = cfg.numTrainTimesteps;
  let timesteps: number[];
  if (cfg.timestepSpacing === 'trailing') {
    const ratio = n / steps;
    const count = Math.ceil(n / ratio);
    timesteps = [];
    for (let i = 0; i < count; i++) timesteps.push(f(roundHalfEven(n + i * -ratio)) - 1);
  } else if (cfg.timestepSpacing === 'leading') {
    const ratio = Math.floor(n / steps);
    timesteps = [];
    for (let i = steps - 1; i >= 0; i--) timesteps.push(roundHalfEven(i * ratio) + cfg.stepsOffset);
  } else {
    timesteps = npLinspace(0, n - 1, steps).map(f).reverse();
  }
  const ac = alphasCumprod(cfg);
  const table = Array.from(ac, (a) => f(Math.sqrt(f(f(1 - a) / a))));
  const interp = (t: number): number => {
    const lo = Math.max(0, Math.min(n - 1, Math.floor(t)));
    const hi = Math.min(n - 1, lo + 1);
    const frac = t - lo;
    return frac === 0 ? table[lo]! : table[lo]! + (table[hi]! - table[lo]!) * frac;
  };
  const sigmas = [...timesteps.map((t) => f(interp(t))), 0];
  const maxSigma = Math.max(...sigmas);
  const initNoiseSigma = cfg.timestepSpacing === 'leading' ? f(Math.sqrt(f(f(maxSigma * maxSigma) + 1))) : maxSigma;
  return { sigmas, timesteps: timesteps.map(f), mu: null, initNoiseSigma };
}

/** The schedule a pipeline will use for a model at a size. */
export function scheduleFor(s: SchedulerConfig, steps: number, width: number, height: number, vaeScaleFactor = 8): Schedule {
  if (s.kind === 'euler') return eulerDiscreteSchedule(s.config, steps);
  return flowMatchSchedule(s.config, steps, fluxLatentSize(width, height, vaeScaleFactor).seqLen);
}

/** The schedule of a known model by name (the `schedule` command). */
export function knownSchedule(model: KnownScheduleModel, steps: number, width: number, height: number): Schedule {
  return scheduleFor(KNOWN_SCHEDULES[model], steps, width, height);
}

/** A scheduler/scheduler_config.json read into one of the two configs (unknown keys ignored). */
export function parseSchedulerConfig(json: Record<string, unknown>): SchedulerConfig {
  const num = (k: string, d: number): number => (typeof json[k] === 'number' ? (json[k] as number) : d);
  const bool = (k: string, d: boolean): boolean => (typeof json[k] === 'boolean' ? (json[k] as boolean) : d);
  const str = (k: string, d: string): string => (typeof json[k] === 'string' ? (json[k] as string) : d);
  const cls = str('_class_name', '');
  if (cls === 'FlowMatchEulerDiscreteScheduler') {
    for (const k of ['use_karras_sigmas', 'use_exponential_sigmas', 'use_beta_sigmas', 'invert_sigmas', 'stochastic_sampling']) {
      if (json[k] === true) throw new Error(`scheduler_config.json: ${k}=true is not supported`);
    }
    if (json.shift_terminal) throw new Error('scheduler_config.json: shift_terminal is not supported');
    const tst = str('time_shift_type', 'exponential');
    return {
      kind: 'flow-match',
      config: {
        numTrainTimesteps: num('num_train_timesteps', 1000),
        shift: num('shift', 1.0),
        useDynamicShifting: bool('use_dynamic_shifting', false),
        baseImageSeqLen: num('base_image_seq_len', 256),
        maxImageSeqLen: num('max_image_seq_len', 4096),
        baseShift: num('base_shift', 0.5),
        maxShift: num('max_shift', 1.15),
        timeShiftType: tst === 'linear' ? 'linear' : 'exponential',
      },
    };
  }
  if (cls === 'EulerDiscreteScheduler' || cls === 'EulerAncestralDiscreteScheduler') {
    for (const k of ['use_karras_sigmas', 'use_exponential_sigmas', 'use_beta_sigmas', 'rescale_betas_zero_snr']) {
      if (json[k] === true) throw new Error(`scheduler_config.json: ${k}=true is not supported`);
    }
    if (json.trained_betas) throw new Error('scheduler_config.json: trained_betas is not supported');
    // (EulerAncestralDiscreteScheduler has neither option: always linear, final sigma zero.)
    const interp = cls === 'EulerDiscreteScheduler' ? str('interpolation_type', 'linear') : 'linear';
    if (interp !== 'linear') throw new Error(`scheduler_config.json: interpolation_type ${interp} is not supported (only linear)`);
    const fst = cls === 'EulerDiscreteScheduler' ? str('final_sigmas_type', 'zero') : 'zero';
    if (fst !== 'zero') throw new Error(`scheduler_config.json: final_sigmas_type ${fst} is not supported (only zero)`);
    const bs = str('beta_schedule', 'linear');
    if (bs !== 'scaled_linear' && bs !== 'linear') throw new Error(`scheduler_config.json: beta_schedule ${bs} is not supported`);
    const spacing = str('timestep_spacing', 'linspace');
    if (spacing !== 'trailing' && spacing !== 'linspace' && spacing !== 'leading') {
      throw new Error(`scheduler_config.json: timestep_spacing ${spacing} is not supported`);
    }
    const pred = str('prediction_type', 'epsilon');
    if (pred !== 'epsilon' && pred !== 'v_prediction') throw new Error(`scheduler_config.json: prediction_type ${pred} is not supported`);
    return {
      kind: 'euler',
      config: {
        numTrainTimesteps: num('num_train_timesteps', 1000),
        betaStart: num('beta_start', 0.0001),
        betaEnd: num('beta_end', 0.02),
        betaSchedule: bs,
        timestepSpacing: spacing,
        stepsOffset: num('steps_offset', 0),
        predictionType: pred,
        ancestral: cls === 'EulerAncestralDiscreteScheduler',
      },
    };
  }
  throw new Error(`scheduler_config.json: scheduler ${cls || '(no _class_name)'} is not supported (FlowMatchEulerDiscreteScheduler, EulerDiscreteScheduler or EulerAncestralDiscreteScheduler)`);
}
