// What the studio has measured about each dataset image (sha256, dHash, size, thumbnail),
// cached in SQLite and keyed by file size + mtime so that a file changed outside the
// studio is measured again. Checks, items, near-duplicates and bucket previews read it.
import fs from 'node:fs';
import path from 'node:path';
import type { CheckReport, DatasetItem, DatasetWarning, ImportReport } from '@shared/contract/datasets';
import type { Db } from '../db/open-database';
import type { Logger } from '../logging/logger';
import { captionPathFor, isTrainingImage, listDatasetImages } from './captions';
import type { DatasetLookup } from './dataset-lookup';
import { inspectImage, MAX_FILE_BYTES } from './image-inspect';
import { sha256 } from '../core/hash';
import { relFile } from './names';
import { imageWarnings, sortWarnings, type MeasuredImage } from './warnings';

/** The thumbnail pool's interface (src-main/gallery/thumbnails/thumbnail-service.ts). */
export interface ThumbPool {
  ensure(contentHash: string, filePath: string): Promise<{ small: string; large: string } | { broken: string }>;
}

interface ItemRow {
  dataset: string;
  file: string;
  size_bytes: number;
  mtime_ms: number;
  sha256: string;
  dhash: string | null;
  /** Colour signature (image-inspect.ts); null in rows measured before it existed. */
  colour: string | null;
  width: number | null;
  height: number | null;
  thumb: string | null;
}

export type Measured = { ok: true; row: ItemRow } | { ok: false; reason: string };

export class DatasetIndex {
  constructor(
    readonly service: DatasetLookup,
    private readonly db: Db,
    private readonly thumbs: ThumbPool,
    private readonly log: Logger,
  ) {}

  private cached(name: string, file: string, st: fs.Stats): ItemRow | undefined {
    const row = this.db.prepare('SELECT * FROM dataset_items WHERE dataset = ? AND file = ?').get(name, file) as ItemRow | undefined;
    return row && row.size_bytes === st.size && row.mtime_ms === st.mtimeMs && row.colour !== null ? row : undefined;
  }

  /** Records an image just written by the import (and makes its thumbnails). */
  async record(name: string, dir: string, abs: string, m: { sha256: string; dhash: string; colour: string; width: number; height: number }): Promise<void> {
    const st = fs.statSync(abs);
    const t = await this.thumbs.ensure(m.sha256, abs);
    this.upsert({ dataset: name, file: relFile(dir, abs), size_bytes: st.size, mtime_ms: st.mtimeMs, sha256: m.sha256, dhash: m.dhash, colour: m.colour, width: m.width, height: m.height, thumb: 'small' in t ? t.small : null });
  }

  private upsert(r: ItemRow): void {
    this.db
      .prepare(
        `INSERT INTO dataset_items (dataset, file, size_bytes, mtime_ms, sha256, dhash, colour, width, height, thumb)
         VALUES (@dataset, @file, @size_bytes, @mtime_ms, @sha256, @dhash, @colour, @width, @height, @thumb)
         ON CONFLICT (dataset, file) DO UPDATE SET size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms,
           sha256 = excluded.sha256, dhash = excluded.dhash, colour = excluded.colour, width = excluded.width, height = excluded.height, thumb = excluded.thumb`,
      )
      .run(r);
  }

