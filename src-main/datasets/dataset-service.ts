// The datasets index: one SQLite row per dataset (name, folder, trigger word, resolution
// list, counts) over plain folders in ai-toolkit's format. Files are the truth: items and
// counts are read from the folder every time; SQLite only remembers what was measured.
//
// Stable API for other modules (tagging, training): get(name), items(name), dirOf(name),
// notifyChanged(name).
import fs from 'node:fs';
import path from 'node:path';
import type { Dataset, ImportReport } from '@shared/contract/datasets';
import { DEFAULT_RESOLUTIONS } from '@shared/contract/datasets';
import type { Job } from '@shared/contract/shapes';
import { StudioError } from '../core/studio-error';
import type { Db } from '../db/open-database';
import type { JobService } from '../jobs/job-service';
import type { Logger } from '../logging/logger';
import { CaptionEditor } from './caption-ops';
import type { DatasetItemBasic, DatasetLookup, DatasetRef } from './dataset-lookup';
import { captionPathFor, listDatasetImages, readCaption } from './captions';
import { DatasetIndex, type ThumbPool } from './dataset-index';
import { IMPORT_KIND, importExecutor, runImport, type ImportParams } from './import-job';
import { datasetFolder, nativeAbsolutePath, parseDatasetName, relFile } from './names';
import { removeOrphanImportTemps } from './import-temp';
import { UploadStaging } from './upload-staging';

export interface DatasetServiceDeps {
  db: Db;
  dataDir: string;
  log: Logger;
  /** Told when a dataset's files or row changed (the studio emits 'datasets.changed'). */
  changed?: (name: string) => void;
  /** The gallery's thumbnail pool (shared, not copied). */
  thumbs: ThumbPool;
  /** Where import jobs run; without it imports run inline (CLI). */
  jobs?: JobService;
}

export interface ImportRequest {
  name: string;
  sources?: readonly string[];
  uploadId?: string;
  inPlace?: boolean;
  resolutions?: readonly number[];
  trigger?: string;
}

export type { DatasetItemBasic, DatasetRef } from './dataset-lookup';

interface DatasetRow {
  name: string;
  dir: string;
  in_place: number;
  trigger_word: string;
  resolutions: string;
  created_at: string;
  image_count: number;
  caption_count: number;
  warning_count: number;
  report_json: string | null;
}

export class DatasetService implements DatasetLookup {
  readonly index: DatasetIndex;
  readonly captions: CaptionEditor;
  readonly uploads: UploadStaging;

  constructor(protected readonly deps: DatasetServiceDeps) {
    this.index = new DatasetIndex(this, deps.db, deps.thumbs, deps.log);
    this.captions = new CaptionEditor(this);
    this.uploads = new UploadStaging(path.join(deps.dataDir, 'tmp', 'uploads'), deps.log);
    removeOrphanImportTemps(path.join(deps.dataDir, 'tmp', 'datasets'), deps.log);
  }

  /** The import job executor (registered by the studio before reconcile). */
  executors() {
    return [importExecutor({ index: this.index, stagingDir: this.stagingDir() })];
  }

