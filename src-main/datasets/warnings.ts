// Warnings about a dataset's images: they still train, but the user should know.
import type { DatasetWarning } from '@shared/contract/datasets';

/** Long side / short side above this is an extreme aspect ratio. */
export const MAX_ASPECT = 3;
/** dHash Hamming distance at or below this (of 64 bits) = near-duplicate. */
export const NEAR_DUPLICATE_BITS = 5;

export interface MeasuredImage {
  file: string;
  width: number;
  height: number;
  dhash: string | null;
  hasCaption: boolean;
}

function hashWords(hex: string): [number, number] {
  return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8, 16), 16) >>> 0];
}

function popcount32(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Pairs of near-duplicate files (each pair once, in input order). */
export function nearDuplicates(items: readonly MeasuredImage[], maxBits = NEAR_DUPLICATE_BITS): [string, string][] {
  const hashed = items.filter((i) => i.dhash && /^[0-9a-f]{16}$/.test(i.dhash)).map((i) => ({ file: i.file, w: hashWords(i.dhash as string) }));
  const pairs: [string, string][] = [];
  for (let a = 0; a < hashed.length; a++) {
    const ha = hashed[a] as (typeof hashed)[number];
    for (let b = a + 1; b < hashed.length; b++) {
      const hb = hashed[b] as (typeof hashed)[number];
      const d = popcount32((ha.w[0] ^ hb.w[0]) >>> 0) + popcount32((ha.w[1] ^ hb.w[1]) >>> 0);
      if (d <= maxBits) pairs.push([ha.file, hb.file]);
    }
  }
  return pairs;
}

/** Warnings for measured images against the dataset's resolution list. */
export function imageWarnings(items: readonly MeasuredImage[], resolutions: readonly number[], opts: { onlyFiles?: ReadonlySet<string> } = {}): DatasetWarning[] {
  const target = Math.max(...resolutions);
  const want = (f: string) => !opts.onlyFiles || opts.onlyFiles.has(f);
  const out: DatasetWarning[] = [];
  for (const it of items) {
    if (!want(it.file)) continue;
    const short = Math.min(it.width, it.height);
    const long = Math.max(it.width, it.height);
    if (short < target) {
      out.push({ file: it.file, code: 'small', message: `short side ${short} px is below the ${target} px training resolution; ai-toolkit never upscales, so it trains in a smaller bucket there` });
    }
    if (long / short > MAX_ASPECT) {
      out.push({ file: it.file, code: 'aspect', message: `extreme aspect ratio ${(long / short).toFixed(1)}:1 (over ${MAX_ASPECT}:1): most of it is cropped away or it lands in a thin bucket` });
    }
    if (!it.hasCaption) out.push({ file: it.file, code: 'no_caption', message: 'no caption (.txt): it trains with the default caption (or the trigger word only)' });
  }
  for (const [a, b] of nearDuplicates(items)) {
    if (!want(a) && !want(b)) continue;
    out.push({ file: b, code: 'near_duplicate', message: `looks almost identical to ${a} (perceptual hash)` });
  }
  return out;
}
