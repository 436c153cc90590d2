import type { ImageParameters } from '@shared/contract';

/** One LoRA as ImageParameters holds it (the contract exports only its schema). */
export type Lora = ImageParameters['loras'][number];

/** ImageParameters with every field unknown. */
export function emptyParameters(): ImageParameters {
  return {
    prompt: null,
    negativePrompt: null,
    enhancedFrom: null,
    model: null,
    seed: null,
    steps: null,
    guidance: null,
    sampler: null,
    width: null,
    height: null,
    jpegQuality: null,
    loras: [],
    runtime: null,
    pod: null,
    loadSeconds: null,
    genSeconds: null,
    source: null,
    parametersText: null,
  };
}

/** JSON text that must hold an object; null for anything else (never throws). */
export function parseJsonObject(json: string): Record<string, unknown> | null {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    return null;
  }
  return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
}

export function toInt(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
}

export function toNum(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

export function toStr(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function toLoras(v: unknown): Lora[] {
  if (!Array.isArray(v)) return [];
  const out: Lora[] = [];
  for (const l of v) {
    if (!l || typeof l !== 'object') continue;
    const o = l as Record<string, unknown>;
    const name = toStr(o.name);
    if (name === null) continue;
    out.push({ name, scale: toNum(o.scale) ?? 1, sha256: toStr(o.sha256) });
  }
  return out;
}
