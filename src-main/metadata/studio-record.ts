// The studio's own record of how an image was made: every ImageParameters field (except
// `source` and `parametersText`, which describe where a reader found the values) plus the
// app version, the creation time and, when known, the PRNG and the sigma schedule. Stored as
// JSON under the key `flux-studio`:
//   - PNG: a text chunk `flux-studio` (tEXt when Latin-1, iTXt otherwise), next to `parameters`;
//   - JPEG / WebP: EXIF MakerNote (0x927C) = "flux-studio\0" + UTF-8 JSON, in the same ExifIFD
//     as the A1111 UserComment (see exif-tiff.ts for why that tag).
import type { ImageParameters } from '@shared/contract';
import { emptyParameters, parseJsonObject, toInt, toLoras, toNum, toStr } from './params';

export const STUDIO_KEY = 'flux-studio';
export const STUDIO_RECORD_FORMAT = 1;

export interface StudioRecordExtras {
  version: string;
  /** ISO 8601; defaults to now. */
  createdAt?: string;
  /** The noise generator, e.g. "torch.Generator(cpu)" — whatever makes the seed reproducible. */
  prng?: string | null;
  sigmas?: number[] | null;
}

export type StudioRecord = Omit<ImageParameters, 'source' | 'parametersText'> & {
  format: number;
  version: string;
  createdAt: string;
  prng?: string | null;
  sigmas?: number[] | null;
};

export function makeStudioRecord(params: ImageParameters, extras: StudioRecordExtras): StudioRecord {
  const record: StudioRecord = {
    format: STUDIO_RECORD_FORMAT,
    version: extras.version,
    createdAt: extras.createdAt ?? new Date().toISOString(),
    prompt: params.prompt,
    negativePrompt: params.negativePrompt,
    enhancedFrom: params.enhancedFrom,
    model: params.model,
    seed: params.seed,
    steps: params.steps,
    guidance: params.guidance,
    sampler: params.sampler,
    width: params.width,
    height: params.height,
    jpegQuality: params.jpegQuality,
    loras: params.loras.map((l) => ({ name: l.name, scale: l.scale, sha256: l.sha256 ?? null })),
    runtime: params.runtime,
    pod: params.pod,
    loadSeconds: params.loadSeconds,
    genSeconds: params.genSeconds,
  };
  if (extras.prng != null) record.prng = extras.prng;
  if (extras.sigmas != null) record.sigmas = extras.sigmas;
  return record;
}

export function serializeStudioRecord(record: StudioRecord): string {
  return JSON.stringify(record);
}

/** The record's JSON as ImageParameters (source 'studio'); null when it is not a JSON object. Never throws. */
export function parseStudioRecord(json: string): (ImageParameters & { record: Record<string, unknown> }) | null {
  const r = parseJsonObject(json);
  if (!r) return null;
  const p = emptyParameters();
  p.prompt = toStr(r.prompt);
  p.negativePrompt = toStr(r.negativePrompt);
  p.enhancedFrom = toStr(r.enhancedFrom);
  p.model = toStr(r.model);
  p.seed = toInt(r.seed);
  p.steps = toInt(r.steps);
  p.guidance = toNum(r.guidance);
  p.sampler = toStr(r.sampler);
  p.width = toInt(r.width);
  p.height = toInt(r.height);
  p.jpegQuality = toInt(r.jpegQuality);
  p.loras = toLoras(r.loras);
  p.runtime = r.runtime === 'local' || r.runtime === 'remote' ? r.runtime : null;
  p.pod = toStr(r.pod);
  p.loadSeconds = toNum(r.loadSeconds);
  p.genSeconds = toNum(r.genSeconds);
  p.source = 'studio';
  return { ...p, record: r };
}
