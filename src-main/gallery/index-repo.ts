// The gallery index in SQLite: sources, image rows (with denormalised columns for every
// filter and sort), user tags, and the FTS5 table kept in sync by triggers (migration 4).
// Every query here is served by an index; searching (filters, ranking, pages) is in
// gallery-search.ts.
import type { GalleryImage, GallerySearch, GallerySource, ImageParameters } from '@shared/contract';
import { StudioError } from '../core/studio-error';
import type { Db } from '../db/open-database';
import { emptyParameters } from '../metadata/params';
import { GallerySearcher } from './gallery-search';

export { ftsQuery, RELEVANCE_WINDOW } from './gallery-search';

export interface SourceRow {
  id: string;
  path: string;
  kind: 'output' | 'folder';
  created_at: string;
  last_scan_at: string | null;
}

export interface ImageRow {
  id: number;
  source_id: string;
  path: string;
  rel_path: string;
  file_name: string;
  format: string | null;
  size_bytes: number;
  mtime_ms: number;
  width: number | null;
  height: number | null;
  content_hash: string;
  created_at: string;
  indexed_at: string;
  favourite: number;
  broken_reason: string | null;
  thumb_small: string | null;
  thumb_large: string | null;
  params_json: string;
  prompt: string | null;
  negative_prompt: string | null;
  enhanced_from: string | null;
  model: string | null;
  runtime: string | null;
  seed: number | null;
  tags_text: string;
}

/** What a scan writes for one file. */
export interface IndexedFile {
  sourceId: string;
  path: string;
  relPath: string;
  fileName: string;
  format: string | null;
  sizeBytes: number;
  mtimeMs: number;
  width: number | null;
  height: number | null;
  contentHash: string;
  createdAt: string;
  broken: string | null;
  thumbSmall: string | null;
  thumbLarge: string | null;
  params: ImageParameters;
}

/** Every parameter unknown (frozen: spread it before changing anything). */
export const EMPTY_PARAMETERS: ImageParameters = Object.freeze(emptyParameters()) as ImageParameters;

export class GalleryRepo {
  constructor(private readonly db: Db) {
    // The index is read in pages all day: keep its hot pages in memory (64 MiB cache, mmap reads).
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
    db.pragma('temp_store = MEMORY');
    this.searcher = new GallerySearcher(db);
  }

  private readonly searcher: GallerySearcher;

  // ---------- sources ----------

  sources(): SourceRow[] {
    return this.db.prepare('SELECT * FROM gallery_sources ORDER BY kind DESC, created_at').all() as SourceRow[];
  }

  source(id: string): SourceRow | undefined {
    return this.db.prepare('SELECT * FROM gallery_sources WHERE id = ?').get(id) as SourceRow | undefined;
  }

  upsertSource(id: string, folder: string, kind: 'output' | 'folder'): SourceRow {
    this.db
      .prepare(
        `INSERT INTO gallery_sources (id, path, kind, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET path = excluded.path`,
      )
      .run(id, folder, kind, new Date().toISOString());
    return this.source(id) as SourceRow;
  }

  removeSource(id: string): boolean {
    return this.db.prepare('DELETE FROM gallery_sources WHERE id = ?').run(id).changes > 0;
  }

  markScanned(id: string): void {
    this.db.prepare('UPDATE gallery_sources SET last_scan_at = ? WHERE id = ?').run(new Date().toISOString(), id);
  }

  imageCount(sourceId: string): number {
    return (this.db.prepare('SELECT count(*) AS n FROM images WHERE source_id = ?').get(sourceId) as { n: number }).n;
  }

  toSource(row: SourceRow, watching: boolean): GallerySource {
    return { id: row.id, path: row.path, kind: row.kind, imageCount: this.imageCount(row.id), watching, lastScanAt: row.last_scan_at };
  }

  // ---------- images: scanning ----------

  /** path → (id, size, mtime) for a source: what a scan compares files against. */
  fileStates(sourceId: string): Map<string, { id: number; size: number; mtime: number }> {
    const rows = this.db.prepare('SELECT id, path, size_bytes, mtime_ms FROM images WHERE source_id = ?').all(sourceId) as {
      id: number;
      path: string;
      size_bytes: number;
      mtime_ms: number;
    }[];
    return new Map(rows.map((r) => [r.path, { id: r.id, size: r.size_bytes, mtime: r.mtime_ms }]));
  }

  byPath(p: string): ImageRow | undefined {
    return this.db.prepare('SELECT * FROM images WHERE path = ?').get(p) as ImageRow | undefined;
  }

  byHash(hash: string): ImageRow[] {
    return this.db.prepare('SELECT * FROM images WHERE content_hash = ?').all(hash) as ImageRow[];
  }

