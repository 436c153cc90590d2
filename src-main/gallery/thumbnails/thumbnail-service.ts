// Gallery thumbnails: WebP at two sizes (256 px for the grid, 1024 px for the detail view),
// cached on disk by content hash under <thumbs>/<first two hex digits>/<hash>-<size>.webp.
//
// Off the main thread: sharp runs every pipeline (decode, resize, encode, write) on libuv's
// threadpool with libvips' own threads, so the JS thread only schedules. We measured a
// worker_threads pool against this on the target 2-core machine (80 distinct 1024×1024
// JPEGs, both sizes each): 37.8/s with 2 workers against 38.0/s with 2 concurrent sharp
// pipelines at equal settings, plus worker start-up and a separate build entry to ship. The
// workers only moved the same native work to other threads, so this service uses sharp's
// threadpool with a small queue instead: at most `workers` pipelines at once, one libvips
// thread each. One pipeline does not keep a core busy (its file reads and writes, and the
// hand-offs between its decode, encode and write steps, leave gaps), so the default is two
// pipelines per core: on 2 cores (100 JPEGs, both sizes) 2 pipelines made 34–37/s and 4 made
// 45–49/s at the same CPU per image; 6 and 8 added nothing. Each pipeline holds a libuv
// thread, so the pool is widened at start-up (src-main/platform/thread-pool.ts).
//
// WebP effort (libwebp's "method") is the biggest cost lever. CPU per 1024×1024 JPEG,
// measured here: decode ~7 ms; 1024 px encode 108 ms at the default effort 4, 37 ms at
// effort 1, 30 ms at effort 0 (files ~5% larger than effort 1); 256 px 17/10/8 ms at effort
// 4/2/1. Effort 0 (large) + 1 (small), at quality 80 throughout, costs ~38 ms CPU an image:
// ~50 images/s on two idle cores, against ~16/s at the defaults. These are a local cache, so
// a few % of disk buys a 3× faster scan.
//
// A broken, partial or non-image file resolves to { broken: reason } (logged once per
// content hash); nothing here throws for a bad input or takes the queue down with it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Logger } from '../../logging/logger';
import { threadPoolSize } from '../../platform/thread-pool';
import type { ThumbResult, Thumbnailer } from '../gallery-deps';

export type { ThumbResult } from '../gallery-deps';

export interface ThumbnailServiceOptions {
  thumbsDir: string;
  log: Logger;
  /** Pipelines at once; defaults to defaultPipelines() (4 on the target machine's 2 cores). */
  workers?: number;
}

export const THUMB_SIZES = { small: 256, large: 1024 } as const;
const QUALITY = 80;
const EFFORT = { small: 1, large: 0 } as const;
/** Decompression-bomb guard: refuse inputs over 120 megapixels (a 12,000 × 10,000 photo). */
export const MAX_INPUT_PIXELS = 120_000_000;
/** Files read whole into memory; anything bigger is not a picture we can thumbnail sensibly. */
const MAX_FILE_BYTES = 512 * 2 ** 20;
/** Broken-file reasons remembered (so a bad file is logged and decoded once per run). */
const BROKEN_MEMORY = 10_000;
const HASH_RE = /^[0-9a-f]{8,128}$/i;

/**
 * Pipelines at once by default: two per core, at most 8, and always two of libuv's threads
 * left for the rest of the process (each pipeline holds one from decode to write).
 */
export function defaultPipelines(cores: number, poolSize: number): number {
  return Math.max(1, Math.min(2 * Math.max(1, cores), 8, poolSize - 2));
}

export class ThumbnailServiceClosedError extends Error {
  constructor() {
    super('thumbnail service closed');
    this.name = 'ThumbnailServiceClosedError';
  }
}

/** Paths (relative to the thumbs folder, '/'-separated as in a media URL) for a content hash. */
export function thumbPaths(contentHash: string): { small: string; large: string } {
  const shard = contentHash.slice(0, 2).toLowerCase();
  return {
    small: `${shard}/${contentHash}-${THUMB_SIZES.small}.webp`,
    large: `${shard}/${contentHash}-${THUMB_SIZES.large}.webp`,
  };
}

interface QueuedJob {
  run: () => Promise<void>;
  cancel: (err: Error) => void;
}