  private stagingDir(): string {
    const d = path.join(this.deps.dataDir, 'tmp', 'datasets');
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  /** Creates the dataset if needed and validates the request; the params an import runs with. */
  prepareImport(req: ImportRequest): ImportParams {
    const name = parseDatasetName(req.name);
    let sources: string[];
    let stagingRoot: string | null = null;
    if (req.uploadId !== undefined) {
      const root = this.uploads.take(req.uploadId);
      stagingRoot = root;
      sources = fs.readdirSync(root).sort().map((f) => path.join(root, f));
    } else {
      sources = (req.sources ?? []).map((s) => nativeAbsolutePath(s, 'sources'));
      if (sources.length === 0) throw new StudioError('invalid_input', 'sources: name at least one file or folder', 'sources');
      for (const s of sources) refuseRoot(s, 'sources');
    }
    const inPlace = req.inPlace === true;
    if (!this.has(name)) {
      if (inPlace) {
        const st = fs.statSync(sources[0] as string, { throwIfNoEntry: false });
        if (!st?.isDirectory()) throw new StudioError('invalid_input', 'sources: an in-place dataset needs one existing folder', 'sources');
      }
      this.create({ name, folder: inPlace ? sources[0] : undefined, trigger: req.trigger, resolutions: req.resolutions });
    } else {
      const ds = this.ref(name);
      if (inPlace && path.resolve(sources[0] as string) !== ds.dir) {
        throw new StudioError('conflict', `inPlace: the dataset ${JSON.stringify(name)} already exists in ${ds.dir}; import into it by copying, or pick a new name`, 'inPlace');
      }
      if (req.trigger !== undefined || req.resolutions !== undefined) this.update(name, { trigger: req.trigger, resolutions: req.resolutions });
    }
    return { name, sources, stagingRoot, inPlace };
  }

  /** Queues an import job (the job's result summarises; `report(name)` has the whole report). */
  submitImport(req: ImportRequest): Job {
    if (!this.deps.jobs) throw new StudioError('unavailable', 'imports need the job queue');
    return this.deps.jobs.submit(IMPORT_KIND, this.prepareImport(req));
  }

  /** Runs an import here and now (CLI, tests), reporting progress to `onProgress`. */
  async importNow(req: ImportRequest, onProgress?: (step: number, total: number | null, message: string | null) => void, signal?: AbortSignal): Promise<ImportReport> {
    const params = this.prepareImport(req);
    return runImport(
      { index: this.index, stagingDir: this.stagingDir() },
      {
        params,
        signal: signal ?? new AbortController().signal,
        progress: (p) => onProgress?.(p.step, p.total ?? null, p.message ?? null),
        log: this.deps.log,
      },
    );
  }

  /** datasets.upload: one base64 chunk (strictly validated by the contract) into the upload's staging folder. */
  receiveUpload(req: { uploadId: string; file: string; offset: number; dataBase64: string }): { received: number } {
    return this.uploads.receive(req.uploadId, req.file, req.offset, Buffer.from(req.dataBase64, 'base64'));
  }

  get dataDir(): string {
    return this.deps.dataDir;
  }

  list(): Dataset[] {
    const rows = this.deps.db.prepare('SELECT * FROM datasets ORDER BY created_at DESC, name').all() as DatasetRow[];
    return rows.map((r) => this.toDataset(r));
  }

  get(name: string): Dataset {
    return this.toDataset(this.row(name));
  }

  /** Name, folder, trigger word and resolutions without counting files (cheap: no folder scan). */
  ref(name: string): DatasetRef {
    const r = this.row(name);
    return { name: r.name, dir: r.dir, inPlace: r.in_place === 1, trigger: r.trigger_word, resolutions: parseResolutions(r.resolutions) };
  }

  has(name: string): boolean {
    return this.deps.db.prepare('SELECT 1 FROM datasets WHERE name = ?').get(parseDatasetName(name)) !== undefined;
  }

  /** The dataset's folder (absolute). */
  dirOf(name: string): string {
    return this.row(name).dir;
  }

  /** Training images with their captions, sorted by file. */
  items(name: string): DatasetItemBasic[] {
    const dir = this.dirOf(name);
    if (!fs.existsSync(dir)) return [];
    return listDatasetImages(dir).map((imagePath) => ({ file: relFile(dir, imagePath), imagePath, caption: readCaption(imagePath) }));
  }

  /** Creates the row (and for a copied dataset, its folder). `folder` = use that folder in place. */
  create(input: { name: string; folder?: string; trigger?: string; resolutions?: readonly number[] }): Dataset {
    const name = parseDatasetName(input.name);
    if (this.has(name)) throw new StudioError('conflict', `name: a dataset called ${JSON.stringify(name)} already exists; pick another name or import into it`, 'name');
    let dir: string;
    if (input.folder !== undefined) {
      dir = nativeAbsolutePath(input.folder, 'folder');
      refuseRoot(dir, 'folder');
      let st: fs.Stats;
      try {
        st = fs.statSync(dir);
      } catch {
        throw new StudioError('not_found', `folder: ${dir} does not exist`, 'folder');
      }
      if (!st.isDirectory()) throw new StudioError('invalid_input', `folder: ${dir} is not a folder`, 'folder');
    } else {
      dir = datasetFolder(this.deps.dataDir, name);
      fs.mkdirSync(dir, { recursive: true });
    }
    const taken = this.deps.db.prepare('SELECT name FROM datasets WHERE dir = ?').get(dir) as { name: string } | undefined;
    if (taken) throw new StudioError('conflict', `folder: ${dir} is already the dataset ${JSON.stringify(taken.name)}`, 'folder');
    this.deps.db
      .prepare('INSERT INTO datasets (name, dir, in_place, trigger_word, resolutions, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(name, dir, input.folder !== undefined ? 1 : 0, input.trigger ?? '', JSON.stringify(input.resolutions ?? DEFAULT_RESOLUTIONS), new Date().toISOString());
    this.notifyChanged(name);
    return this.get(name);
  }

  update(name: string, patch: { trigger?: string; resolutions?: readonly number[] }): Dataset {
    const row = this.row(name);
    if (patch.trigger !== undefined) this.deps.db.prepare('UPDATE datasets SET trigger_word = ? WHERE name = ?').run(patch.trigger, row.name);
    if (patch.resolutions !== undefined) {
      const sorted = [...new Set(patch.resolutions)].sort((a, b) => a - b);
      this.deps.db.prepare('UPDATE datasets SET resolutions = ? WHERE name = ?').run(JSON.stringify(sorted), row.name);
    }
    this.notifyChanged(row.name);
    return this.get(row.name);
  }

  delete(name: string, deleteFiles = false): boolean {
    const row = this.row(name);
    this.deps.db.prepare('DELETE FROM dataset_items WHERE dataset = ?').run(row.name);
    this.deps.db.prepare('DELETE FROM datasets WHERE name = ?').run(row.name);
    if (deleteFiles && row.in_place === 0) fs.rmSync(row.dir, { recursive: true, force: true });
    this.notifyChanged(row.name);
    return true;
  }

  notifyChanged(name: string): void {
    this.deps.changed?.(name);
  }

  /** Captions changed (an edit, a bulk edit, undo, auto-captioning): recount the list's warnings. */
  async captionsChanged(name: string): Promise<void> {
    await this.index.recount(name);
  }

  protected row(name: string): DatasetRow {
    const key = parseDatasetName(name);
    const row = this.deps.db.prepare('SELECT * FROM datasets WHERE name = ?').get(key) as DatasetRow | undefined;
    if (!row) throw new StudioError('not_found', `name: no dataset called ${JSON.stringify(key)}; see the Datasets page or \`dataset list\``, 'name');
    return row;
  }

  protected toDataset(r: DatasetRow): Dataset {
    const present = fs.existsSync(r.dir);
    let images = 0;
    let captioned = 0;
    if (present) {
      for (const img of listDatasetImages(r.dir)) {
        images++;
        if (fs.existsSync(captionPathFor(img))) captioned++;
      }
    }
    return {
      name: r.name,
      dir: r.dir,
      inPlace: r.in_place === 1,
      trigger: r.trigger_word,
      resolutions: parseResolutions(r.resolutions),
      createdAt: r.created_at,
      counts: { images, captioned, uncaptioned: images - captioned, warnings: r.warning_count },
      present,
    };
  }
}

/** A whole drive or filesystem root is never a dataset or an import source (it would walk everything). */
function refuseRoot(p: string, field: string): void {
  if (path.parse(p).root === p) throw new StudioError('invalid_input', `${field}: ${p} is a whole drive; pick a folder`, field);
}

function parseResolutions(json: string): number[] {
  try {
    const v: unknown = JSON.parse(json);
    if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x))) return v as number[];
  } catch {
    // fall through to the defaults
  }
  return [...DEFAULT_RESOLUTIONS];
}