  /** Measures one dataset image (cached when unchanged): full decode on a cache miss. */
  async measure(name: string, dir: string, abs: string): Promise<Measured> {
    const file = relFile(dir, abs);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      return { ok: false, reason: 'file not found' };
    }
    const hit = this.cached(name, file, st);
    if (hit) return { ok: true, row: hit };
    if (st.size > MAX_FILE_BYTES) return { ok: false, reason: `file too large (${Math.round(st.size / 2 ** 20)} MiB)` };
    const bytes = fs.readFileSync(abs);
    const res = await inspectImage(bytes);
    if (!res.ok) return res;
    const t = await this.thumbs.ensure(res.image.sha256, abs);
    const row: ItemRow = { dataset: name, file, size_bytes: st.size, mtime_ms: st.mtimeMs, sha256: res.image.sha256, dhash: res.image.dhash, colour: res.image.colour, width: res.image.width, height: res.image.height, thumb: 'small' in t ? t.small : null };
    this.upsert(row);
    return { ok: true, row };
  }

  /** sha256 → file for every image now in the dataset (measuring new ones by hash only). */
  async hashes(name: string, signal?: AbortSignal): Promise<Map<string, string>> {
    const dir = this.service.dirOf(name);
    const out = new Map<string, string>();
    if (!fs.existsSync(dir)) return out;
    for (const abs of listDatasetImages(dir)) {
      if (signal?.aborted) throw new Error('cancelled');
      const file = relFile(dir, abs);
      const st = fs.statSync(abs);
      const hit = this.cached(name, file, st);
      out.set(hit ? hit.sha256 : sha256(fs.readFileSync(abs)), file);
    }
    return out;
  }

  /** Measured images of the dataset (bad images left out). */
  async measuredAll(name: string): Promise<MeasuredImage[]> {
    const dir = this.service.dirOf(name);
    if (!fs.existsSync(dir)) return [];
    const out: MeasuredImage[] = [];
    for (const abs of listDatasetImages(dir)) {
      const m = await this.measure(name, dir, abs);
      if (m.ok && m.row.width && m.row.height) out.push({ file: m.row.file, width: m.row.width, height: m.row.height, dhash: m.row.dhash, colour: m.row.colour, hasCaption: fs.existsSync(captionPathFor(abs)) });
    }
    return out;
  }

  saveReport(name: string, report: ImportReport): void {
    const key = this.service.ref(name).name;
    this.db.prepare('UPDATE datasets SET report_json = ?, warning_count = ? WHERE name = ?').run(JSON.stringify(report), report.warnings.length, key);
  }

  lastReport(name: string): ImportReport | null {
    const key = this.service.ref(name).name;
    const row = this.db.prepare('SELECT report_json FROM datasets WHERE name = ?').get(key) as { report_json: string | null } | undefined;
    return row?.report_json ? (JSON.parse(row.report_json) as ImportReport) : null;
  }

  /** The folder as it is now: every image decoded (unless unchanged since measured), every other file explained. */
  async check(name: string): Promise<CheckReport> {
    const ds = this.service.ref(name);
    const dir = ds.dir;
    const accepted: CheckReport['accepted'] = [];
    const rejected: CheckReport['rejected'] = [];
    const warnings: DatasetWarning[] = [];
    if (!fs.existsSync(dir)) {
      return { dataset: ds.name, accepted, rejected: [{ file: '.', reason: `the dataset folder ${dir} is missing` }], warnings };
    }
    const images = new Set(listDatasetImages(dir));
    const stems = new Set([...images].map((a) => captionPathFor(a)));
    const bySha = new Map<string, string>();
    const measured: MeasuredImage[] = [];
    const walk = (d: string): string[] => {
      const out: string[] = [];
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.name.startsWith('.') || e.name === '_latent_cache' || e.name === '_controls') continue;
        const full = path.join(d, e.name);
        if (e.isDirectory()) out.push(...walk(full));
        else out.push(full);
      }
      return out;
    };
    const files = walk(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const abs of files) {
      const file = relFile(dir, abs);
      if (images.has(abs)) {
        const m = await this.measure(ds.name, dir, abs);
        if (!m.ok) {
          rejected.push({ file, reason: m.reason });
          continue;
        }
        const dup = bySha.get(m.row.sha256);
        if (dup !== undefined) {
          rejected.push({ file, reason: `exact duplicate of ${dup}` });
          continue;
        }
        bySha.set(m.row.sha256, file);
        const width = m.row.width ?? 0;
        const height = m.row.height ?? 0;
        accepted.push({ file, width, height });
        measured.push({ file, width, height, dhash: m.row.dhash, colour: m.row.colour, hasCaption: fs.existsSync(captionPathFor(abs)) });
      } else if (path.extname(abs).toLowerCase() === '.txt') {
        if (!stems.has(abs)) warnings.push({ file, code: 'orphan_caption', message: 'caption without an image: nothing to train it with' });
      } else if (!isTrainingImage(abs)) {
        rejected.push({ file, reason: `not a training image: ai-toolkit reads only .jpg .jpeg .png .webp (import it again to convert ${path.extname(abs) || 'it'})` });
      }
    }
    const all = sortWarnings([...warnings, ...imageWarnings(measured, ds.resolutions)]);
    this.db.prepare('UPDATE datasets SET warning_count = ? WHERE name = ?').run(all.length, ds.name);
    return { dataset: ds.name, accepted, rejected, warnings: all };
  }

  /**
   * After captions change (edits, bulk edits, undo, tagging): the list's warning count is the
   * folder's as it is now, not the last import's ("20 warnings" after captions were added).
   * Cheap: unchanged images are not decoded again.
   */
  async recount(name: string): Promise<void> {
    const key = this.service.ref(name).name;
    const count = () => (this.db.prepare('SELECT warning_count AS n FROM datasets WHERE name = ?').get(key) as { n: number } | undefined)?.n;
    const before = count();
    await this.check(key);
    // The caption edit already announced the change, before this count: announce the new count.
    if (count() !== before) this.service.notifyChanged(key);
  }

  /** The editor's items: captions, sizes, thumbnails and per-image warnings. */
  async items(name: string): Promise<DatasetItem[]> {
    const ds = this.service.ref(name);
    const dir = ds.dir;
    if (!fs.existsSync(dir)) return [];
    const out: DatasetItem[] = [];
    const measured: MeasuredImage[] = [];
    for (const basic of this.service.items(ds.name)) {
      const m = await this.measure(ds.name, dir, basic.imagePath);
      const size = m.ok ? m.row.size_bytes : (fs.statSync(basic.imagePath, { throwIfNoEntry: false })?.size ?? 0);
      out.push({
        file: basic.file,
        imagePath: basic.imagePath,
        caption: basic.caption,
        width: m.ok ? m.row.width : null,
        height: m.ok ? m.row.height : null,
        sizeBytes: size,
        thumb: m.ok ? m.row.thumb : null,
        warnings: [],
      });
      if (m.ok && m.row.width && m.row.height) measured.push({ file: basic.file, width: m.row.width, height: m.row.height, dhash: m.row.dhash, colour: m.row.colour, hasCaption: basic.caption !== null });
    }
    const byFile = new Map(out.map((i) => [i.file, i]));
    for (const w of imageWarnings(measured, ds.resolutions)) {
      const it = byFile.get(w.file);
      if (it && !it.warnings.includes(w.code)) it.warnings.push(w.code);
    }
    return out;
  }

  /** Drops cache rows of files that no longer exist. */
  prune(name: string): void {
    const dir = this.service.dirOf(name);
    const rows = this.db.prepare('SELECT file FROM dataset_items WHERE dataset = ?').all(name) as { file: string }[];
    const del = this.db.prepare('DELETE FROM dataset_items WHERE dataset = ? AND file = ?');
    for (const r of rows) if (!fs.existsSync(path.join(dir, ...r.file.split('/')))) del.run(name, r.file);
    this.log.debug(`pruned dataset ${name}`);
  }
}