export class ThumbnailService implements Thumbnailer {
  private readonly thumbsDir: string;
  private readonly log: Logger;
  private readonly limit: number;
  private readonly inflight = new Map<string, Promise<ThumbResult>>();
  private readonly broken = new Map<string, string>();
  private readonly queue: QueuedJob[] = [];
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(opts: ThumbnailServiceOptions) {
    this.thumbsDir = opts.thumbsDir;
    this.log = opts.log.child('thumbnails');
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    this.limit = Math.max(1, Math.floor(opts.workers ?? defaultPipelines(cores, threadPoolSize())));
    // One libvips thread per pipeline (sharp's default is one per core for each): the
    // pipelines running side by side are what fills the cores.
    sharp.concurrency(Math.max(1, Math.floor(cores / this.limit)));
  }

  /** Both thumbnails for this content, made if missing; never rejects for a bad input file. */
  ensure(contentHash: string, filePath: string): Promise<ThumbResult> {
    if (this.closed) return Promise.reject(new ThumbnailServiceClosedError());
    if (!HASH_RE.test(contentHash)) return Promise.resolve({ broken: 'invalid content hash' });
    const key = contentHash.toLowerCase();
    const known = this.broken.get(key);
    if (known !== undefined) return Promise.resolve({ broken: known });
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const promise = this.cachedOrMake(contentHash, filePath).finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  /** Stops taking work: queued requests reject with ThumbnailServiceClosedError, running ones finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.cancel(new ThumbnailServiceClosedError());
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async cachedOrMake(contentHash: string, filePath: string): Promise<ThumbResult> {
    const rel = thumbPaths(contentHash);
    const missing = (['small', 'large'] as const).filter((size) => !fs.existsSync(path.join(this.thumbsDir, rel[size])));
    if (missing.length === 0) return rel;
    const reason = await this.schedule(() => this.make(contentHash, filePath, rel, missing));
    if (reason === null) return rel;
    const key = contentHash.toLowerCase();
    if (!this.broken.has(key)) {
      if (this.broken.size >= BROKEN_MEMORY) this.broken.delete(this.broken.keys().next().value as string);
      this.broken.set(key, reason);
      this.log.warn(`skipped ${filePath}: ${reason}`);
    }
    return { broken: reason };
  }

  /** Runs `task` when a pipeline slot is free. */
  private schedule<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: QueuedJob = {
        run: () => task().then(resolve, reject),
        cancel: reject,
      };
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    while (this.running.size < this.limit && this.queue.length > 0) {
      const job = this.queue.shift() as QueuedJob;
      const run = job.run().finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  /** Makes the missing sizes; null on success, else why the file cannot be thumbnailed. */
  private async make(contentHash: string, filePath: string, rel: { small: string; large: string }, missing: readonly ('small' | 'large')[]): Promise<string | null> {
    try {
      // Read once into memory: both sizes decode from the same bytes, and libvips' operation
      // cache (keyed by file name for file inputs) can never hand back an older version of a
      // file that was rewritten in place (a partial write completed later).
      const { size } = await fs.promises.stat(filePath);
      if (size > MAX_FILE_BYTES) return `file too large (${Math.round(size / 2 ** 20)} MiB)`;
      const bytes = await fs.promises.readFile(filePath);
      if (bytes.length === 0) return 'empty file';
      fs.mkdirSync(path.join(this.thumbsDir, contentHash.slice(0, 2).toLowerCase()), { recursive: true });
      // Large first, then small (JPEG shrink-on-load makes the small decode cheap).
      for (const size of (['large', 'small'] as const).filter((s) => missing.includes(s))) {
        await this.writeOne(bytes, path.join(this.thumbsDir, rel[size]), THUMB_SIZES[size], EFFORT[size]);
      }
      return null;
    } catch (err) {
      return describe(err);
    }
  }

  private async writeOne(input: Buffer, dest: string, box: number, effort: number): Promise<void> {
    const tmp = path.join(path.dirname(dest), `.${path.basename(dest, '.webp')}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp.webp`);
    try {
      await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
        .rotate() // EXIF orientation
        .resize(box, box, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: QUALITY, effort })
        .toFile(tmp);
      fs.renameSync(tmp, dest);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }
}

function describe(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'not a file';
  if (/unsupported image format/i.test(raw)) return 'not an image (unsupported or unrecognised format)';
  if (/pixel limit/i.test(raw)) return `image too large (over ${MAX_INPUT_PIXELS / 1e6} megapixels)`;
  if (/premature end|truncated|unexpected end|read error|out of data|not enough data|short read/i.test(raw)) return `truncated or partial file (${firstLine(raw)})`;
  return `cannot decode image (${firstLine(raw)})`;
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.trim().slice(0, 200);
}
