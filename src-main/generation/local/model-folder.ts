// A local model is a folder in the diffusers ONNX layout. This module finds out what a
// folder holds (FLUX.1-dev, FLUX.1-schnell, SD-Turbo, SDXL-Turbo), checks that every part is there,
// maps each graph's inputs and outputs to the roles the pipeline needs (exporters name
// them differently: optimum, BFL/TensorRT, OnnxStack) and types (float32 or float16; FLUX's
// position ids also int64, as optimum-cli writes them — converted in tensors.ts), and says
// clearly what is wrong: a missing part, an unexpected shape, bfloat16 graph I/O
// (onnxruntime-node has no such tensor), or a model larger than the free memory. It reads only the graphs' headers
// (onnx-header.ts), never the weights; the worker checks the same mapping again against
// the loaded sessions' own metadata.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readGraphIo, type GraphIo, type IoInfo } from './onnx-header';
import { parseSchedulerConfig, type SchedulerConfig } from './schedule';
import { FEEDABLE_FLOAT, FEEDABLE_IDS } from './tensors';

export type LocalModelKind = 'flux-dev' | 'flux-schnell' | 'sd-turbo' | 'sdxl-turbo';
/** flux: CLIP pooled + T5 → transformer; sd: CLIP → UNet; sdxl: two CLIPs (penultimate states + pooled) → UNet with text_time conditioning. */
export type ModelFamily = 'flux' | 'sd' | 'sdxl';
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

/** What a user can do with a bfloat16-I/O export (tested in test/generation/local/model-folder.test.ts). */
export const BF16_ADVICE =
  'Export it in fp32 (optimum-cli export onnx --model REPO --task text-to-image OUT); for half the size, convert that export to fp16 ' +
  "(python: m = onnxruntime.transformers.onnx_model.OnnxModel(onnx.load('model.onnx')); m.convert_float_to_float16(keep_io_types=False); onnx.save(m.model, 'model.onnx')) " +
  '— fp16 graph inputs and outputs work here.';

/** Each role's actual input/output name in a part's graph, and the facts the pipeline needs. */
export interface PartIo {
  inputs: Record<string, IoInfo>;
  outputs: Record<string, IoInfo>;
}

export interface ModelLayout {
  kind: LocalModelKind;
  family: ModelFamily;
  parts: Partial<Record<PartName, PartIo>>;
  /** Latent channels (16 FLUX, 4 SD and SDXL). */
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

const REQUIRED: Record<ModelFamily, PartName[]> = {
  flux: ['text_encoder', 'text_encoder_2', 'transformer', 'vae_decoder'],
  sd: ['text_encoder', 'unet', 'vae_decoder'],
  sdxl: ['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder'],
};

const FAMILY_NAME: Record<ModelFamily, string> = { flux: 'FLUX', sd: 'SD-Turbo', sdxl: 'SDXL-Turbo' };

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
  /** Never matched by position (a wrong guess would run silently, e.g. the last hidden state for the penultimate). */
  byNameOnly?: boolean;
  /** When the graph lacks it: what the model needs, and how to export a graph that has it. */
  whenMissing?: { need: string; fix: string };
}

// Fed through tensors.ts, which converts the pipeline's float32 to each graph's own type.
const FLOAT = [...FEEDABLE_FLOAT];
const IDS = ['int64', 'int32'];
/** Integer-valued floats (FLUX position ids): optimum exports them as int64, the project's exporter as float32. */
const POSITION_IDS = [...FEEDABLE_IDS];

