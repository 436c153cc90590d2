// The datasets index: one SQLite row per dataset (name, folder, trigger word, resolution
// list, counts) over plain folders in ai-toolkit's format. Files are the truth: items and
// counts are read from the folder every time; SQLite only remembers what was measured.
//
// Stable API for other modules (tagging, training): get(name), items(name), dirOf(name),
// notifyChanged(name).
import fs from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../../src-preload/contract/datasets';
import { DEFAULT_RESOLUTIONS } from '../../src-preload/contract/datasets';
import { StudioError } from '../api/studio-error';
import type { Db } from '../db/open-database';
import type { Logger } from '../logging/logger';
import { captionPathFor, listDatasetImages, readCaption } from './captions';
import { datasetFolder, parseDatasetName, relFile } from './names';

export interface DatasetServiceDeps {
  db: Db;
  dataDir: string;
  log: Logger;
  /** Told when a dataset's files or row changed (the studio emits 'datasets.changed'). */
  changed?: (name: string) => void;
}

/** One image of a dataset as the tagging and training modules see it. */
export interface DatasetItemBasic {
  /** Relative to the dataset folder, '/'-separated. */
  file: string;
  imagePath: string;
  caption: string | null;
}

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

export class DatasetService {
  constructor(protected readonly deps: DatasetServiceDeps) {}

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
      dir = path.resolve(input.folder);
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
    this.deps.db.prepare('DELETE FROM datasets WHERE name = ?').run(row.name);
    if (deleteFiles && row.in_place === 0) fs.rmSync(row.dir, { recursive: true, force: true });
    this.notifyChanged(row.name);
    return true;
  }

  notifyChanged(name: string): void {
    this.deps.changed?.(name);
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

function parseResolutions(json: string): number[] {
  try {
    const v: unknown = JSON.parse(json);
    if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x))) return v as number[];
  } catch {
    // fall through to the defaults
  }
  return [...DEFAULT_RESOLUTIONS];
}
