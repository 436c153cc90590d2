// Scans one gallery source: walks its folders for JPEG/PNG/WebP files, skips files whose
// (size, mtime) match the index, hashes new and changed files, re-finds moved files by
// content hash, reads parameters and makes thumbnails, and writes each file's row in its
// own transaction only once all of that is ready. Files still being written (an atomic
// write's temp name, or a size that changes while we read) are left for the next scan.
// Idempotent: a scan killed half-way and run again ends with every file indexed once.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ImageParameters } from '@shared/contract';
import type { Logger } from '../logging/logger';
import type { ParameterReader, Thumbnailer } from './gallery-deps';
import { EMPTY_PARAMETERS, type GalleryRepo, type SourceRow } from './index-repo';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** An atomic write's temp file (`.<name>.<pid>.<ts>.tmp`), or any hidden or .tmp/.partial file. */
export function isPendingName(name: string): boolean {
  return name.startsWith('.') || /\.(tmp|partial|part|crdownload)$/i.test(name);
}

export function isImageName(name: string): boolean {
  return !isPendingName(name) && IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

export interface ScanDeps {
  repo: GalleryRepo;
  readParameters: ParameterReader;
  thumbs: Thumbnailer;
  log: Logger;
  /** Called with counts in batches while the scan runs. */
  changed(delta: { added: number; removed: number; updated: number }): void;
}

export interface ScanOptions {
  signal?: AbortSignal;
  progress?(done: number, total: number, message: string): void;
  /** How many files are read, hashed and thumbnailed at once. */
  concurrency?: number;
  /** Folders inside this source that another source indexes (the output folder inside an added one). */
  skipDirs?: readonly string[];
}

export interface ScanResult {
  sourceId: string;
  files: number;
  added: number;
  updated: number;
  moved: number;
  removed: number;
  unchanged: number;
  broken: number;
  skippedInProgress: number;
}

async function walk(dir: string, out: string[], skip: ReadonlySet<string>, signal?: AbortSignal): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return; // unreadable or vanished folder: nothing to index there
  }
  for (const e of entries) {
    if (signal?.aborted) return;
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.has(full)) await walk(full, out, skip, signal);
    }
    else if (e.isFile() && isImageName(e.name)) out.push(full);
  }
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
}

function reasonOf(err: unknown): string {
  const e = err as { reason?: unknown; message?: unknown };
  if (typeof e?.reason === 'string') return e.reason;
  if (typeof e?.message === 'string') return e.message.replace(/^not an image:\s*/i, '');
  return String(err);
}

