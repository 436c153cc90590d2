// The gallery: sources (the output folder always, plus folders the user adds), scans as
// jobs in the 'gallery' lane, watchers, search/facets over the index, favourites and tags,
// delete with undo, export, and reading parameters from any image.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GalleryImage, GallerySearch, GallerySource, ImageParameters, Job } from '@shared/contract';
import { StudioError } from '../core/studio-error';
import type { Db } from '../db/open-database';
import type { JobExecutor, JobService } from '../jobs/job-service';
import type { Logger } from '../logging/logger';
import type { Platform } from '../platform/platform';
import type { SettingsService } from '../settings/settings-service';
import { EXPORT_KIND, exportExecutor } from './export-job';
import type { ParameterReader, Thumbnailer } from './gallery-deps';
import { GalleryRepo, type ImageRow, type SourceRow } from './index-repo';
import { isImageName, isPendingName, scanSource, type ScanResult } from './scanner';
import { PendingTrash } from './trash';
import { watchFolder, type WatchHandle, type WatchOptions } from './watcher';

export const SCAN_KIND = 'gallery.scan';
export const OUTPUT_SOURCE_ID = 'output';
/** metadata.read refuses files larger than this. */
export const METADATA_MAX_BYTES = 64 * 1024 * 1024;

const ScanParams = z.object({ sourceIds: z.array(z.string()).max(1000) });
type ScanParams = z.infer<typeof ScanParams>;

export type GalleryChange = { added: number; removed: number; updated: number };