const INPUT_ROLES: Record<PartName, Record<string, RoleSpec>> = {
  text_encoder: { input_ids: { aliases: ['input_ids', 'input', 'tokens'], types: IDS, rank: [2] } },
  text_encoder_2: { input_ids: { aliases: ['input_ids', 'input', 'tokens'], types: IDS, rank: [2] } },
  transformer: {
    hidden_states: { aliases: ['hidden_states', 'latent', 'latents', 'x'], types: FLOAT, rank: [3] },
    encoder_hidden_states: { aliases: ['encoder_hidden_states', 'prompt_embeds', 'txt'], types: FLOAT, rank: [3] },
    pooled_projections: { aliases: ['pooled_projections', 'pooled_prompt_embeds', 'y', 'vec'], types: FLOAT, rank: [2] },
    timestep: { aliases: ['timestep', 'timesteps', 't'], types: FLOAT, rank: [0, 1] },
    img_ids: { aliases: ['img_ids', 'image_ids'], types: POSITION_IDS, rank: [2, 3] },
    txt_ids: { aliases: ['txt_ids', 'text_ids'], types: POSITION_IDS, rank: [2, 3] },
    guidance: { aliases: ['guidance', 'guidance_scale'], types: FLOAT, rank: [0, 1], optional: true },
  },
  unet: {
    sample: { aliases: ['sample', 'latent', 'latents', 'x'], types: FLOAT, rank: [4] },
    timestep: { aliases: ['timestep', 'timesteps', 't'], types: [...FLOAT, 'int64', 'int32'], rank: [0, 1] },
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

// SDXL: the UNet also takes the pooled text embedding and the 6 size/crop time ids; each CLIP
// gives its penultimate hidden states (hidden_states[-2]), the second also its projected pooled
// output. optimum exports every hidden state as hidden_states.0 … hidden_states.N (N = layers);
// the TensorRT demo's exports give the penultimate one alone as `hidden_states`.
const SDXL_UNET_INPUTS: Record<string, RoleSpec> = {
  ...INPUT_ROLES.unet,
  text_embeds: { aliases: ['text_embeds', 'add_text_embeds', 'pooled_prompt_embeds'], types: FLOAT, rank: [2] },
  time_ids: { aliases: ['time_ids', 'add_time_ids'], types: FLOAT, rank: [2] },
};

/** The penultimate hidden states' output name: hidden_states.{N−1} of hidden_states.0 … N, else a single one. */
function penultimateAliases(outputs: IoInfo[]): string[] {
  const numbered = outputs.flatMap((o) => {
    const m = /^hidden_states\.(\d+)$/.exec(o.name);
    return m ? [Number(m[1])] : [];
  });
  if (numbered.length >= 2) return [`hidden_states.${Math.max(...numbered) - 1}`];
  return ['penultimate_hidden_states', 'hidden_states'];
}

function sdxlClipOutputs(part: PartName, outputs: IoInfo[]): Record<string, RoleSpec> {
  const roles: Record<string, RoleSpec> = {
    penultimate: {
      aliases: penultimateAliases(outputs),
      types: FLOAT,
      rank: [3],
      byNameOnly: true,
      whenMissing: { need: 'SDXL needs the penultimate hidden states (hidden_states[-2])', fix: 'Export the text encoders with output_hidden_states (optimum does for SDXL).' },
    },
  };
  if (part === 'text_encoder_2') roles.text_embeds = { aliases: ['text_embeds', 'text_embeddings', 'pooled_embeddings'], types: FLOAT, rank: [2] };
  return roles;
}

function rolesFor(family: ModelFamily, part: PartName, side: 'input' | 'output', list: IoInfo[]): Record<string, RoleSpec> {
  if (family === 'sdxl') {
    if (side === 'input' && part === 'unet') return SDXL_UNET_INPUTS;
    if (side === 'output' && (part === 'text_encoder' || part === 'text_encoder_2')) return sdxlClipOutputs(part, list);
  }
  return (side === 'input' ? INPUT_ROLES : OUTPUT_ROLES)[part];
}

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
    if (hit && !spec.optional && !spec.byNameOnly) {
      out[role] = hit;
      used.add(hit.name);
    }
  }
  for (const [role, spec] of Object.entries(roles)) {
    const io = out[role];
    if (!io) {
      if (spec.optional) continue;
      if (spec.whenMissing) {
        throw new ModelFolderError(
          'unexpected_shape',
          `${part}: ${spec.whenMissing.need}; the graph has no ${side} ${spec.aliases.join(' or ')} (it has ${list.map((x) => x.name).join(', ') || 'none'}). ${spec.whenMissing.fix}`,
        );
      }
      throw new ModelFolderError(
        'unexpected_shape',
        `${part}: the graph has no ${side} for ${role} (looked for ${spec.aliases.join(', ')}; it has ${list.map((x) => x.name).join(', ') || 'none'})`,
      );
    }
    if (io.type === 'bfloat16') {
      // onnxruntime-node has no bfloat16 tensor type to feed or read.
      throw new ModelFolderError('fp16_io', `${part}: ${side} ${io.name} is bfloat16, which onnxruntime-node cannot feed or read. ${BF16_ADVICE}`);
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

/** Maps one part's graph I/O to the pipeline's roles for a model family, or throws a ModelFolderError. */
export function resolvePartIo(part: PartName, io: GraphIo, family: ModelFamily): PartIo {
  return {
    inputs: pickRoles(part, 'input', io.inputs, rolesFor(family, part, 'input', io.inputs)),
    outputs: pickRoles(part, 'output', io.outputs, rolesFor(family, part, 'output', io.outputs)),
  };
}

const dim = (io: IoInfo | undefined, i: number): number | null => {
  if (!io) return null;
  const d = io.shape.at(i);
  return typeof d === 'number' && d > 0 ? d : null;
};

/** The whole model's layout from its parts' I/O, with the cross-part shape checks. */
export function resolveLayout(family: ModelFamily, kindHint: LocalModelKind, ios: Partial<Record<PartName, GraphIo>>, vae: { scale: number; scaling: number; shift: number }): ModelLayout {
  const parts: Partial<Record<PartName, PartIo>> = {};
  for (const p of REQUIRED[family]) {
    const io = ios[p];
    if (!io) throw new ModelFolderError('missing_part', `missing part: ${p}/model.onnx`);
    parts[p] = resolvePartIo(p, io, family);
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
  if (family === 'sdxl') {
    const w1 = dim(clip.outputs.penultimate, 2);
    const w2 = dim(parts.text_encoder_2!.outputs.penultimate, 2);
    const ehs = dim(unet.inputs.encoder_hidden_states, 2);
    if (w1 !== null && w2 !== null && ehs !== null && w1 + w2 !== ehs) {
      throw new ModelFolderError(
        'unexpected_shape',
        `text_encoder + text_encoder_2 hidden widths (${w1} + ${w2} = ${w1 + w2}) and unet encoder_hidden_states width (${ehs}) do not fit together; SDXL's UNet takes both encoders' penultimate hidden states side by side — the parts come from different models or exports`,
      );
    }
    const pooled = dim(parts.text_encoder_2!.outputs.text_embeds, 1);
    const te = dim(unet.inputs.text_embeds, 1);
    if (pooled !== null && te !== null && pooled !== te) mismatch('text_encoder_2 text_embeds width and unet text_embeds width', pooled, te);
    const tid = dim(unet.inputs.time_ids, 1);
    if (tid !== null && tid !== 6) {
      throw new ModelFolderError('unexpected_shape', `unet: time_ids has ${tid} values per image; SDXL takes 6 (original height, width, crop top, left, target height, width)`);
    }
  } else if (!clip.outputs.last_hidden_state) {
    throw new ModelFolderError('unexpected_shape', 'text_encoder: SD needs the CLIP hidden states (last_hidden_state [batch, 77, width]); the graph has none');
  }
  const latentChannels = dim(unet.inputs.sample, 1) ?? dim(vaeIn, 1) ?? 4;
  const vaeC = dim(vaeIn, 1);
  if (vaeC !== null && vaeC !== latentChannels) mismatch('unet sample channels and vae_decoder latent channels', latentChannels, vaeC);
  const clipDim = dim(clip.outputs.last_hidden_state, 2);
  const ehs = dim(unet.inputs.encoder_hidden_states, 2);
  if (family === 'sd' && clipDim !== null && ehs !== null && clipDim !== ehs) mismatch('text_encoder width and unet encoder_hidden_states width', clipDim, ehs);
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

/**
 * A model's display name from its folder: the repo's name for a Hugging Face cache snapshot
 * (models--org--name/snapshots/<commit>[/subfolder]), the parent's name for optimum's `<model>/onnx`.
 */
export function modelName(dir: string): string {
  const hf = /(?:^|[\\/])models--[^\\/]+?--([^\\/]+)[\\/]snapshots[\\/][0-9a-f]{40}(?:[\\/](.+))?$/.exec(dir);
  if (hf) {
    const sub = hf[2]?.replace(/\\/g, '/');
    return sub && sub !== 'onnx' ? `${hf[1]}/${sub}` : hf[1]!;
  }
  return path.basename(dir) === 'onnx' ? path.basename(path.dirname(dir)) : path.basename(dir);
}

/** Checks a folder and describes it; throws ModelFolderError with a message for the user. */
export function inspectModelFolder(dirIn: string): ModelFolderInfo {
  const dir = path.resolve(dirIn);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ModelFolderError('missing_part', `${dir} is not a folder`);
  const index = readJson(path.join(dir, 'model_index.json'));
  const pipelineClass = typeof index._class_name === 'string' ? index._class_name : '';
  let family: ModelFamily;
  // diffusers names (FluxPipeline), optimum's (ORTFluxPipeline), diffusers' old ONNX ones (OnnxStableDiffusionPipeline).
  const base = pipelineClass.replace(/^(ORT|Onnx)/, '');
  if (/^Flux(Pipeline)?$/.test(base)) family = 'flux';
  else if (/^StableDiffusion(Pipeline)?$/.test(base)) family = 'sd';
  else if (/^StableDiffusionXL(Pipeline)?$/.test(base)) family = 'sdxl';
  else {
    throw new ModelFolderError(
      'unsupported',
      `model_index.json names ${pipelineClass || 'no pipeline'}; the local runtime runs text-to-image FluxPipeline, StableDiffusionPipeline (SD-Turbo) and StableDiffusionXLPipeline (SDXL-Turbo) exports`,
    );
  }
  const missing: string[] = [];
  const partFile = (p: PartName) => path.join(dir, p, 'model.onnx');
  for (const p of REQUIRED[family]) if (!fs.existsSync(partFile(p))) missing.push(`${p}/model.onnx`);
  const clipFiles = (sub: string) => fs.existsSync(path.join(dir, sub, 'vocab.json')) && fs.existsSync(path.join(dir, sub, 'merges.txt'));
  if (!clipFiles('tokenizer')) missing.push('tokenizer/ (vocab.json + merges.txt)');
  if (family === 'flux' && !fs.existsSync(path.join(dir, 'tokenizer_2', 'tokenizer.json'))) {
    missing.push(
      fs.existsSync(path.join(dir, 'tokenizer_2', 'spiece.model'))
        ? 'tokenizer_2/tokenizer.json (only the slow tokenizer\'s spiece.model is there: save tokenizer_2 with transformers\' T5TokenizerFast, as the FLUX repos name it in model_index.json)'
        : 'tokenizer_2/tokenizer.json',
    );
  }
  if (family === 'sdxl' && !clipFiles('tokenizer_2')) missing.push('tokenizer_2/ (vocab.json + merges.txt)');
  if (!fs.existsSync(path.join(dir, 'scheduler', 'scheduler_config.json'))) missing.push('scheduler/scheduler_config.json');
  if (missing.length > 0) {
    throw new ModelFolderError('missing_part', `missing part${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} — ${dir} is not a complete ${FAMILY_NAME[family]} ONNX export`);
  }
  let scheduler: SchedulerConfig;
  try {
    scheduler = parseSchedulerConfig(readJson(path.join(dir, 'scheduler', 'scheduler_config.json')));
  } catch (err) {
    throw new ModelFolderError('unsupported', err instanceof Error ? err.message : String(err));
  }
  if ((family === 'flux') !== (scheduler.kind === 'flow-match')) {
    throw new ModelFolderError('unsupported', `scheduler/scheduler_config.json does not fit a ${family === 'flux' ? 'FLUX' : family === 'sdxl' ? 'Stable Diffusion XL' : 'Stable Diffusion'} pipeline`);
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
    scaling: num(vaeCfg?.scaling_factor, family === 'flux' ? 0.3611 : family === 'sdxl' ? 0.13025 : 0.18215),
    shift: num(vaeCfg?.shift_factor, family === 'flux' ? 0.1159 : 0),
  };
  // StableDiffusionXLPipeline de-normalises with per-channel latents_mean/latents_std when the VAE
  // has them (not SDXL-Turbo's); the local pipeline does not: refuse rather than decode wrongly.
  if (family === 'sdxl' && Array.isArray(vaeCfg?.latents_mean) && Array.isArray(vaeCfg?.latents_std)) {
    throw new ModelFolderError('unsupported', 'vae_decoder/config.json has latents_mean / latents_std (a VAE with per-channel latent statistics); the local runtime decodes SDXL-Turbo\'s plain scaling_factor VAE only');
  }
  const hint: LocalModelKind = family === 'sd' ? 'sd-turbo' : family === 'sdxl' ? 'sdxl-turbo' : scheduler.kind === 'flow-match' && scheduler.config.useDynamicShifting ? 'flux-dev' : 'flux-schnell';
  const layout = resolveLayout(family, hint, ios, vae);
  const name = modelName(dir);
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
