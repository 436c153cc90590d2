// AUTOMATIC1111's `parameters` text (modules/processing.py::create_infotext and
// modules/infotext_utils.py::parse_generation_parameters), the lingua franca other tools read:
//
//   <prompt>[\nNegative prompt: <negative>]\n<Key>: <value>, <Key>: <value>, …
//
// FLUX has no real CFG: like Forge we write `CFG scale: 1` and the guidance as
// `Distilled CFG Scale`. Values containing `,`, `:` or a newline are JSON-quoted
// (json.dumps(v, ensure_ascii=False)); None values are dropped.
import type { ImageParameters } from '@shared/contract';
import { emptyParameters, toInt, toNum, type Lora } from './params';

export interface A1111Extras {
  /** The app version for `Version: flux-studio <version>`. */
  version?: string | null;
  /** sha256 of the model file (the first 10 hex digits become `Model hash`). */
  modelSha256?: string | null;
  /** Scheduler for `Schedule type` (FLUX: Simple). */
  scheduleType?: string | null;
}

export type FormatInput = Partial<ImageParameters> & A1111Extras;

/** A1111's infotext value quoting: JSON when the value contains `,`, `:` or a newline. */
export function quoteValue(v: string): string {
  return /[,:\n]/.test(v) ? JSON.stringify(v) : v;
}

function num(n: number): string {
  return String(n);
}

export function formatParameters(p: FormatInput): string {
  const loraHashes = (p.loras ?? [])
    .filter((l) => l.sha256)
    .map((l) => `${l.name}: ${l.sha256!.slice(0, 12)}`)
    .join(', ');
  const fields: Array<[string, string | number | null | undefined]> = [
    ['Steps', p.steps],
    ['Sampler', p.sampler ?? 'Euler'],
    ['Schedule type', p.scheduleType === undefined ? 'Simple' : p.scheduleType],
    ['CFG scale', 1],
    ['Distilled CFG Scale', p.guidance],
    ['Seed', p.seed],
    ['Size', p.width != null && p.height != null ? `${p.width}x${p.height}` : null],
    ['Model hash', p.modelSha256 ? p.modelSha256.slice(0, 10) : null],
    ['Model', p.model],
    ['Lora hashes', loraHashes || null],
    ['Version', p.version ? `flux-studio ${p.version}` : null],
  ];
  const line = fields
    .filter((f): f is [string, string | number] => f[1] !== null && f[1] !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === 'number' ? num(v) : quoteValue(v)}`)
    .join(', ');
  const negative = p.negativePrompt ? `\nNegative prompt: ${p.negativePrompt}` : '';
  return `${p.prompt ?? ''}${negative}\n${line}`.trim();
}

const RE_PARAM = /\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g;
const RE_SIZE = /^(\d+)x(\d+)$/;

function unquote(v: string): string {
  try {
    const r = JSON.parse(v) as unknown;
    return typeof r === 'string' ? r : v;
  } catch {
    return v;
  }
}

/** The key/value pairs of a parameter line, in order (A1111's re_param.findall). */
export function parseParamLine(line: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of line.matchAll(RE_PARAM)) out.push([m[1]!, m[2]!]);
  return out;
}

export interface A1111Parsed extends ImageParameters {
  /** Every key of the parameter line with its (unquoted) value; `Size` split into `Size-1`/`Size-2` as A1111 does. */
  fields: Record<string, string>;
}

/** A1111's parse_generation_parameters, mapped onto ImageParameters (source 'a1111'). */
export function parseParameters(text: string): A1111Parsed {
  const lines = text.trim().split('\n');
  let lastline = lines.pop() ?? '';
  if (parseParamLine(lastline).length < 3) {
    lines.push(lastline);
    lastline = '';
  }
  let prompt = '';
  let negative = '';
  let doneWithPrompt = false;
  for (let line of lines) {
    line = line.trim();
    if (line.startsWith('Negative prompt:')) {
      doneWithPrompt = true;
      line = line.slice(16).trim();
    }
    if (doneWithPrompt) negative += (negative === '' ? '' : '\n') + line;
    else prompt += (prompt === '' ? '' : '\n') + line;
  }
  const fields: Record<string, string> = {};
  for (const [k, raw] of parseParamLine(lastline)) {
    const v = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? unquote(raw) : raw;
    const size = RE_SIZE.exec(v);
    if (size) {
      fields[`${k}-1`] = size[1]!;
      fields[`${k}-2`] = size[2]!;
    } else {
      fields[k] = v;
    }
  }
  const p = emptyParameters();
  p.source = 'a1111';
  p.parametersText = text;
  p.prompt = prompt;
  p.negativePrompt = negative === '' ? null : negative;
  p.steps = toInt(fields['Steps']);
  p.seed = toInt(fields['Seed']);
  p.width = toInt(fields['Size-1']);
  p.height = toInt(fields['Size-2']);
  p.guidance = toNum(fields['Distilled CFG Scale']) ?? toNum(fields['CFG scale']);
  p.model = fields['Model'] ?? null;
  p.sampler = fields['Sampler'] ?? null;
  p.loras = parseLoras(prompt, fields['Lora hashes']);
  return { ...p, fields };
}

/** LoRAs from `<lora:name:scale>` tags in the prompt and the `Lora hashes` field ("name: hash, name: hash"). */
function parseLoras(prompt: string, hashes: string | undefined): Lora[] {
  const byName = new Map<string, Lora>();
  for (const m of prompt.matchAll(/<lora:([^:>]+)(?::([^:>]+))?[^>]*>/g)) {
    byName.set(m[1]!, { name: m[1]!, scale: toNum(m[2]) ?? 1, sha256: null });
  }
  if (hashes) {
    for (const part of hashes.split(',')) {
      const i = part.lastIndexOf(':');
      if (i < 0) continue;
      const name = part.slice(0, i).trim();
      const hash = part.slice(i + 1).trim();
      if (!name) continue;
      const prev = byName.get(name);
      byName.set(name, { name, scale: prev?.scale ?? 1, sha256: hash || null });
    }
  }
  return [...byName.values()];
}
