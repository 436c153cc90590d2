// The FLUX, SD-Turbo and SDXL-Turbo pipelines over onnxruntime-node sessions, step for step
// as diffusers' FluxPipeline, StableDiffusionPipeline and StableDiffusionXLPipeline (guidance 0)
// run them, in float32 (each graph's own input/output types — fp16, int64 ids — are converted at
// the boundary, tensors.ts): tokenize → encode → noise from the seed → denoise (flow-match Euler /
// Euler) → unpack → VAE scale and shift → decode → RGB bytes. SDXL encodes the prompt with both
// CLIPs: their penultimate hidden states side by side are the UNet's encoder_hidden_states, the
// second's pooled projection is its text_embeds, and time_ids = [H, W, 0, 0, H, W] (original
// size, crop top-left, target size). Runs inside the inference child process (worker.ts);
// nothing here knows about IPC.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { gaussianNoise, latentImageIds, packLatents, textIds, unpackLatents } from './latents';
import { inspectModelFolder, ModelFolderError, resolvePartIo, type ModelFolderInfo, type PartName } from './model-folder';
import type { IoInfo } from './onnx-header';
import { providerChain, providerFromProfile, type ProviderName, type ProviderPreference } from './providers';
import { fluxLatentSize, scheduleFor, type Schedule } from './schedule';
import { feed, readFloats } from './tensors';
import { ClipPromptTokenizer, T5PromptTokenizer } from './tokenize';

const f = Math.fround;

export interface LoadOptions {
  provider: ProviderPreference;
  /** Intra-op threads; 0 lets onnxruntime decide. */
  threads: number;
  log?: (line: string) => void;
}

export interface GenerateParams {
  prompt: string;
  steps: number;
  width: number;
  height: number;
  /** FLUX.1-dev's guidance input (3.5 by default); ignored by models without one. */
  guidance: number | null;
  seed: number;
  /** T5 length for FLUX (512 dev, 256 schnell by default; an export that fixes it wins). */
  maxSequenceLength?: number | null;
  /** Use these as the initial latents instead of drawing them from the seed (parity tests). */
  initialLatents?: Float32Array | null;
  /** FLUX: whether initialLatents are packed [1, seq, C·4] (as FluxPipeline takes them) or [1, C, h, w]. */
  initialLatentsPacked?: boolean;
  /**
   * Ancestral Euler (EulerAncestralDiscreteScheduler): the noise added after each step, one
   * [1, C, h, w] array per step, instead of the seed's streams 1…N (parity tests).
   */
  stepNoise?: Float32Array[] | null;
}

export interface StepEvent {
  step: number;
  total: number;
  sigma: number;
  /** This step's time, and the part of it inside session.run. */
  stepMs: number;
  runMs: number;
}

export interface GenerateResult {
  /** RGB, row-major, 3 bytes a pixel. */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** The latents after the last step, as the pipeline holds them (packed [1, seq, C·4] for FLUX). */
  finalLatents: Float32Array;
  initialLatents: Float32Array;
  schedule: Schedule;
  encodeMs: number;
  denoiseMs: number;
  decodeMs: number;
  steps: StepEvent[];
  truncated: { clip: number; t5: number };
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

interface Part {
  session: ort.InferenceSession;
  inputs: Record<string, IoInfo>;
  outputs: Record<string, IoInfo>;
}

export interface ProviderReport {
  requested: ProviderName[];
  /** The provider the sessions were created with. */
  created: ProviderName;
  /** What the profile of the first denoiser run says did the work (null until then). */
  detected: string | null;
  detectedShare: number | null;
  /** Why earlier providers in the chain were not used. */
  fallbacks: string[];
}

function toIo(meta: readonly ort.InferenceSession.ValueMetadata[]): IoInfo[] {
  return meta.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d))) } : { name: m.name, type: 'unknown', shape: [] }));
}

function epOption(p: ProviderName): ort.InferenceSession.ExecutionProviderConfig {
  if (p === 'cuda') return { name: 'cuda', deviceId: 0 };
  if (p === 'dml') return { name: 'dml', deviceId: 0 } as ort.InferenceSession.ExecutionProviderConfig;
  return 'cpu';
}

function idsTensor(io: IoInfo, ids: number[]): ort.Tensor {
  if (io.type === 'int32') return new ort.Tensor('int32', Int32Array.from(ids), [1, ids.length]);
  return new ort.Tensor('int64', BigInt64Array.from(ids.map((i) => BigInt(i))), [1, ids.length]);
}

