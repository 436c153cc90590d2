// ai-toolkit's aspect-ratio buckets (toolkit/buckets.py + BucketsMixin.setup_buckets in
// toolkit/dataloader_mixins.py at the pinned commit), re-implemented to preview where each
// image lands before training:
//   1. the effective resolution is min(resolution, floor(sqrt(w·h))): images are never
//      upscaled, so a small image gets small buckets;
//   2. the SDXL bucket table (1024 base) is scaled by resolution/1024, each side truncated
//      and then floored to a multiple of `divisibility` (the dataset's bucket_tolerance, 64);
//   3. an exact size match wins; otherwise the bucket that crops the fewest pixels after
//      scaling the image to cover it (scale = max(bw/w, bh/h)), first one on a tie;
//   4. the image is scaled to cover the bucket and centre-cropped.
// Sizes are after EXIF rotation.

export interface Bucket {
  width: number;
  height: number;
}

/** SDXL's 1024-base bucket list in ai-toolkit's order (the order decides ties). */
const BASE_1024: readonly (readonly [number, number])[] = [
  [1024, 1024],
  [2048, 512], [1984, 512], [1920, 512], [1856, 512], [1792, 576], [1728, 576], [1664, 576], [1600, 640],
  [1536, 640], [1472, 704], [1408, 704], [1344, 704], [1344, 768], [1280, 768], [1216, 832], [1152, 832],
  [1152, 896], [1088, 896], [1088, 960], [1024, 960],
  [960, 1024], [960, 1088], [896, 1088], [896, 1152], [832, 1152], [832, 1216], [768, 1280], [768, 1344],
  [704, 1408], [704, 1472], [640, 1536], [640, 1600], [576, 1664], [576, 1728], [576, 1792], [512, 1856],
  [512, 1920], [512, 1984], [512, 2048],
  [8192, 128], [128, 8192],
];

export const BUCKET_DIVISIBILITY = 64;

export function bucketSizes(resolution: number, divisibility = BUCKET_DIVISIBILITY): Bucket[] {
  const scaler = resolution / 1024;
  return BASE_1024.map(([w, h]) => {
    let width = Math.trunc(w * scaler);
    let height = Math.trunc(h * scaler);
    width -= width % divisibility;
    height -= height % divisibility;
    return { width, height };
  });
}

/** The bucket ai-toolkit puts a `width`×`height` image in when training at `resolution`. */
export function bucketFor(width: number, height: number, resolution: number, divisibility = BUCKET_DIVISIBILITY): Bucket {
  if (!(width > 0 && height > 0)) throw new Error(`bucketFor: invalid size ${width}×${height}`);
  const effective = Math.min(resolution, Math.floor(Math.sqrt(width * height)));
  const list = bucketSizes(effective, divisibility);
  const exact = list.find((b) => b.width === width && b.height === height);
  if (exact) return exact;
  let best: Bucket | null = null;
  let bestRemoved = Infinity;
  for (const b of list) {
    const scale = Math.max(b.width / width, b.height / height);
    const newW = Math.trunc(width * scale);
    const newH = Math.trunc(height * scale);
    const removed = (newW - b.width) * newH + (newH - b.height) * newW;
    if (removed < bestRemoved) {
      bestRemoved = removed;
      best = b;
    }
  }
  if (!best) throw new Error('no suitable bucket');
  return best;
}

export interface BucketedItem {
  file: string;
  width: number;
  height: number;
}

/** Per resolution: every item's bucket and the count per bucket (largest count first). */
export function previewBuckets(items: readonly BucketedItem[], resolutions: readonly number[]) {
  return {
    resolutions: resolutions.map((resolution) => {
      const counts = new Map<string, { width: number; height: number; count: number }>();
      const placed = items.map((it) => {
        const b = bucketFor(it.width, it.height, resolution);
        const key = `${b.width}x${b.height}`;
        const c = counts.get(key) ?? { width: b.width, height: b.height, count: 0 };
        c.count++;
        counts.set(key, c);
        return { file: it.file, width: it.width, height: it.height, bucketWidth: b.width, bucketHeight: b.height };
      });
      const buckets = [...counts.values()].sort((a, b) => b.count - a.count || b.width * b.height - a.width * a.height || b.width - a.width);
      return { resolution, buckets, items: placed };
    }),
  };
}
