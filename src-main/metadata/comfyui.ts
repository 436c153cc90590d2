// ComfyUI's `prompt` text chunk: the API-format graph, { "<id>": { class_type, inputs } },
// where an input is a literal or a link [sourceId, outputIndex]. We follow the sampler's
// links: positive/negative → (FluxGuidance / conditioning nodes) → CLIPTextEncode text;
// model → (LoraLoader …) → CheckpointLoaderSimple / UNETLoader; latent_image → EmptyLatentImage.
// Handles KSampler, KSamplerAdvanced and SamplerCustomAdvanced (RandomNoise, BasicScheduler,
// KSamplerSelect, BasicGuider / CFGGuider).
import type { ImageParameters } from '@shared/contract';
import { emptyParameters, parseJsonObject, toInt, toNum, type Lora } from './params';

interface Node {
  class_type: string;
  inputs: Record<string, unknown>;
}
type Graph = Map<string, Node>;

function isLink(v: unknown): v is [string | number, number] {
  return Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && typeof v[1] === 'number';
}

function linked(g: Graph, v: unknown): Node | null {
  return isLink(v) ? (g.get(String(v[0])) ?? null) : null;
}

/** A literal, or the value of a primitive node a link points at (seed/int/float/string widgets). */
function value(g: Graph, v: unknown, depth = 0): unknown {
  if (!isLink(v)) return v;
  const n = linked(g, v);
  if (!n || depth > 8) return null;
  for (const k of ['value', 'seed', 'noise_seed', 'int', 'float', 'string', 'text', 'number']) {
    if (k in n.inputs) return value(g, n.inputs[k], depth + 1);
  }
  return null;
}

const TEXT_ENCODERS = new Set(['CLIPTextEncode', 'CLIPTextEncodeFlux', 'CLIPTextEncodeSDXL', 'CLIPTextEncodeSD3']);

function conditioning(g: Graph, v: unknown, found: { guidance: number | null }, depth = 0): string | null {
  const n = linked(g, v);
  if (!n || depth > 16) return null;
  if (n.class_type === 'FluxGuidance' && found.guidance === null) found.guidance = toNum(value(g, n.inputs.guidance));
  if (TEXT_ENCODERS.has(n.class_type)) {
    if (n.class_type === 'CLIPTextEncodeFlux' && found.guidance === null) found.guidance = toNum(value(g, n.inputs.guidance));
    for (const k of ['text', 't5xxl', 'text_g', 'clip_l']) {
      const t = value(g, n.inputs[k]);
      if (typeof t === 'string') return t;
    }
    return null;
  }
  for (const k of ['conditioning', 'conditioning_1', 'conditioning_to', 'positive']) {
    if (k in n.inputs) {
      const t = conditioning(g, n.inputs[k], found, depth + 1);
      if (t !== null) return t;
    }
  }
  return null;
}

function modelChain(g: Graph, v: unknown, loras: Lora[], depth = 0): string | null {
  const n = linked(g, v);
  if (!n || depth > 32) return null;
  const name = n.inputs.ckpt_name ?? n.inputs.unet_name;
  if (typeof name === 'string') return name;
  if (typeof n.inputs.lora_name === 'string') {
    loras.unshift({ name: n.inputs.lora_name, scale: toNum(value(g, n.inputs.strength_model)) ?? 1, sha256: null });
  }
  return 'model' in n.inputs ? modelChain(g, n.inputs.model, loras, depth + 1) : null;
}

function latentSize(g: Graph, v: unknown, depth = 0): { width: number | null; height: number | null } | null {
  const n = linked(g, v);
  if (!n || depth > 16) return null;
  if ('width' in n.inputs && 'height' in n.inputs) return { width: toInt(value(g, n.inputs.width)), height: toInt(value(g, n.inputs.height)) };
  for (const k of ['samples', 'latent', 'latent_image']) if (k in n.inputs) return latentSize(g, n.inputs[k], depth + 1);
  return null;
}