/** A [1] or [] tensor of the graph's type (float32/float16, or int64 for UNets exported with integer timesteps). */
function scalarTensor(io: IoInfo, value: number): ort.Tensor {
  return feed(io, Float32Array.from([value]), io.shape.length === 0 ? [] : [1]);
}

const floats = readFloats;

export class LocalPipeline {
  private profiled = false;
  private profileDir: string | null = null;

  private constructor(
    readonly info: ModelFolderInfo,
    private readonly parts: Partial<Record<PartName, Part>>,
    private readonly clip: ClipPromptTokenizer,
    private readonly t5: T5PromptTokenizer | null,
    /** SDXL's second CLIP tokenizer (tokenizer_2: same BPE, its own pad token). */
    private readonly clip2: ClipPromptTokenizer | null,
    readonly provider: ProviderReport,
    profileDir: string,
    private readonly log: (line: string) => void,
  ) {
    this.profileDir = profileDir;
  }

  static async load(dir: string, opts: LoadOptions): Promise<LocalPipeline> {
    const log = opts.log ?? (() => undefined);
    const info = inspectModelFolder(dir);
    const clip = ClipPromptTokenizer.fromDir(path.join(info.dir, 'tokenizer'));
    const t5 = info.layout.family === 'flux' ? T5PromptTokenizer.fromDir(path.join(info.dir, 'tokenizer_2')) : null;
    const clip2 = info.layout.family === 'sdxl' ? ClipPromptTokenizer.fromDir(path.join(info.dir, 'tokenizer_2')) : null;
    const names = Object.keys(info.layout.parts) as PartName[];
    const chain = providerChain(opts.provider);
    const fallbacks: string[] = [];
    const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-ort-'));
    for (let i = 0; i < chain.length; i++) {
      const ep = chain[i]!;
      const parts: Partial<Record<PartName, Part>> = {};
      try {
        for (const name of names) {
          // The denoiser's first run is profiled to see where its nodes ran.
          const profile = name === 'transformer' || name === 'unet';
          const session = await ort.InferenceSession.create(path.join(info.dir, name, 'model.onnx'), {
            executionProviders: [epOption(ep)],
            graphOptimizationLevel: 'all',
            ...(opts.threads > 0 ? { intraOpNumThreads: opts.threads } : {}),
            logSeverityLevel: 3,
            ...(profile ? { enableProfiling: true, profileFilePrefix: path.join(profileDir, name) } : {}),
          });
          // The loaded session's own metadata must give the same mapping as the header did.
          const io = resolvePartIo(name, { inputs: toIo(session.inputMetadata), outputs: toIo(session.outputMetadata) }, info.layout.family);
          parts[name] = { session, ...io };
        }
        log(`loaded ${info.name} (${info.kind}) with ${ep}`);
        return new LocalPipeline(info, parts, clip, t5, clip2, { requested: chain, created: ep, detected: null, detectedShare: null, fallbacks }, profileDir, log);
      } catch (err) {
        for (const p of Object.values(parts)) await p.session.release().catch(() => undefined);
        if (err instanceof ModelFolderError || i === chain.length - 1) {
          fs.rmSync(profileDir, { recursive: true, force: true });
          throw err;
        }
        const hint = ep === 'cuda' ? ' (needs the CUDA build: ONNXRUNTIME_NODE_INSTALL=cuda12 with CUDA 12 and cuDNN 9 on the library path)' : '';
        const why = `${ep}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}${hint}`;
        fallbacks.push(why);
        log(`provider ${why}; trying ${chain[i + 1]}`);
      }
    }
    throw new Error('no execution provider could load the model');
  }

  async release(): Promise<void> {
    for (const p of Object.values(this.parts)) await p.session.release().catch(() => undefined);
    if (this.profileDir) fs.rmSync(this.profileDir, { recursive: true, force: true });
  }

  private part(name: PartName): Part {
    const p = this.parts[name];
    if (!p) throw new Error(`the model has no ${name}`);
    return p;
  }

  private async run(name: PartName, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    return this.part(name).session.run(feeds);
  }