/** Index the files of one source. `only`: limit the walk to these files (the watcher's hint); removal then checks only them. */
export async function scanSource(source: SourceRow, deps: ScanDeps, opts: ScanOptions = {}, only?: readonly string[]): Promise<ScanResult> {
  const { repo, log } = deps;
  const signal = opts.signal;
  const result: ScanResult = { sourceId: source.id, files: 0, added: 0, updated: 0, moved: 0, removed: 0, unchanged: 0, broken: 0, skippedInProgress: 0 };
  const files: string[] = [];
  const skipDirs = opts.skipDirs ?? [];
  const skipped = (f: string) => skipDirs.some((d) => f.startsWith(d + path.sep));
  if (only) {
    for (const f of only) if (isImageName(path.basename(f)) && !skipped(f) && fs.existsSync(f)) files.push(f);
  } else {
    await walk(source.path, files, new Set(skipDirs), signal);
  }
  throwIfAborted(signal);
  files.sort();
  result.files = files.length;
  const known = repo.fileStates(source.id);
  const seen = new Set<string>();

  let pending = { added: 0, removed: 0, updated: 0 };
  let lastEmit = Date.now();
  const flush = (force = false) => {
    if (pending.added + pending.removed + pending.updated === 0) return;
    if (!force && pending.added + pending.updated + pending.removed < 200 && Date.now() - lastEmit < 500) return;
    deps.changed(pending);
    pending = { added: 0, removed: 0, updated: 0 };
    lastEmit = Date.now();
  };

  let done = 0;
  const total = files.length;
  const indexOne = async (file: string): Promise<void> => {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
    } catch {
      return; // vanished since the walk
    }
    if (!st.isFile()) return;
    seen.add(file);
    const prior = known.get(file);
    if (prior && prior.size === st.size && prior.mtime === st.mtimeMs) {
      result.unchanged++;
      return;
    }
    let bytes: Buffer;
    try {
      bytes = await fs.promises.readFile(file);
    } catch (err) {
      log.warn(`cannot read ${file}: ${reasonOf(err)}`);
      seen.delete(file);
      return;
    }
    // Still being written? Then its size or mtime moves under us: leave it for later.
    let after: fs.Stats;
    try {
      after = await fs.promises.stat(file);
    } catch {
      seen.delete(file);
      return;
    }
    if (after.size !== st.size || after.mtimeMs !== st.mtimeMs || bytes.length !== st.size) {
      result.skippedInProgress++;
      seen.delete(file);
      return;
    }
    const hash = createHash('sha256').update(bytes).digest('hex');

    let params: ImageParameters = { ...EMPTY_PARAMETERS, loras: [] };
    let broken: string | null = null;
    try {
      params = deps.readParameters(bytes);
    } catch (err) {
      broken = reasonOf(err);
    }
    let width: number | null = null;
    let height: number | null = null;
    let format: string | null = path.extname(file).slice(1).toLowerCase().replace('jpg', 'jpeg') || null;
    if (broken === null) {
      try {
        const meta = await sharp(bytes).metadata();
        width = meta.width ?? null;
        height = meta.height ?? null;
        format = meta.format ?? format;
      } catch (err) {
        broken = reasonOf(err);
      }
    }
    let thumbSmall: string | null = null;
    let thumbLarge: string | null = null;
    if (broken === null) {
      const t = await deps.thumbs.ensure(hash, file);
      if ('broken' in t) broken = t.broken;
      else {
        thumbSmall = t.small;
        thumbLarge = t.large;
      }
    }
    if (broken !== null) {
      result.broken++;
      log.warn(`broken image ${file}: ${broken}`);
    }
    throwIfAborted(signal);

    // A new path with content we already know at a path that no longer exists: a move.
    let movedFrom: number | undefined;
    if (!prior) {
      const twin = repo.byHash(hash).find((r) => r.path !== file && !fs.existsSync(r.path));
      if (twin) movedFrom = twin.id;
    }
    const createdAt = new Date(st.birthtimeMs > 0 ? Math.min(st.birthtimeMs, st.mtimeMs) : st.mtimeMs);
    const outcome = repo.writeFile(
      {
        sourceId: source.id,
        path: file,
        relPath: path.relative(source.path, file).split(path.sep).join('/'),
        fileName: path.basename(file),
        format,
        sizeBytes: st.size,
        mtimeMs: st.mtimeMs,
        width: width ?? params.width,
        height: height ?? params.height,
        contentHash: hash,
        createdAt: createdAt.toISOString(),
        broken,
        thumbSmall,
        thumbLarge,
        params,
      },
      movedFrom,
    );
    if (movedFrom !== undefined) {
      result.moved++;
      pending.updated++;
    } else if (outcome === 'added') {
      result.added++;
      pending.added++;
    } else {
      result.updated++;
      pending.updated++;
    }
  };

  const concurrency = Math.max(1, opts.concurrency ?? 4);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      throwIfAborted(signal);
      const file = files[next++] as string;
      try {
        await indexOne(file);
      } catch (err) {
        if (signal?.aborted) throw err;
        // One file must never stop the scan.
        log.warn(`could not index ${file}: ${reasonOf(err)}`);
      }
      done++;
      if (done % 25 === 0 || done === total) opts.progress?.(done, total, `${done} / ${total} files`);
      flush();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, files.length)) }, worker));
  } finally {
    flush(true);
  }
  throwIfAborted(signal);

  // Files the index knows but the folder no longer has (checked once more: a moved file's
  // row has already taken its new path).
  const gone: number[] = [];
  const candidates = only ? [...known].filter(([p]) => only.includes(p)) : [...known];
  for (const [p, state] of candidates) {
    if (seen.has(p)) continue;
    const row = repo.byPath(p);
    if (!row || row.id !== state.id || row.source_id !== source.id) continue;
    // Gone from disk, or no longer this source's (the folder moved, or another source took that subfolder).
    const rel = path.relative(source.path, p);
    const outside = rel.startsWith('..') || path.isAbsolute(rel) || skipped(p);
    if (outside || !fs.existsSync(p)) gone.push(state.id);
  }
  if (gone.length > 0) {
    result.removed = repo.deleteIds(gone);
    deps.changed({ added: 0, removed: result.removed, updated: 0 });
  }
  if (!only) repo.markScanned(source.id);
  return result;
}