function toGraph(json: string): Graph | null {
  const o = parseJsonObject(json);
  if (!o) return null;
  const g: Graph = new Map();
  for (const [id, n] of Object.entries(o)) {
    if (!n || typeof n !== 'object') continue;
    const node = n as Record<string, unknown>;
    if (typeof node.class_type !== 'string') continue;
    const inputs = node.inputs && typeof node.inputs === 'object' && !Array.isArray(node.inputs) ? (node.inputs as Record<string, unknown>) : {};
    g.set(id, { class_type: node.class_type, inputs });
  }
  return g.size ? g : null;
}

/** ImageParameters (source 'comfyui') from an API-format graph; null when it is not one or has no sampler. Never throws. */
export function parseComfyPrompt(json: string): ImageParameters | null {
  try {
    const g = toGraph(json);
    if (!g) return null;
    const nodes = [...g.values()];
    const sampler = nodes.find((n) => n.class_type === 'KSampler' || n.class_type === 'KSamplerAdvanced') ?? nodes.find((n) => n.class_type === 'SamplerCustomAdvanced' || n.class_type === 'SamplerCustom');
    if (!sampler) return null;
    const p = emptyParameters();
    p.source = 'comfyui';
    const found = { guidance: null as number | null };
    const inp = sampler.inputs;
    let cfg: number | null = null;
    let positive: unknown = inp.positive;
    let negative: unknown = inp.negative;
    if (sampler.class_type === 'KSampler' || sampler.class_type === 'KSamplerAdvanced') {
      p.seed = toInt(value(g, inp.seed ?? inp.noise_seed));
      p.steps = toInt(value(g, inp.steps));
      cfg = toNum(value(g, inp.cfg));
      const s = value(g, inp.sampler_name);
      p.sampler = typeof s === 'string' ? s : null;
    } else {
      p.seed = toInt(value(g, inp.noise_seed)) ?? toInt(value(g, linked(g, inp.noise)?.inputs.noise_seed));
      const sched = linked(g, inp.sigmas);
      p.steps = sched ? toInt(value(g, sched.inputs.steps)) : null;
      const sel = linked(g, inp.sampler);
      const s = sel ? value(g, sel.inputs.sampler_name) : null;
      p.sampler = typeof s === 'string' ? s : null;
      cfg = toNum(value(g, inp.cfg));
      const guider = linked(g, inp.guider);
      if (guider) {
        cfg = cfg ?? toNum(value(g, guider.inputs.cfg));
        positive = guider.inputs.positive ?? guider.inputs.conditioning;
        negative = guider.inputs.negative;
      }
    }
    p.prompt = conditioning(g, positive, found);
    const neg = conditioning(g, negative, { guidance: null });
    p.negativePrompt = neg === '' ? null : neg;
    p.guidance = found.guidance ?? nodes.map((n) => (n.class_type === 'FluxGuidance' ? toNum(value(g, n.inputs.guidance)) : null)).find((x) => x !== null) ?? cfg;
    const loras: Lora[] = [];
    p.model = modelChain(g, inp.model ?? linked(g, inp.guider)?.inputs.model, loras);
    if (p.model === null) {
      const loader = nodes.find((n) => typeof n.inputs.ckpt_name === 'string' || typeof n.inputs.unet_name === 'string');
      p.model = loader ? String(loader.inputs.ckpt_name ?? loader.inputs.unet_name) : null;
    }
    p.loras = loras;
    const size = latentSize(g, inp.latent_image) ?? (() => {
      const e = nodes.find((n) => /^Empty.*LatentImage$/.test(n.class_type));
      return e ? { width: toInt(value(g, e.inputs.width)), height: toInt(value(g, e.inputs.height)) } : null;
    })();
    p.width = size?.width ?? null;
    p.height = size?.height ?? null;
    return p;
  } catch {
    return null;
  }
}