  /** Reads the profile of the denoiser's first run (once) and stops profiling. */
  private detectProvider(name: PartName): void {
    if (this.profiled) return;
    this.profiled = true;
    const session = this.part(name).session;
    try {
      session.endProfiling();
      const dir = this.profileDir!;
      const file = fs.readdirSync(dir).map((f2) => path.join(dir, f2)).find((f2) => path.basename(f2).startsWith(name));
      const r = file ? providerFromProfile(file) : null;
      if (r) {
        this.provider.detected = r.provider;
        this.provider.detectedShare = r.share;
        this.log(`${name} ran on ${r.provider} (${(r.share * 100).toFixed(1)}% of kernel time)`);
      }
    } catch (err) {
      this.log(`could not read the ORT profile: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      fs.rmSync(this.profileDir!, { recursive: true, force: true });
      this.profileDir = null;
    }
  }

  /** The schedule this model uses for a request. */
  schedule(steps: number, width: number, height: number): Schedule {
    return scheduleFor(this.info.scheduler, steps, width, height, this.info.layout.vaeScaleFactor);
  }

  /** Latent [C, h, w] size for an image size. */
  latentShape(width: number, height: number): { c: number; h: number; w: number } {
    const L = this.info.layout;
    if (L.family === 'flux') {
      const { h, w } = fluxLatentSize(width, height, L.vaeScaleFactor);
      return { c: L.latentChannels, h, w };
    }
    return { c: L.latentChannels, h: Math.floor(height / L.vaeScaleFactor), w: Math.floor(width / L.vaeScaleFactor) };
  }

  async generate(p: GenerateParams, ctx: { signal?: AbortSignal; onStep?: (e: StepEvent) => void } = {}): Promise<GenerateResult> {
    const check = () => {
      if (ctx.signal?.aborted) throw new CancelledError();
    };
    check();
    const L = this.info.layout;
    const t0 = performance.now();
    const { c, h, w } = this.latentShape(p.width, p.height);
    if (h < 2 || w < 2) throw new RangeError(`${p.width}×${p.height} is too small for this model`);
    const schedule = this.schedule(p.steps, p.width, p.height);
    const clipIds = this.clip.encode(p.prompt);
    const clipPart = this.part('text_encoder');
    const clipOut = await this.run('text_encoder', { [clipPart.inputs.input_ids!.name]: idsTensor(clipPart.inputs.input_ids!, clipIds.ids) });
    check();
    const noise = p.initialLatents ?? gaussianNoise(p.seed, c * h * w);
    if (noise.length !== c * h * w) throw new RangeError(`initial latents hold ${noise.length} values, expected ${c}×${h}×${w}`);
    const stepsOut: StepEvent[] = [];
    let latents: Float32Array;
    let initial: Float32Array;
    let t5Truncated = 0;
    let encodeMs = 0;
    let denoiseMs = 0;

    if (L.family === 'flux') {
      const pooled = floats(clipOut[clipPart.outputs.pooler_output!.name], 'text_encoder pooler_output');
      const seqLen = L.fixedT5Length ?? p.maxSequenceLength ?? (L.kind === 'flux-dev' ? 512 : 256);
      const t5Ids = this.t5!.encode(p.prompt, seqLen);
      t5Truncated = t5Ids.truncated;
      const t5Part = this.part('text_encoder_2');
      const t5Out = await this.run('text_encoder_2', { [t5Part.inputs.input_ids!.name]: idsTensor(t5Part.inputs.input_ids!, t5Ids.ids) });
      const promptEmbeds = floats(t5Out[t5Part.outputs.last_hidden_state!.name], 'text_encoder_2 last_hidden_state');
      const t5Dim = promptEmbeds.length / seqLen;
      encodeMs = performance.now() - t0;
      check();
      const tr = this.part('transformer');
      const seq = (h / 2) * (w / 2);
      latents = p.initialLatents && p.initialLatentsPacked ? Float32Array.from(noise) : packLatents(noise, 1, c, h, w);
      initial = Float32Array.from(latents);
      const ids3 = (io: IoInfo) => io.shape.length === 3;
      const img = latentImageIds(h / 2, w / 2);
      const txt = textIds(seqLen);
      const feedsConst: Record<string, ort.Tensor> = {
        [tr.inputs.encoder_hidden_states!.name]: feed(tr.inputs.encoder_hidden_states!, promptEmbeds, [1, seqLen, t5Dim]),
        [tr.inputs.pooled_projections!.name]: feed(tr.inputs.pooled_projections!, pooled, [1, pooled.length]),
        // Position ids in the graph's own type: float32 (diffusers, the project's exporter) or int64 (optimum-cli).
        [tr.inputs.img_ids!.name]: feed(tr.inputs.img_ids!, img, ids3(tr.inputs.img_ids!) ? [1, seq, 3] : [seq, 3]),
        [tr.inputs.txt_ids!.name]: feed(tr.inputs.txt_ids!, txt, ids3(tr.inputs.txt_ids!) ? [1, seqLen, 3] : [seqLen, 3]),
      };
      if (tr.inputs.guidance) feedsConst[tr.inputs.guidance.name] = scalarTensor(tr.inputs.guidance, f(p.guidance ?? 3.5));
      const outName = tr.outputs.out!.name;
      const d0 = performance.now();
      for (let i = 0; i < schedule.timesteps.length; i++) {
        check();
        const s0 = performance.now();
        const t = schedule.timesteps[i]!;
        const sigma = schedule.sigmas[i]!;
        const dt = f(schedule.sigmas[i + 1]! - sigma);
        const feeds = {
          ...feedsConst,
          [tr.inputs.hidden_states!.name]: feed(tr.inputs.hidden_states!, latents, [1, seq, c * 4]),
          // FluxPipeline passes timestep / 1000 (float32).
          [tr.inputs.timestep!.name]: scalarTensor(tr.inputs.timestep!, f(t / 1000)),
        };
        const r0 = performance.now();
        const out = await tr.session.run(feeds);
        const runMs = performance.now() - r0;
        if (i === 0) this.detectProvider('transformer');
        const v = floats(out[outName], 'transformer output');
        const next = new Float32Array(latents.length);
        for (let k = 0; k < next.length; k++) next[k] = latents[k]! + f(dt * v[k]!);
        latents = next;
        const e = { step: i + 1, total: schedule.timesteps.length, sigma, stepMs: performance.now() - s0, runMs };
        stepsOut.push(e);
        ctx.onStep?.(e);
      }
      denoiseMs = performance.now() - d0;
    } else {
      const unet = this.part('unet');
      const seq = clipIds.ids.length;
      let ehs: ort.Tensor;
      // SDXL's added conditioning (text_embeds, time_ids); nothing for SD.
      const added: Record<string, ort.Tensor> = {};
      if (L.family === 'sdxl') {
        const pen1 = floats(clipOut[clipPart.outputs.penultimate!.name], 'text_encoder penultimate hidden states');
        const ids2 = this.clip2!.encode(p.prompt);
        if (ids2.ids.length !== seq) throw new Error(`tokenizer and tokenizer_2 give ${seq} and ${ids2.ids.length} tokens; SDXL needs the same length from both`);
        const te2 = this.part('text_encoder_2');
        const out2 = await this.run('text_encoder_2', { [te2.inputs.input_ids!.name]: idsTensor(te2.inputs.input_ids!, ids2.ids) });
        const pen2 = floats(out2[te2.outputs.penultimate!.name], 'text_encoder_2 penultimate hidden states');
        const pooled = floats(out2[te2.outputs.text_embeds!.name], 'text_encoder_2 text_embeds');
        // torch.concat([h1, h2], dim=-1): per token, encoder 1's values then encoder 2's.
        const d1 = pen1.length / seq;
        const d2 = pen2.length / seq;
        const cat = new Float32Array(seq * (d1 + d2));
        for (let t = 0; t < seq; t++) {
          cat.set(pen1.subarray(t * d1, (t + 1) * d1), t * (d1 + d2));
          cat.set(pen2.subarray(t * d2, (t + 1) * d2), t * (d1 + d2) + d1);
        }
        ehs = feed(unet.inputs.encoder_hidden_states!, cat, [1, seq, d1 + d2]);
        added[unet.inputs.text_embeds!.name] = feed(unet.inputs.text_embeds!, Float32Array.from(pooled), [1, pooled.length]);
        // _get_add_time_ids: original_size + crops_coords_top_left + target_size, each (height, width).
        added[unet.inputs.time_ids!.name] = feed(unet.inputs.time_ids!, Float32Array.from([p.height, p.width, 0, 0, p.height, p.width]), [1, 6]);
      } else {
        const hidden = floats(clipOut[clipPart.outputs.last_hidden_state!.name], 'text_encoder last_hidden_state');
        ehs = feed(unet.inputs.encoder_hidden_states!, hidden, [1, seq, hidden.length / seq]);
      }
      encodeMs = performance.now() - t0;
      check();
      const init = f(schedule.initNoiseSigma);
      latents = new Float32Array(noise.length);
      for (let k = 0; k < noise.length; k++) latents[k] = noise[k]! * init;
      initial = Float32Array.from(noise);
      const outName = unet.outputs.out!.name;
      const vPred = this.info.scheduler.kind === 'euler' && this.info.scheduler.config.predictionType === 'v_prediction';
      const ancestral = this.info.scheduler.kind === 'euler' && this.info.scheduler.config.ancestral;
      const d0 = performance.now();
      for (let i = 0; i < schedule.timesteps.length; i++) {
        check();
        const s0 = performance.now();
        const sigma = f(schedule.sigmas[i]!);
        const sigmaNext = f(schedule.sigmas[i + 1]!);
        const den = f(Math.sqrt(f(f(sigma * sigma) + 1)));
        const scaled = new Float32Array(latents.length);
        for (let k = 0; k < scaled.length; k++) scaled[k] = latents[k]! / den;
        const r0 = performance.now();
        const out = await unet.session.run({
          [unet.inputs.sample!.name]: feed(unet.inputs.sample!, scaled, [1, c, h, w]),
          [unet.inputs.timestep!.name]: scalarTensor(unet.inputs.timestep!, schedule.timesteps[i]!),
          [unet.inputs.encoder_hidden_states!.name]: ehs,
          ...added,
        });
        const runMs = performance.now() - r0;
        if (i === 0) this.detectProvider('unet');
        const eps = floats(out[outName], 'unet output');
        // Euler: down to σ_next. Ancestral (k-diffusion's Euler a, as diffusers computes it in
        // float32): down to σ_down, then noise·σ_up, with σ_up² + σ_down² = σ_next².
        let sigmaUp = 0;
        let target = sigmaNext;
        let fresh: Float32Array | null = null;
        if (ancestral) {
          const to2 = f(sigmaNext * sigmaNext);
          const from2 = f(sigma * sigma);
          sigmaUp = f(Math.sqrt(f(f(to2 * f(from2 - to2)) / from2)));
          target = f(Math.sqrt(Math.max(0, f(to2 - f(sigmaUp * sigmaUp)))));
          fresh = p.stepNoise?.[i] ?? gaussianNoise(p.seed, latents.length, i + 1);
          if (fresh.length !== latents.length) throw new RangeError(`step noise ${i} holds ${fresh.length} values, expected ${latents.length}`);
        }
        const dt = f(target - sigma);
        const next = new Float32Array(latents.length);
        const s2 = f(f(sigma * sigma) + 1);
        for (let k = 0; k < next.length; k++) {
          const x = latents[k]!;
          const x0 = vPred ? f(f(eps[k]! * f(-sigma / den)) + f(x / s2)) : f(x - f(sigma * eps[k]!));
          const derivative = f(f(x - x0) / sigma);
          next[k] = x + f(derivative * dt);
        }
        if (fresh) for (let k = 0; k < next.length; k++) next[k] = next[k]! + f(fresh[k]! * sigmaUp);
        latents = next;
        const e = { step: i + 1, total: schedule.timesteps.length, sigma, stepMs: performance.now() - s0, runMs };
        stepsOut.push(e);
        ctx.onStep?.(e);
      }
      denoiseMs = performance.now() - d0;
    }
    check();

    // Decode: FLUX unpacks and applies scale and shift; SD divides by its scale.
    const c0 = performance.now();
    const spatial = L.family === 'flux' ? unpackLatents(latents, 1, c, h, w) : latents;
    const z = new Float32Array(spatial.length);
    const sf = f(L.vaeScalingFactor);
    const sh = f(L.vaeShiftFactor);
    for (let k = 0; k < z.length; k++) z[k] = L.family === 'flux' ? f(spatial[k]! / sf) + sh : spatial[k]! / sf;
    const vae = this.part('vae_decoder');
    const decoded = await this.run('vae_decoder', { [vae.inputs.latent_sample!.name]: feed(vae.inputs.latent_sample!, z, [1, c, h, w]) });
    const img = decoded[vae.outputs.sample!.name] as ort.Tensor;
    const [, ch, H, W] = img.dims as number[];
    if (ch !== 3 || !H || !W) throw new Error(`vae_decoder returned shape [${img.dims.join(', ')}], expected [1, 3, H, W]`);
    const rgb = toRgb(readFloats(img, 'vae_decoder sample'), H, W);
    const decodeMs = performance.now() - c0;
    return {
      rgb,
      width: W,
      height: H,
      finalLatents: latents,
      initialLatents: initial,
      schedule,
      encodeMs,
      denoiseMs,
      decodeMs,
      steps: stepsOut,
      truncated: { clip: clipIds.truncated, t5: t5Truncated },
    };
  }
}

/** VaeImageProcessor.postprocess: (x·0.5 + 0.5).clamp(0, 1), ·255, round half to even, CHW → HWC. */
export function toRgb(chw: Float32Array, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w * 3);
  const plane = h * w;
  for (let ch = 0; ch < 3; ch++) {
    for (let i = 0; i < plane; i++) {
      let v = f(f(chw[ch * plane + i]! * 0.5) + 0.5);
      v = v < 0 ? 0 : v > 1 ? 1 : v;
      const s = f(v * 255);
      let r = Math.round(s);
      if (r - s === 0.5 && r % 2 === 1) r -= 1; // numpy rounds half to even
      out[i * 3 + ch] = r;
    }
  }
  return out;
}
