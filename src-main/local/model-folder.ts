// A local model is a folder in the diffusers ONNX layout. This module finds out what a
// folder holds (FLUX.1-dev, FLUX.1-schnell, SD-Turbo), checks that every part is there,
// maps each graph's inputs and outputs to the roles the pipeline needs (exporters name
// them differently: optimum, BFL/TensorRT, OnnxStack), and says clearly what is wrong:
// a missing part, an unexpected shape, fp16 graph I/O (onnxruntime-node takes fp32
// tensors), or a model larger than the free memory. It reads only the graphs' headers
// (onnx-header.ts), never the weights; the worker checks the same mapping again against
// the loaded sessions' own metadata.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readGraphIo, type GraphIo, type IoInfo } from './onnx-header';
import { parseSchedulerConfig, type SchedulerConfig } from './schedule';

export type LocalModelKind = 'flux-dev' | 'flux-schnell' | 'sd-turbo';
export type PartName = 'text_encoder' | 'text_encoder_2' | 'transformer' | 'unet' | 'vae_decoder';

export class ModelFolderError extends Error {
  constructor(
    readonly code: 'missing_part' | 'unexpected_shape' | 'fp16_io' | 'too_large' | 'unsupported' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'ModelFolderError';
  }
}

/** Each role's actual input/output name in a part's graph, and the facts the pipeline needs. */
export interface PartIo {
  inputs: Record<string, IoInfo>;
  outputs: Record<string, IoInfo>;
}

export interface ModelLayout {
  kind: LocalModelKind;
  family: 'flux' | 'sd';
  parts: Partial<Record<PartName, PartIo>>;
  /** Latent channels (16 FLUX, 4 SD). */
  latentChannels: number;
  /** 8 for every real VAE (2^(len(block_out_channels) − 1)). */
  vaeScaleFactor: number;
  vaeScalingFactor: number;
  vaeShiftFactor: number;
  /** FLUX: T5 length when the export fixes it; null: any (the request's max_sequence_length). */
  fixedT5Length: number | null;
  usesGuidance: boolean;
}

export interface ModelFolderInfo {
  dir: string;
  name: string;
  kind: LocalModelKind;
  pipelineClass: string;
  scheduler: SchedulerConfig;
  /** Bytes of every file of the model (graphs and external weights). */
  sizeBytes: number;
  layout: ModelLayout;
}

const REQUIRED: Record<'flux' | 'sd', PartName[]> = {
  flux: ['text_encoder', 'text_encoder_2', 'transformer', 'vae_decoder'],
  sd: ['text_encoder', 'unet', 'vae_decoder'],
};

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ModelFolderError('missing_part', `missing part: ${path.basename(path.dirname(file))}/${path.basename(file)} is not in the folder`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ModelFolderError('unreadable', `${file} is not a JSON object`);
}

function optionalJson(file: string): Record<string, unknown> | null {
  return fs.existsSync(file) ? readJson(file) : null;
}