  /**
   * Writes one file's row in its own transaction. `movedFrom`: the id of a row whose file
   * moved here (same content): that row takes the new path and keeps favourite and tags.
   * Returns whether a row was added or updated.
   */
  writeFile(f: IndexedFile, movedFrom?: number): 'added' | 'updated' {
    const now = new Date().toISOString();
    const p = f.params;
    const values = {
      source_id: f.sourceId,
      path: f.path,
      rel_path: f.relPath,
      file_name: f.fileName,
      format: f.format,
      size_bytes: f.sizeBytes,
      mtime_ms: f.mtimeMs,
      width: f.width,
      height: f.height,
      content_hash: f.contentHash,
      created_at: f.createdAt,
      indexed_at: now,
      broken_reason: f.broken,
      thumb_small: f.thumbSmall,
      thumb_large: f.thumbLarge,
      params_json: JSON.stringify(p),
      prompt: p.prompt,
      negative_prompt: p.negativePrompt,
      enhanced_from: p.enhancedFrom,
      model: p.model,
      runtime: p.runtime,
      seed: p.seed,
    };
    const cols = Object.keys(values);
    return this.db.transaction((): 'added' | 'updated' => {
      if (movedFrom !== undefined) {
        // Whatever row sits at the new path already is superseded by the moved one.
        this.db.prepare('DELETE FROM images WHERE path = ? AND id <> ?').run(f.path, movedFrom);
        this.db.prepare(`UPDATE images SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run({ ...values, id: movedFrom });
        return 'updated';
      }
      const existing = this.db.prepare('SELECT id FROM images WHERE path = ?').get(f.path) as { id: number } | undefined;
      if (existing) {
        this.db.prepare(`UPDATE images SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run({ ...values, id: existing.id });
        return 'updated';
      }
      this.db.prepare(`INSERT INTO images (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(values);
      return 'added';
    })();
  }

  deleteIds(ids: readonly number[]): number {
    const del = this.db.prepare('DELETE FROM images WHERE id = ?');
    let n = 0;
    this.db.transaction(() => {
      for (const id of ids) n += del.run(id).changes;
    })();
    return n;
  }

  // ---------- images: reading ----------

  row(id: string): ImageRow | undefined {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    return this.db.prepare('SELECT * FROM images WHERE id = ?').get(Number(id)) as ImageRow | undefined;
  }

  require(id: string, field = 'id'): ImageRow {
    const row = this.row(id);
    if (!row) throw new StudioError('not_found', `No image ${id.slice(0, 64)} in the gallery.`, field);
    return row;
  }

  tagsOf(id: number): string[] {
    return (this.db.prepare('SELECT tag FROM image_tags WHERE image_id = ? ORDER BY tag').all(id) as { tag: string }[]).map((r) => r.tag);
  }

  /** A page of a search and the exact total (gallery-search.ts). */
  search(q: GallerySearch): { rows: ImageRow[]; total: number; offset: number } {
    const { ids, total, offset } = this.searcher.search(q);
    return { rows: this.rowsByIds(ids), total, offset };
  }

  /** Rows for ids, in the order given (missing ids skipped). */
  rowsByIds(ids: readonly number[]): ImageRow[] {
    if (ids.length === 0) return [];
    const rows = this.db.prepare(`SELECT * FROM images WHERE id IN (${ids.map(() => '?').join(', ')})`).all(...ids) as ImageRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is ImageRow => r !== undefined);
  }

  /** Tags of many images in one query: id → sorted tags (ids without tags are absent). */
  tagsOfMany(ids: readonly number[]): Map<number, string[]> {
    const out = new Map<number, string[]>();
    if (ids.length === 0) return out;
    const rows = this.db
      .prepare(`SELECT image_id, tag FROM image_tags WHERE image_id IN (${ids.map(() => '?').join(', ')}) ORDER BY image_id, tag`)
      .all(...ids) as { image_id: number; tag: string }[];
    for (const r of rows) {
      const list = out.get(r.image_id);
      if (list) list.push(r.tag);
      else out.set(r.image_id, [r.tag]);
    }
    return out;
  }

  facets(): { models: { value: string; count: number }[]; tags: { value: string; count: number }[]; runtimes: { value: string; count: number }[]; total: number; favourites: number } {
    const models = this.db
      .prepare('SELECT model AS value, count(*) AS count FROM images WHERE model IS NOT NULL GROUP BY model ORDER BY count DESC, model LIMIT 200')
      .all() as { value: string; count: number }[];
    const runtimes = (
      this.db.prepare('SELECT runtime AS value, count(*) AS count FROM images GROUP BY runtime ORDER BY count DESC').all() as {
        value: string | null;
        count: number;
      }[]
    ).map((r) => ({ value: r.value ?? 'unknown', count: r.count }));
    const tags = this.db
      .prepare(
        'SELECT tag AS value, count(*) AS count FROM image_tags GROUP BY tag ORDER BY count DESC, tag LIMIT 500',
      )
      .all() as { value: string; count: number }[];
    const totals = this.db.prepare('SELECT count(*) AS total, (SELECT count(*) FROM images WHERE favourite = 1) AS favourites FROM images').get() as {
      total: number;
      favourites: number;
    };
    return { models, tags, runtimes, ...totals };
  }

  // ---------- images: user edits ----------

  setFavourite(ids: readonly string[], favourite: boolean): number {
    const upd = this.db.prepare('UPDATE images SET favourite = ? WHERE id = ? AND favourite <> ?');
    let n = 0;
    this.db.transaction(() => {
      for (const id of ids) if (/^\d{1,15}$/.test(id)) n += upd.run(favourite ? 1 : 0, Number(id), favourite ? 1 : 0).changes;
    })();
    return n;
  }

  setTags(id: number, tags: readonly string[]): void {
    const unique = [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))].sort();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM image_tags WHERE image_id = ?').run(id);
      const ins = this.db.prepare('INSERT INTO image_tags (image_id, tag) VALUES (?, ?)');
      for (const t of unique) ins.run(id, t);
      this.db.prepare('UPDATE images SET tags_text = ? WHERE id = ?').run(unique.join(' '), id);
    })();
  }

  /** Takes rows (with their tags) out of the index into the undo table. */
  hide(ids: readonly number[], token: string): void {
    const get = this.db.prepare('SELECT * FROM images WHERE id = ?');
    const save = this.db.prepare('INSERT OR REPLACE INTO images_trash (token, image_id, row_json, tags_json) VALUES (?, ?, ?, ?)');
    const del = this.db.prepare('DELETE FROM images WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) {
        const row = get.get(id) as ImageRow | undefined;
        if (!row) continue;
        save.run(token, id, JSON.stringify(row), JSON.stringify(this.tagsOf(id)));
        del.run(id);
      }
    })();
  }

  /** Puts rows of a delete back (same ids, favourite and tags); returns how many came back. */
  unhide(token: string, ids: readonly number[]): number {
    const get = this.db.prepare('SELECT row_json, tags_json FROM images_trash WHERE token = ? AND image_id = ?');
    const tag = this.db.prepare('INSERT OR IGNORE INTO image_tags (image_id, tag) VALUES (?, ?)');
    const drop = this.db.prepare('DELETE FROM images_trash WHERE token = ? AND image_id = ?');
    let n = 0;
    this.db.transaction(() => {
      for (const id of ids) {
        const saved = get.get(token, id) as { row_json: string; tags_json: string } | undefined;
        if (!saved) continue;
        const row = JSON.parse(saved.row_json) as Record<string, unknown>;
        const cols = Object.keys(row).filter((c) => /^[a-z_]+$/.test(c));
        // A file indexed at the same path meanwhile gives way to the restored row.
        this.db.prepare('DELETE FROM images WHERE path = ? OR id = ?').run(row.path, id);
        this.db.prepare(`INSERT INTO images (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
        for (const t of JSON.parse(saved.tags_json) as string[]) tag.run(id, t);
        drop.run(token, id);
        n++;
      }
    })();
    return n;
  }

  /** Forgets deletes that can no longer be undone (the session ended). */
  purgeHidden(token?: string): number {
    return token === undefined
      ? this.db.prepare('DELETE FROM images_trash').run().changes
      : this.db.prepare('DELETE FROM images_trash WHERE token = ?').run(token).changes;
  }

  /** `tags`: the image's tags when already read (tagsOfMany for a page); else read here. */
  toImage(row: ImageRow, media: GalleryImage['media'], tags?: string[]): GalleryImage {
    let params: ImageParameters = EMPTY_PARAMETERS;
    try {
      params = { ...EMPTY_PARAMETERS, ...(JSON.parse(row.params_json) as Partial<ImageParameters>) };
    } catch {
      params = EMPTY_PARAMETERS;
    }
    return {
      id: String(row.id),
      sourceId: row.source_id,
      path: row.path,
      media,
      thumbSmall: row.thumb_small,
      thumbLarge: row.thumb_large,
      fileName: row.file_name,
      format: row.format,
      sizeBytes: row.size_bytes,
      width: row.width,
      height: row.height,
      contentHash: row.content_hash,
      createdAt: row.created_at,
      favourite: row.favourite === 1,
      tags: tags ?? this.tagsOf(row.id),
      broken: row.broken_reason,
      params,
    };
  }
}