export interface GalleryServiceDeps {
  db: Db;
  dataDir: string;
  settings: SettingsService;
  jobs: JobService;
  platform: Platform;
  log: Logger;
  readParameters: ParameterReader;
  thumbs: Thumbnailer;
  changed(delta: GalleryChange): void;
  env?: NodeJS.ProcessEnv;
  watch?: WatchOptions;
  /** Files read, hashed and thumbnailed at once during a scan. */
  scanConcurrency?: number;
}

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export class GalleryService {
  readonly repo: GalleryRepo;
  readonly trash: PendingTrash;
  private readonly watchers = new Map<string, WatchHandle>();
  private watching = false;
  private closed = false;
  private scanChain: Promise<unknown> = Promise.resolve();
  private readonly sessionTokens = new Set<string>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: GalleryServiceDeps) {
    this.repo = new GalleryRepo(deps.db);
    this.trash = new PendingTrash(deps.dataDir, deps.log.child('trash'));
    this.ensureOutputSource();
    this.unsubscribe = deps.settings.onChange((s) => {
      const current = this.repo.source(OUTPUT_SOURCE_ID);
      if (current && current.path === path.resolve(s.outputDir)) return;
      this.ensureOutputSource();
      if (this.watching) {
        this.unwatch(OUTPUT_SOURCE_ID);
        this.watch(this.repo.source(OUTPUT_SOURCE_ID) as SourceRow);
        this.submitScan([OUTPUT_SOURCE_ID]);
      }
    });
  }

  /** Job kinds the gallery runs; registered before the job queue reconciles. */
  executors(): JobExecutor<never>[] {
    const scan: JobExecutor<ScanParams> = {
      kind: SCAN_KIND,
      params: ScanParams,
      lane: () => 'gallery',
      title: (p) => (p.sourceIds.length === 1 ? `Scan gallery folder ${this.repo.source(p.sourceIds[0] as string)?.path ?? ''}` : 'Scan gallery folders'),
      run: async ({ params, signal, progress, log }) => {
        const ids = params.sourceIds.length > 0 ? params.sourceIds : this.repo.sources().map((s) => s.id);
        const results: ScanResult[] = [];
        for (const id of ids) {
          const source = this.repo.source(id);
          if (!source) continue;
          const started = performance.now();
          const r = await this.locked(() =>
            scanSource(source, this.scanDeps(log), {
              signal,
              concurrency: this.deps.scanConcurrency,
              skipDirs: this.nestedSources(source),
              progress: (done, total, message) => progress({ step: done, total, message: `${source.path}: ${message}` }),
            }),
          );
          const secs = (performance.now() - started) / 1000;
          log.info(
            `scanned ${source.path}: ${r.files} files (${r.added} new, ${r.updated} changed, ${r.moved} moved, ${r.removed} removed, ${r.broken} broken) in ${secs.toFixed(1)} s`,
          );
          results.push(r);
        }
        return { sources: results };
      },
    };
    return [scan, exportExecutor()] as unknown as JobExecutor<never>[];
  }

  /** Desktop/serve: watch every source and scan them (resuming any scan cut short). */
  start(): void {
    if (this.watching || this.closed) return;
    this.watching = true;
    // Deletes from an earlier session (one that crashed) can no longer be undone: finish them.
    // Only the long-lived studio does this, so a CLI command never takes away an open app's undo.
    const stale = this.repo.purgeHidden();
    void this.trash
      .flush(this.deps.platform.trash?.bind(this.deps.platform), this.deps.env ?? process.env)
      .then(({ trashed, kept }) => {
        if (stale + trashed + kept > 0) this.deps.log.info(`finished deletes from an earlier session: ${trashed} trashed, ${kept} kept in ${this.trash.dir}`);
      })
      .catch((err) => this.deps.log.warn('could not finish earlier deletes', err));
    fs.mkdirSync(path.resolve(this.deps.settings.get().outputDir), { recursive: true });
    for (const s of this.repo.sources()) this.watch(s);
    this.submitScan([]);
  }

  // ---------- sources ----------

  sources(): GallerySource[] {
    return this.repo.sources().map((s) => this.repo.toSource(s, this.watchers.has(s.id)));
  }

  addSource(folder: string): GallerySource {
    const abs = path.resolve(folder);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new StudioError('not_found', `gallery.addSource: path: ${abs} does not exist`, 'path');
    }
    if (!st.isDirectory()) throw new StudioError('invalid_input', `gallery.addSource: path: ${abs} is not a folder`, 'path');
    const real = realOrResolved(abs);
    for (const s of this.repo.sources()) {
      const other = realOrResolved(s.path);
      if (inside(other, real)) throw new StudioError('conflict', `${abs} is already in the gallery (inside ${s.path}).`, 'path');
      if (inside(real, other)) throw new StudioError('conflict', `${abs} contains ${s.path}, which the gallery already indexes; remove that one first.`, 'path');
    }
    const id = `src-${randomBytes(4).toString('hex')}`;
    const row = this.repo.upsertSource(id, abs, 'folder');
    if (this.watching) this.watch(row);
    this.submitScan([id]);
    return this.repo.toSource(row, this.watchers.has(id));
  }

  removeSource(id: string): boolean {
    const row = this.repo.source(id);
    if (!row) return false;
    if (row.kind === 'output') throw new StudioError('conflict', 'The output folder is always in the gallery.', 'id');
    this.unwatch(id);
    const before = this.repo.imageCount(id);
    this.repo.removeSource(id);
    this.deps.changed({ added: 0, removed: before, updated: 0 });
    return true;
  }

  rescan(sourceIds: string[] = []): Job {
    return this.submitScan(sourceIds);
  }

  sourceFolders(): Record<string, string> {
    return Object.fromEntries(this.repo.sources().map((s) => [s.id, s.path]));
  }

  // ---------- images ----------

  /** Index one file just written into the output folder (a finished generation); its image id, or null. */
  async indexFile(file: string): Promise<string | null> {
    const abs = path.resolve(file);
    const source = this.repo.sources().find((s) => s.kind === 'output' && inside(s.path, abs));
    if (!source) return null;
    await this.locked(() => scanSource(source, this.scanDeps(this.deps.log.child('index')), { skipDirs: this.nestedSources(source) }, [abs]));
    const row = this.repo.byPath(abs);
    return row ? String(row.id) : null;
  }

  search(q: GallerySearch): { items: GalleryImage[]; total: number; offset: number } {
    const { rows, total, offset } = this.repo.search(q);
    const sources = new Map(this.repo.sources().map((s) => [s.id, s]));
    return { items: this.toImages(rows, sources), total, offset };
  }

  get(id: string): GalleryImage {
    return this.toImage(this.repo.require(id));
  }

  facets(): ReturnType<GalleryRepo['facets']> {
    return this.repo.facets();
  }

  setFavourite(ids: readonly string[], favourite: boolean): number {
    const n = this.repo.setFavourite(ids, favourite);
    if (n > 0) this.deps.changed({ added: 0, removed: 0, updated: n });
    return n;
  }

  setTags(id: string, tags: readonly string[]): GalleryImage {
    const row = this.repo.require(id);
    this.repo.setTags(row.id, tags);
    this.deps.changed({ added: 0, removed: 0, updated: 1 });
    return this.get(id);
  }

  delete(ids: readonly string[]): { deleted: number; undoToken: string } {
    const rows = [...new Set(ids)].map((id) => this.repo.row(id)).filter((r): r is ImageRow => r !== undefined);
    if (rows.length === 0) throw new StudioError('not_found', 'gallery.delete: ids: none of these images is in the gallery', 'ids');
    const token = this.trash.newToken();
    // Rows out of the index first (kept for undo): a watcher seeing the files leave finds nothing to drop.
    this.repo.hide(
      rows.map((r) => r.id),
      token,
    );
    const moved = this.trash.stash(
      token,
      rows.filter((r) => fs.existsSync(r.path)).map((r) => ({ imageId: r.id, path: r.path })),
    );
    const movedIds = new Set(moved.map((m) => m.imageId));
    // Rows whose file could not be moved are shown again; rows whose file was already gone are dropped.
    const notMoved = rows.filter((r) => !movedIds.has(r.id));
    this.repo.unhide(
      token,
      notMoved.filter((r) => fs.existsSync(r.path)).map((r) => r.id),
    );
    this.sessionTokens.add(token);
    const deleted = rows.length - notMoved.filter((r) => fs.existsSync(r.path)).length;
    this.deps.changed({ added: 0, removed: deleted, updated: 0 });
    return { deleted, undoToken: token };
  }

  undoDelete(token: string): number {
    if (!this.sessionTokens.has(token)) throw new StudioError('not_found', 'gallery.undoDelete: undoToken: no delete with this token in this session', 'undoToken');
    const back = this.trash.restore(token);
    const restored = this.repo.unhide(token, back);
    this.repo.purgeHidden(token);
    this.sessionTokens.delete(token);
    this.deps.changed({ added: restored, removed: 0, updated: 0 });
    return restored;
  }

  export(ids: readonly string[], folder: string): Job {
    const rows = [...new Set(ids)].map((id) => this.repo.row(id)).filter((r): r is ImageRow => r !== undefined);
    if (rows.length === 0) throw new StudioError('not_found', 'gallery.export: ids: none of these images is in the gallery', 'ids');
    const abs = path.resolve(folder);
    if (fs.existsSync(abs) && !fs.statSync(abs).isDirectory()) throw new StudioError('invalid_input', `gallery.export: folder: ${abs} is a file`, 'folder');
    return this.deps.jobs.submit(EXPORT_KIND, { folder: abs, files: rows.map((r) => ({ id: String(r.id), path: r.path })) });
  }

  async open(id: string): Promise<boolean> {
    const row = this.repo.require(id);
    if (!this.deps.platform.openPath) return false;
    return this.deps.platform.openPath(row.path);
  }

  /** metadata.read: parameters from a file on this machine or from dropped bytes. */
  async readMetadata(req: { path?: string; dataBase64?: string }): Promise<ImageParameters> {
    let bytes: Buffer;
    const field = req.path !== undefined ? 'path' : 'dataBase64';
    if (req.path !== undefined) {
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(req.path);
      } catch {
        throw new StudioError('not_found', `metadata.read: path: ${req.path} does not exist`, 'path');
      }
      if (!st.isFile()) throw new StudioError('invalid_input', 'metadata.read: path: not a file', 'path');
      if (st.size > METADATA_MAX_BYTES) throw new StudioError('invalid_input', 'metadata.read: path: the file is larger than 64 MiB', 'path');
      try {
        bytes = await fs.promises.readFile(req.path);
      } catch (err) {
        throw new StudioError('forbidden', `metadata.read: path: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'path');
      }
    } else {
      const text = (req.dataBase64 ?? '').replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new StudioError('invalid_input', 'metadata.read: dataBase64: not base64', 'dataBase64');
      bytes = Buffer.from(text, 'base64');
    }
    try {
      return this.deps.readParameters(bytes);
    } catch (err) {
      const reason = (err as { reason?: unknown }).reason;
      const message = typeof reason === 'string' ? reason : err instanceof Error ? err.message.replace(/^not an image:\s*/i, '') : String(err);
      throw new StudioError('invalid_input', `not an image: ${message}`, field);
    }
  }

  /** Stop watching, send pending deletes to the OS trash, close the thumbnailer. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const id of [...this.watchers.keys()]) this.unwatch(id);
    await this.scanChain.catch(() => undefined);
    try {
      if (this.sessionTokens.size > 0) {
        const { trashed, kept } = await this.trash.flush(this.deps.platform.trash?.bind(this.deps.platform), this.deps.env ?? process.env, this.sessionTokens);
        if (trashed + kept > 0) this.deps.log.info(`deleted images: ${trashed} sent to the system trash, ${kept} kept in ${this.trash.dir}`);
        for (const token of this.sessionTokens) this.repo.purgeHidden(token);
      }
    } catch (err) {
      this.deps.log.warn('could not empty the pending trash', err);
    }
    await this.deps.thumbs.close();
  }

  /** Stop watchers only (before the job queue closes). */
  stopWatching(): void {
    for (const id of [...this.watchers.keys()]) this.unwatch(id);
    this.watching = false;
  }

  // ---------- internals ----------

  private ensureOutputSource(): void {
    const out = path.resolve(this.deps.settings.get().outputDir);
    // Another source that is the new output folder (or inside it) merges into it.
    for (const s of this.repo.sources()) {
      if (s.kind === 'folder' && inside(out, s.path)) {
        this.unwatch(s.id);
        this.repo.removeSource(s.id);
      }
    }
    this.repo.upsertSource(OUTPUT_SOURCE_ID, out, 'output');
  }

  /** Other sources' folders inside this one: their files belong to them. */
  private nestedSources(source: SourceRow): string[] {
    return this.repo
      .sources()
      .filter((s) => s.id !== source.id && s.path !== source.path && inside(source.path, s.path))
      .map((s) => s.path);
  }

  private submitScan(sourceIds: string[]): Job {
    return this.deps.jobs.submit(SCAN_KIND, { sourceIds });
  }

  private scanDeps(log: Logger) {
    return {
      repo: this.repo,
      readParameters: this.deps.readParameters,
      thumbs: this.deps.thumbs,
      log,
      changed: (d: GalleryChange) => this.deps.changed(d),
    };
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.scanChain.catch(() => undefined).then(fn);
    this.scanChain = run.catch(() => undefined);
    return run;
  }

  private watch(source: SourceRow): void {
    if (this.watchers.has(source.id) || !fs.existsSync(source.path)) return;
    const handle = watchFolder(
      source.path,
      (files) => {
        if (this.closed) return;
        const relevant = files?.filter((f) => !isPendingName(path.basename(f)));
        if (relevant && relevant.length === 0) return;
        // A folder moved in or out (or no names given): walk the whole source.
        const hint = relevant && relevant.every((f) => isImageName(path.basename(f))) ? relevant : undefined;
        const current = this.repo.source(source.id);
        if (!current) return;
        const opts = { concurrency: this.deps.scanConcurrency, skipDirs: this.nestedSources(current) };
        void this.locked(() => scanSource(current, this.scanDeps(this.deps.log.child('watch')), opts, hint)).catch((err) =>
          this.deps.log.warn(`watch scan of ${current.path} failed`, err),
        );
      },
      this.deps.log.child('watch'),
      this.deps.watch,
    );
    this.watchers.set(source.id, handle);
  }

  private unwatch(id: string): void {
    this.watchers.get(id)?.close();
    this.watchers.delete(id);
  }

  private toImage(row: ImageRow, sources?: Map<string, SourceRow>, tags?: string[]): GalleryImage {
    const source = sources?.get(row.source_id) ?? this.repo.source(row.source_id);
    const media: GalleryImage['media'] =
      source?.kind === 'output' ? { root: 'output', rel: row.rel_path } : { root: 'source', rel: `${row.source_id}/${row.rel_path}` };
    return this.repo.toImage(row, media, tags);
  }

  /** A page of rows as images: their tags read in one query, not one per image. */
  private toImages(rows: readonly ImageRow[], sources: Map<string, SourceRow>): GalleryImage[] {
    const tags = this.repo.tagsOfMany(rows.map((r) => r.id));
    return rows.map((r) => this.toImage(r, sources, tags.get(r.id) ?? []));
  }
}