/** Total size of a folder's files (recursively). */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += folderBytes(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

// ---------------------------------------------------------------------------------------
// Role → accepted names (first match wins), per part.

interface RoleSpec {
  aliases: string[];
  /** Accepted element types; the first float type listed is what the pipeline feeds. */
  types: string[];
  rank: number[];
  optional?: boolean;
}

const FLOAT = ['float32'];
const IDS = ['int64', 'int32'];

const INPUT_ROLES: Record<PartName, Record<string, RoleSpec>> = {
  text_encoder: { input_ids: { aliases: ['input_ids', 'input', 'tokens'], types: IDS, rank: [2] } },
  text_encoder_2: { input_ids: { aliases: ['input_ids', 'input', 'tokens'], types: IDS, rank: [2] } },
  transformer: {
    hidden_states: { aliases: ['hidden_states', 'latent', 'latents', 'x'], types: FLOAT, rank: [3] },
    encoder_hidden_states: { aliases: ['encoder_hidden_states', 'prompt_embeds', 'txt'], types: FLOAT, rank: [3] },
    pooled_projections: { aliases: ['pooled_projections', 'pooled_prompt_embeds', 'y', 'vec'], types: FLOAT, rank: [2] },
    timestep: { aliases: ['timestep', 'timesteps', 't'], types: FLOAT, rank: [0, 1] },
    img_ids: { aliases: ['img_ids', 'image_ids'], types: FLOAT, rank: [2, 3] },
    txt_ids: { aliases: ['txt_ids', 'text_ids'], types: FLOAT, rank: [2, 3] },
    guidance: { aliases: ['guidance', 'guidance_scale'], types: FLOAT, rank: [0, 1], optional: true },
  },
  unet: {
    sample: { aliases: ['sample', 'latent', 'latents', 'x'], types: FLOAT, rank: [4] },
    timestep: { aliases: ['timestep', 'timesteps', 't'], types: ['float32', 'int64', 'int32'], rank: [0, 1] },
    encoder_hidden_states: { aliases: ['encoder_hidden_states', 'prompt_embeds', 'context'], types: FLOAT, rank: [3] },
  },
  vae_decoder: { latent_sample: { aliases: ['latent_sample', 'latent', 'latents', 'z'], types: FLOAT, rank: [4] } },
};

const OUTPUT_ROLES: Record<PartName, Record<string, RoleSpec>> = {
  text_encoder: {
    last_hidden_state: { aliases: ['last_hidden_state', 'text_embeddings', 'hidden_states'], types: FLOAT, rank: [3], optional: true },
    pooler_output: { aliases: ['pooler_output', 'pooled_output', 'text_embeds', 'pooled_embeddings'], types: FLOAT, rank: [2], optional: true },
  },
  text_encoder_2: { last_hidden_state: { aliases: ['last_hidden_state', 'text_embeddings', 'hidden_states'], types: FLOAT, rank: [3] } },
  transformer: { out: { aliases: ['out_hidden_states', 'latent', 'sample', 'output', 'noise_pred'], types: FLOAT, rank: [3] } },
  unet: { out: { aliases: ['out_sample', 'latent', 'noise_pred', 'output', 'sample'], types: FLOAT, rank: [4] } },
  vae_decoder: { sample: { aliases: ['sample', 'images', 'image', 'output'], types: FLOAT, rank: [4] } },
};

function pickRoles(part: PartName, side: 'input' | 'output', list: IoInfo[], roles: Record<string, RoleSpec>): Record<string, IoInfo> {
  const used = new Set<string>();
  const out: Record<string, IoInfo> = {};
  // By name first.
  for (const [role, spec] of Object.entries(roles)) {
    const hit = spec.aliases.map((a) => list.find((x) => x.name === a && !used.has(x.name))).find((x) => x !== undefined);
    if (hit) {
      out[role] = hit;
      used.add(hit.name);
    }
  }
  // Then by rank among the unnamed ones (positional exports: OnnxStack, `input.1`…), in order.
  for (const [role, spec] of Object.entries(roles)) {
    if (out[role]) continue;
    const rest = list.filter((x) => !used.has(x.name));
    const hit = rest.find((x) => x.shape.length === 0 || spec.rank.includes(x.shape.length));
    if (hit && !spec.optional) {
      out[role] = hit;
      used.add(hit.name);
    }
  }
  for (const [role, spec] of Object.entries(roles)) {
    const io = out[role];
    if (!io) {
      if (spec.optional) continue;
      throw new ModelFolderError(
        'unexpected_shape',
        `${part}: the graph has no ${side} for ${role} (looked for ${spec.aliases.join(', ')}; it has ${list.map((x) => x.name).join(', ') || 'none'})`,
      );
    }
    if (io.type === 'float16' || io.type === 'bfloat16') {
      throw new ModelFolderError(
        'fp16_io',
        `${part}: ${side} ${io.name} is ${io.type}; onnxruntime-node needs fp32 graph inputs and outputs. Export with fp32 I/O (optimum: keep_io_types, or float16 conversion with keep_io_types=True) — the weights can stay fp16.`,
      );
    }
    if (!spec.types.includes(io.type)) {
      throw new ModelFolderError('unexpected_shape', `${part}: ${side} ${io.name} is ${io.type}, expected ${spec.types.join(' or ')}`);
    }
    if (io.shape.length > 0 && !spec.rank.includes(io.shape.length)) {
      throw new ModelFolderError(
        'unexpected_shape',
        `${part}: ${side} ${io.name} has shape [${io.shape.join(', ')}] (${io.shape.length} dimensions), expected ${spec.rank.join(' or ')}`,
      );
    }
  }
  return out;
}

/** Maps one part's graph I/O to the pipeline's roles, or throws a ModelFolderError. */
export function resolvePartIo(part: PartName, io: GraphIo): PartIo {
  return { inputs: pickRoles(part, 'input', io.inputs, INPUT_ROLES[part]), outputs: pickRoles(part, 'output', io.outputs, OUTPUT_ROLES[part]) };
}

const dim = (io: IoInfo | undefined, i: number): number | null => {
  if (!io) return null;
  const d = io.shape.at(i);
  return typeof d === 'number' && d > 0 ? d : null;
};

/** The whole model's layout from its parts' I/O, with the cross-part shape checks. */
export function resolveLayout(family: 'flux' | 'sd', kindHint: LocalModelKind, ios: Partial<Record<PartName, GraphIo>>, vae: { scale: number; scaling: number; shift: number }): ModelLayout {
  const parts: Partial<Record<PartName, PartIo>> = {};
  for (const p of REQUIRED[family]) {
    const io = ios[p];
    if (!io) throw new ModelFolderError('missing_part', `missing part: ${p}/model.onnx`);
    parts[p] = resolvePartIo(p, io);
  }
  const mismatch = (what: string, a: number, b: number) => {
    throw new ModelFolderError('unexpected_shape', `${what} do not fit together (${a} vs ${b}); the parts come from different models or exports`);
  };
  const vaeIn = parts.vae_decoder!.inputs.latent_sample;
  const clip = parts.text_encoder!;
  if (family === 'flux') {
    const tr = parts.transformer!;
    if (!clip.outputs.pooler_output) {
      throw new ModelFolderError('unexpected_shape', 'text_encoder: FLUX needs the pooled CLIP output (pooler_output [batch, 768]); the graph has none');
    }
    const packed = dim(tr.inputs.hidden_states, 2);
    if (packed !== null && packed % 4 !== 0) throw new ModelFolderError('unexpected_shape', `transformer: hidden_states has ${packed} channels, not a multiple of 4 (2×2 packing)`);
    const latentChannels = packed !== null ? packed / 4 : (dim(vaeIn, 1) ?? 16);
    const vaeC = dim(vaeIn, 1);
    if (vaeC !== null && vaeC !== latentChannels) mismatch('transformer hidden_states/4 and vae_decoder latent channels', latentChannels, vaeC);
    const t5Dim = dim(parts.text_encoder_2!.outputs.last_hidden_state, 2);
    const ehs = dim(tr.inputs.encoder_hidden_states, 2);
    if (t5Dim !== null && ehs !== null && t5Dim !== ehs) mismatch('text_encoder_2 output width and transformer encoder_hidden_states width', t5Dim, ehs);
    const pooled = dim(clip.outputs.pooler_output, 1);
    const pp = dim(tr.inputs.pooled_projections, 1);
    if (pooled !== null && pp !== null && pooled !== pp) mismatch('text_encoder pooled width and transformer pooled_projections width', pooled, pp);
    const usesGuidance = tr.inputs.guidance !== undefined;
    const fixedT5Length = dim(parts.text_encoder_2!.inputs.input_ids, 1) ?? dim(tr.inputs.encoder_hidden_states, 1);
    return {
      kind: usesGuidance ? 'flux-dev' : 'flux-schnell',
      family,
      parts,
      latentChannels,
      vaeScaleFactor: vae.scale,
      vaeScalingFactor: vae.scaling,
      vaeShiftFactor: vae.shift,
      fixedT5Length,
      usesGuidance,
    };
  }
  const unet = parts.unet!;
  if (!clip.outputs.last_hidden_state) {
    throw new ModelFolderError('unexpected_shape', 'text_encoder: SD needs the CLIP hidden states (last_hidden_state [batch, 77, width]); the graph has none');
  }
  const latentChannels = dim(unet.inputs.sample, 1) ?? dim(vaeIn, 1) ?? 4;
  const vaeC = dim(vaeIn, 1);
  if (vaeC !== null && vaeC !== latentChannels) mismatch('unet sample channels and vae_decoder latent channels', latentChannels, vaeC);
  const clipDim = dim(clip.outputs.last_hidden_state, 2);
  const ehs = dim(unet.inputs.encoder_hidden_states, 2);
  if (clipDim !== null && ehs !== null && clipDim !== ehs) mismatch('text_encoder width and unet encoder_hidden_states width', clipDim, ehs);
  return {
    kind: kindHint,
    family,
    parts,
    latentChannels,
    vaeScaleFactor: vae.scale,
    vaeScalingFactor: vae.scaling,
    vaeShiftFactor: vae.shift,
    fixedT5Length: null,
    usesGuidance: false,
  };
}

/** Checks a folder and describes it; throws ModelFolderError with a message for the user. */
export function inspectModelFolder(dirIn: string): ModelFolderInfo {
  const dir = path.resolve(dirIn);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ModelFolderError('missing_part', `${dir} is not a folder`);
  const index = readJson(path.join(dir, 'model_index.json'));
  const pipelineClass = typeof index._class_name === 'string' ? index._class_name : '';
  let family: 'flux' | 'sd';
  // diffusers names (FluxPipeline), optimum's (ORTFluxPipeline), diffusers' old ONNX ones (OnnxStableDiffusionPipeline).
  const base = pipelineClass.replace(/^(ORT|Onnx)/, '');
  if (/^Flux(Pipeline)?$/.test(base)) family = 'flux';
  else if (/^StableDiffusion(Pipeline)?$/.test(base)) family = 'sd';
  else if (/XL/.test(pipelineClass)) {
    throw new ModelFolderError('unsupported', `${pipelineClass}: SDXL / SDXL-Turbo exports are not supported by the local runtime yet (FLUX.1-dev, FLUX.1-schnell and SD-Turbo are)`);
  } else {
    throw new ModelFolderError('unsupported', `model_index.json names ${pipelineClass || 'no pipeline'}; the local runtime runs FluxPipeline and StableDiffusionPipeline (SD-Turbo) exports`);
  }
  const missing: string[] = [];
  const partFile = (p: PartName) => path.join(dir, p, 'model.onnx');
  for (const p of REQUIRED[family]) if (!fs.existsSync(partFile(p))) missing.push(`${p}/model.onnx`);
  if (!fs.existsSync(path.join(dir, 'tokenizer', 'vocab.json')) || !fs.existsSync(path.join(dir, 'tokenizer', 'merges.txt'))) missing.push('tokenizer/ (vocab.json + merges.txt)');
  if (family === 'flux' && !fs.existsSync(path.join(dir, 'tokenizer_2', 'tokenizer.json'))) missing.push('tokenizer_2/tokenizer.json');
  if (!fs.existsSync(path.join(dir, 'scheduler', 'scheduler_config.json'))) missing.push('scheduler/scheduler_config.json');
  if (missing.length > 0) {
    throw new ModelFolderError('missing_part', `missing part${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} — ${dir} is not a complete ${family === 'flux' ? 'FLUX' : 'SD-Turbo'} ONNX export`);
  }
  let scheduler: SchedulerConfig;
  try {
    scheduler = parseSchedulerConfig(readJson(path.join(dir, 'scheduler', 'scheduler_config.json')));
  } catch (err) {
    throw new ModelFolderError('unsupported', err instanceof Error ? err.message : String(err));
  }
  if ((family === 'flux') !== (scheduler.kind === 'flow-match')) {
    throw new ModelFolderError('unsupported', `scheduler/scheduler_config.json does not fit a ${family === 'flux' ? 'FLUX' : 'Stable Diffusion'} pipeline`);
  }
  const ios: Partial<Record<PartName, GraphIo>> = {};
  for (const p of REQUIRED[family]) {
    try {
      ios[p] = readGraphIo(partFile(p));
    } catch (err) {
      throw new ModelFolderError('unreadable', `${p}/model.onnx: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const vaeCfg = optionalJson(path.join(dir, 'vae_decoder', 'config.json'));
  const blocks = Array.isArray(vaeCfg?.block_out_channels) ? vaeCfg.block_out_channels.length : 4;
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  const vae = {
    scale: 2 ** (blocks - 1),
    scaling: num(vaeCfg?.scaling_factor, family === 'flux' ? 0.3611 : 0.18215),
    shift: num(vaeCfg?.shift_factor, family === 'flux' ? 0.1159 : 0),
  };
  const hint: LocalModelKind = family === 'sd' ? 'sd-turbo' : scheduler.kind === 'flow-match' && scheduler.config.useDynamicShifting ? 'flux-dev' : 'flux-schnell';
  const layout = resolveLayout(family, hint, ios, vae);
  // optimum's `<model>/onnx` folders are named after their parent.
  const name = path.basename(dir) === 'onnx' ? path.basename(path.dirname(dir)) : path.basename(dir);
  return { dir, name, kind: layout.kind, pipelineClass, scheduler, sizeBytes: folderBytes(dir), layout };
}

/** Refuses a model that cannot fit: its files are loaded into memory (CPU) or staged there (GPU). */
export function checkFitsInMemory(sizeBytes: number, freeBytes = os.freemem()): void {
  if (sizeBytes > freeBytes) {
    const gb = (n: number) => (n / 1024 ** 3).toFixed(1);
    throw new ModelFolderError(
      'too_large',
      `the model needs about ${gb(sizeBytes)} GB and only ${gb(freeBytes)} GB of memory is free; close other programs or use a smaller (fp16 / quantized) export — FLUX in full size belongs on the pod`,
    );
  }
}
