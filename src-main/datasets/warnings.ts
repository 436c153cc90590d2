// Warnings about a dataset's images: they still train (except "too small", an error), but
// the user should know. Each file gets at most one warning of each kind; lists come sorted
// severity first, then kind, then file (WARNING_SEVERITY in the contract).
import { WARNING_CODES, WARNING_SEVERITIES, WARNING_SEVERITY, type DatasetWarning } from '@shared/contract/datasets';

/** Long side / short side above this is an extreme aspect ratio. */
export const MAX_ASPECT = 3;
/** dHash Hamming distance at or below this (of 64 bits) = the same structure. */
export const NEAR_DUPLICATE_BITS = 5;
/**
 * …and every one of the colour signature's 12 values (mean R, G, B of each quarter) within
 * this many levels (of 255). dHash is computed from brightness differences only, so two flat
 * images (or the same gradient in red and in blue) have the same hash; colour tells them apart.
 */
export const NEAR_DUPLICATE_COLOUR = 32;

export interface MeasuredImage {
  file: string;
  width: number;
  height: number;
  dhash: string | null;
  /** Colour signature (24 hex digits: mean RGB of the 2×2 quarters); null when not measured yet. */
  colour: string | null;
  hasCaption: boolean;
}

/** Below this short side an image is too small to train (an error): half the smallest training resolution. */
export function tooSmallBelow(resolutions: readonly number[]): number {
  return Math.floor(Math.min(...resolutions) / 2);
}

function hashWords(hex: string): [number, number] {
  return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8, 16), 16) >>> 0];
}

function popcount32(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function colourValues(hex: string | null): number[] | null {
  if (!hex || !/^[0-9a-f]{24}$/.test(hex)) return null;
  return Array.from({ length: 12 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** Pairs of near-duplicate files (each pair once, in input order): the same structure and the same colours. */
export function nearDuplicates(items: readonly MeasuredImage[], maxBits = NEAR_DUPLICATE_BITS, maxColour = NEAR_DUPLICATE_COLOUR): [string, string][] {
  // An image measured before colour signatures existed is re-measured on its next look; until
  // then it cannot be compared (structure alone would flag every flat image).
  const hashed = items
    .filter((i) => i.dhash && /^[0-9a-f]{16}$/.test(i.dhash))
    .map((i) => ({ file: i.file, w: hashWords(i.dhash as string), c: colourValues(i.colour) }))
    .filter((i): i is { file: string; w: [number, number]; c: number[] } => i.c !== null);
  const pairs: [string, string][] = [];
  for (let a = 0; a < hashed.length; a++) {
    const ha = hashed[a] as (typeof hashed)[number];
    for (let b = a + 1; b < hashed.length; b++) {
      const hb = hashed[b] as (typeof hashed)[number];
      const d = popcount32((ha.w[0] ^ hb.w[0]) >>> 0) + popcount32((ha.w[1] ^ hb.w[1]) >>> 0);
      if (d > maxBits) continue;
      if (ha.c.some((v, i) => Math.abs(v - (hb.c[i] ?? 0)) > maxColour)) continue;
      pairs.push([ha.file, hb.file]);
    }
  }
  return pairs;
}

/** Severity first (errors on top), then kind in WARNING_CODES order, then file. */
export function sortWarnings(warnings: readonly DatasetWarning[]): DatasetWarning[] {
  const sev = (w: DatasetWarning) => WARNING_SEVERITIES.indexOf(WARNING_SEVERITY[w.code]);
  const kind = (w: DatasetWarning) => WARNING_CODES.indexOf(w.code);
  return [...warnings].sort((a, b) => sev(a) - sev(b) || kind(a) - kind(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Warnings for measured images against the dataset's resolution list, sorted (sortWarnings). */
export function imageWarnings(items: readonly MeasuredImage[], resolutions: readonly number[], opts: { onlyFiles?: ReadonlySet<string> } = {}): DatasetWarning[] {
  const target = Math.max(...resolutions);
  const floor = tooSmallBelow(resolutions);
  const want = (f: string) => !opts.onlyFiles || opts.onlyFiles.has(f);
  const out: DatasetWarning[] = [];
  for (const it of items) {
    if (!want(it.file)) continue;
    const short = Math.min(it.width, it.height);
    const long = Math.max(it.width, it.height);
    if (short < floor) {
      out.push({
        file: it.file,
        code: 'too_small',
        message: `too small to train: short side ${short} px is under ${floor} px (half the smallest training resolution, ${Math.min(...resolutions)} px); replace it with a larger copy or remove it`,
      });
    } else if (short < target) {
      out.push({ file: it.file, code: 'small', message: `short side ${short} px is below the ${target} px training resolution; ai-toolkit never upscales, so it trains in a smaller bucket there` });
    }
    if (long / short > MAX_ASPECT) {
      out.push({ file: it.file, code: 'aspect', message: `extreme aspect ratio ${(long / short).toFixed(1)}:1 (over ${MAX_ASPECT}:1): most of it is cropped away or it lands in a thin bucket` });
    }
    if (!it.hasCaption) out.push({ file: it.file, code: 'no_caption', message: 'no caption (.txt): it trains with the default caption (or the trigger word only)' });
  }
  // One warning per file however many look like it: the later file of each pair names every
  // earlier one it resembles.
  const like = new Map<string, string[]>();
  for (const [a, b] of nearDuplicates(items)) {
    if (!want(a) && !want(b)) continue;
    like.set(b, [...(like.get(b) ?? []), a]);
  }
  for (const [file, others] of like) {
    out.push({ file, code: 'near_duplicate', message: `looks almost identical to ${others.join(', ')} (same structure and colours)` });
  }
  return sortWarnings(out);
}
