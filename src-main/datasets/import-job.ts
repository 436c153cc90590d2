// Import: files, folders (recursive) and zip archives into a new or existing dataset,
// copied into its folder or used where they are. Every input file ends up in the report
// as accepted, converted, rejected, caption or ignored, with a reason; nothing is dropped
// silently and no bad file takes the import down.
//
// Three passes: (1) gather inputs (walk folders, extract zips into a staging folder);
// (2) inspect every image concurrently (bytes sniffed, header checked against the pixel
// limit, full decode, sha256, dHash); (3) in input order, decide duplicates and names,
// then copy/convert, bring captions along, and make thumbnails concurrently through the
// gallery's thumbnail pool.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { DatasetWarning, ImportEntry, ImportReport } from '@shared/contract/datasets';
import type { JobContext, JobExecutor } from '../jobs/job-service';
import { writeFileAtomic } from '../core/atomic-write';
import { candidateName } from '../core/no-overwrite';
import { captionPathFor, isTrainingImage, stripBom, writeCaption } from './captions';
import type { DatasetIndex } from './dataset-index';
import { CONVERTIBLE, convertImage, inspectImage, MAX_FILE_BYTES, sniff, TRAINABLE, type InspectedImage } from './image-inspect';
import { sha256 } from '../core/hash';
import { relFile } from './names';
import { imageWarnings, sortWarnings, type MeasuredImage } from './warnings';
import { extractZip } from './zip-extract';
import { makeImportTemp } from './import-temp';

export const IMPORT_KIND = 'datasets.import';

export const ImportParams = z.object({
  name: z.string(),
  sources: z.array(z.string()),
  /** Sources are children of this staging folder (a browser upload): labels are relative to it and it is deleted after. */
  stagingRoot: z.string().nullable(),
  inPlace: z.boolean(),
});
export type ImportParams = z.infer<typeof ImportParams>;

const IGNORED_DIRS = new Set(['_latent_cache', '__MACOSX']);
const CAPTION_EXT = '.txt';
const CONCURRENCY = Math.max(2, Math.min(4, os.availableParallelism?.() ?? 2));
/** Files one import may look at (folders walked, zip entries): past this it stops and says so. */
export const MAX_IMPORT_FILES = 100_000;

interface Input {
  index: number;
  /** As shown in the report. */
  source: string;
  abs: string;
  /** Caption matching key: the input's folder (by label) + its stem. */
  key: string;
  ext: string;
}

interface Inspected {
  input: Input;
  result: { ok: true; image: InspectedImage } | { ok: false; reason: string };
}

export interface ImportDeps {
  index: DatasetIndex;
  stagingDir: string;
}

function labelKey(label: string): string {
  const dot = label.lastIndexOf('.');
  const slash = label.lastIndexOf('/');
  return dot > slash + 1 ? label.slice(0, dot) : label;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      if (signal?.aborted) throw new Error('cancelled');
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const CANONICAL_EXT: Record<string, string> = { jpeg: '.jpg', png: '.png', webp: '.webp' };
const KIND_EXTS: Record<string, readonly string[]> = { jpeg: ['.jpg', '.jpeg'], png: ['.png'], webp: ['.webp'] };

/** Characters a file name may not hold on this platform. */
function safeStem(stem: string): string {
  const bad = process.platform === 'win32' ? '<>:"/\\|?*' : '/';
  const cleaned = [...stem].map((ch) => (ch.charCodeAt(0) < 0x20 || bad.includes(ch) ? '_' : ch)).join('');
  return cleaned.normalize('NFC').replace(/^\.+/, '_').slice(0, 180) || 'image';
}

export async function runImport(deps: ImportDeps, ctx: Pick<JobContext<ImportParams>, 'params' | 'signal' | 'progress' | 'log'>): Promise<ImportReport> {
  const { params, signal, progress, log } = ctx;
  const { index } = deps;
  const startedAt = new Date().toISOString();
  const ds = index.service.ref(params.name);
  const dir = ds.dir;
  const entries: (ImportEntry | null)[] = [];
  const inputs: Input[] = [];
  const tmpRoot = makeImportTemp(deps.stagingDir);
  const add = (e: ImportEntry) => entries.push(e);

  try {
    // ---- pass 1: gather ----
    const guard = () => {
      if (entries.length > MAX_IMPORT_FILES) throw new Error(`more than ${MAX_IMPORT_FILES.toLocaleString('en')} files: import a smaller folder`);
      if (signal.aborted) throw new Error('cancelled');
    };
    const addInput = (source: string, abs: string, keyLabel: string) => {
      guard();
      const i = entries.length;
      entries.push(null);
      inputs.push({ index: i, source, abs, key: labelKey(keyLabel), ext: path.extname(abs).toLowerCase() });
    };
    const walk = async (root: string, d: string, labelBase: string) => {
      let list: fs.Dirent[];
      try {
        list = fs.readdirSync(d, { withFileTypes: true });
      } catch (err) {
        add({ source: labelBase || path.basename(d), outcome: 'ignored', file: null, reason: `cannot read folder (${(err as Error).message})` });
        return;
      }
      list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of list) {
        guard();
        const full = path.join(d, e.name);
        const label = labelBase ? `${labelBase}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (IGNORED_DIRS.has(e.name) || e.name.startsWith('.')) {
            add({ source: `${label}/`, outcome: 'ignored', file: null, reason: e.name.startsWith('.') ? 'hidden folder' : 'cache or metadata folder' });
            continue;
          }
          await walk(root, full, label);
        } else if (e.isFile()) {
          if (e.name.startsWith('.')) add({ source: label, outcome: 'ignored', file: null, reason: 'hidden file' });
          else await addFile(full, label);
        } else {
          add({ source: label, outcome: 'ignored', file: null, reason: e.isSymbolicLink() ? 'symbolic link (not followed)' : 'not a regular file' });
        }
      }
    };
    let zips = 0;
    const addFile = async (abs: string, label: string) => {
      if (!params.inPlace && path.extname(abs).toLowerCase() === '.zip') {
        const head = readHead(abs);
        if (sniff(head) === 'zip') {
          const dest = path.join(tmpRoot, `zip-${++zips}`);
          const { entries: zentries, error } = await extractZip(abs, dest, label, signal);
          if (error) add({ source: label, outcome: 'rejected', file: null, reason: error });
          else add({ source: label, outcome: 'ignored', file: null, reason: `zip archive: ${zentries.length} entr${zentries.length === 1 ? 'y' : 'ies'} listed below` });
          for (const z of zentries) {
            if (z.file === null) add({ source: z.source, outcome: 'ignored', file: null, reason: z.reason });
            else addInput(z.source, z.file, `${label}!${z.inner}`);
          }
          return;
        }
      }
      addInput(label, abs, label);
    };

    if (params.inPlace) {
      await walk(dir, dir, '');
    } else {
      for (const src of params.sources) {
        if (signal.aborted) throw new Error('cancelled');
        let st: fs.Stats;
        try {
          st = fs.statSync(src);
        } catch {
          add({ source: src, outcome: 'rejected', file: null, reason: 'not found' });
          continue;
        }
        const label = params.stagingRoot ? relFile(params.stagingRoot, src) : path.basename(src);
        // An uploaded file at the top is skipped when hidden, as it is inside a folder
        // (a path named on purpose is imported whatever its name).
        if (params.stagingRoot && path.basename(src).startsWith('.')) add({ source: label, outcome: 'ignored', file: null, reason: st.isDirectory() ? 'hidden folder' : 'hidden file' });
        else if (st.isDirectory()) await walk(src, src, label);
        else await addFile(src, label);
      }
    }

    const images = inputs.filter((i) => i.ext !== CAPTION_EXT);
    const captions = inputs.filter((i) => i.ext === CAPTION_EXT);
    const total = images.length * 2;
    let step = 0;
    const tick = (what: string) => progress({ step: ++step, total, message: what });
    progress({ step: 0, total, message: `${inputs.length} files found` });

    // ---- pass 2: inspect ----
    const inspected: Inspected[] = await mapLimit(
      images,
      CONCURRENCY,
      async (input) => {
        let result: Inspected['result'];
        try {
          const st = fs.statSync(input.abs);
          if (st.size > MAX_FILE_BYTES) result = { ok: false, reason: `file too large (${Math.round(st.size / 2 ** 20)} MiB; at most ${MAX_FILE_BYTES / 2 ** 20} MiB)` };
          else result = await inspectImage(fs.readFileSync(input.abs));
        } catch (err) {
          result = { ok: false, reason: `cannot read (${(err as Error).message})` };
        }
        tick(`checked ${input.source}`);
        return { input, result };
      },
      signal,
    );

    // ---- pass 3a: decide (in input order) ----
    const existing = params.inPlace ? new Map<string, string>() : await index.hashes(params.name, signal);
    const seenHash = new Map<string, string>(existing); // sha256 → dataset file
    const takenStems = new Set<string>();
    if (!params.inPlace && fs.existsSync(dir)) {
      for (const f of fs.readdirSync(dir)) takenStems.add(labelKey(f).toLowerCase());
    }
    const captionByKey = new Map<string, Input>();
    for (const c of captions) captionByKey.set(c.key, c);
    const usedCaption = new Set<Input>();
    const dirStems = new Map<string, Set<string>>();

    interface Plan {
      it: Inspected & { result: { ok: true; image: InspectedImage } };
      dest: string;
      convert: boolean;
      note: string | null;
      caption: Input | null;
    }
    const plans: Plan[] = [];
    for (const it of inspected) {
      const { input, result } = it;
      const caption = captionByKey.get(input.key) ?? null;
      if (!result.ok) {
        add2(input, { source: input.source, outcome: 'rejected', file: null, reason: params.inPlace ? `${result.reason} (left in the folder: ai-toolkit would try to train on it; fix or remove it)` : result.reason });
        if (caption) {
          usedCaption.add(caption);
          entries[caption.index] = { source: caption.source, outcome: 'ignored', file: null, reason: 'its image was rejected' };
        }
        continue;
      }
      const img = result.image;
      const dupOf = seenHash.get(img.sha256);
      if (dupOf !== undefined) {
        add2(input, { source: input.source, outcome: 'rejected', file: null, reason: `exact duplicate of ${dupOf}${params.inPlace ? ' (left in the folder)' : ''}` });
        if (caption) {
          usedCaption.add(caption);
          entries[caption.index] = { source: caption.source, outcome: 'ignored', file: null, reason: `its image duplicates ${dupOf}` };
        }
        continue;
      }
      const trainable = TRAINABLE.has(img.kind);
      if (!trainable && !CONVERTIBLE.has(img.kind)) {
        add2(input, { source: input.source, outcome: 'rejected', file: null, reason: `unsupported image format (${img.kind})` });
        continue;
      }
      let dest: string;
      let note: string | null = null;
      if (params.inPlace) {
        if (trainable && isTrainingImage(input.abs) && (KIND_EXTS[img.kind] ?? []).includes(input.ext)) {
          dest = input.abs;
        } else if (trainable) {
          // A PNG named .jpg or similar: ai-toolkit decodes by content, so it trains as it is.
          dest = input.abs;
          note = isTrainingImage(input.abs) ? `content is ${img.kind.toUpperCase()} although named ${input.ext}` : null;
          if (!isTrainingImage(input.abs)) {
            add2(input, { source: input.source, outcome: 'rejected', file: null, reason: `${img.kind.toUpperCase()} image with a ${input.ext || 'missing'} extension: ai-toolkit only reads .jpg .jpeg .png .webp; rename it` });
            continue;
          }
        } else {
          const ext = img.kind === 'avif' || img.kind === 'heic' ? (img.hasAlpha ? '.png' : '.jpg') : '.png';
          dest = freeName(path.dirname(input.abs), path.basename(input.abs, path.extname(input.abs)), ext, takenStemsFor(path.dirname(input.abs)));
        }
      } else {
        const base = path.basename(input.key.split('!').pop() ?? input.key);
        const stem = uniqueStem(safeStem(base), takenStems);
        const ext = trainable ? ((KIND_EXTS[img.kind] ?? []).includes(input.ext) ? input.ext : (CANONICAL_EXT[img.kind] ?? '.png')) : img.kind === 'avif' || img.kind === 'heic' ? (img.hasAlpha ? '.png' : '.jpg') : '.png';
        if (trainable && !(KIND_EXTS[img.kind] ?? []).includes(input.ext)) note = `content is ${img.kind.toUpperCase()}; saved as ${ext}`;
        dest = path.join(dir, stem + ext);
      }
      seenHash.set(img.sha256, relFile(dir, dest));
      if (caption) usedCaption.add(caption);
      plans.push({ it: it as Plan['it'], dest, convert: !trainable, note, caption });
    }
    function add2(input: Input, e: ImportEntry) {
      entries[input.index] = e;
    }
    function takenStemsFor(d: string): Set<string> {
      let s = dirStems.get(d);
      if (!s) {
        s = new Set(fs.readdirSync(d).filter((f) => isTrainingImage(f)).map((f) => labelKey(f).toLowerCase()));
        dirStems.set(d, s);
      }
      return s;
    }

    // ---- pass 3b: write, captions, thumbnails ----
    fs.mkdirSync(dir, { recursive: true });
    const measured: MeasuredImage[] = [];
    const importedFiles = new Set<string>();
    await mapLimit(
      plans,
      CONCURRENCY,
      async (plan) => {
        const { input, result } = plan.it;
        const img = result.image;
        const file = relFile(dir, plan.dest);
        try {
          let sha = img.sha256;
          if (plan.convert) {
            const conv = await convertImage(fs.readFileSync(input.abs), img);
            writeFileAtomic(plan.dest, conv.data);
            sha = sha256(conv.data);
            entries[input.index] = { source: input.source, outcome: 'converted', file, reason: `${img.kind.toUpperCase()} → ${conv.ext.slice(1).toUpperCase()}${img.animated ? ' (first frame of an animation)' : ''}: ai-toolkit ignores ${img.kind.toUpperCase()} files` };
          } else {
            if (plan.dest !== input.abs) copyAtomic(input.abs, plan.dest);
            entries[input.index] = { source: input.source, outcome: 'accepted', file, reason: plan.note };
          }
          if (plan.caption) {
            const capDest = captionPathFor(plan.dest);
            if (capDest !== plan.caption.abs) writeCaption(plan.dest, stripBom(fs.readFileSync(plan.caption.abs, 'utf8')));
            entries[plan.caption.index] = { source: plan.caption.source, outcome: 'caption', file: relFile(dir, capDest), reason: null };
          }
          await index.record(params.name, dir, plan.dest, { sha256: sha, dhash: img.dhash, colour: img.colour, width: img.width, height: img.height });
          measured.push({ file, width: img.width, height: img.height, dhash: img.dhash, colour: img.colour, hasCaption: fs.existsSync(captionPathFor(plan.dest)) });
          importedFiles.add(file);
        } catch (err) {
          log.warn(`import of ${input.source} failed: ${(err as Error).message}`);
          fs.rmSync(plan.dest, { force: true });
          entries[input.index] = { source: input.source, outcome: 'rejected', file: null, reason: `could not be written (${(err as Error).message})` };
        }
        tick(`imported ${input.source}`);
      },
      signal,
    );

    // Captions left over: no image with that stem in the import.
    const warnings: DatasetWarning[] = [];
    for (const c of captions) {
      if (usedCaption.has(c)) continue;
      entries[c.index] = { source: c.source, outcome: 'ignored', file: null, reason: 'caption without an image (no image with the same name)' };
      warnings.push({ file: c.source, code: 'orphan_caption', message: 'caption without an image: nothing to train it with' });
    }
    // Other inputs never reached a decision (should not happen): account for them anyway.
    for (const i of inputs) if (entries[i.index] === null) entries[i.index] = { source: i.source, outcome: 'ignored', file: null, reason: 'not processed' };

    // Warnings for what was imported, near-duplicates against the whole dataset.
    const all = await index.measuredAll(params.name);
    warnings.push(...imageWarnings(all, ds.resolutions, { onlyFiles: importedFiles }));

    const done = entries.filter((e): e is ImportEntry => e !== null);
    const totals = { accepted: 0, converted: 0, rejected: 0, caption: 0, ignored: 0 };
    for (const e of done) totals[e.outcome]++;
    const report: ImportReport = { dataset: ds.name, startedAt, finishedAt: new Date().toISOString(), entries: done, warnings: sortWarnings(warnings), totals };
    index.saveReport(params.name, report);
    return report;
  } finally {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
    if (params.stagingRoot) fs.rmSync(params.stagingRoot, { recursive: true, force: true });
    index.service.notifyChanged(params.name);
  }
}

function readHead(abs: string): Buffer {
  const fd = fs.openSync(abs, 'r');
  try {
    const buf = Buffer.alloc(64);
    const n = fs.readSync(fd, buf, 0, 64, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function uniqueStem(stem: string, taken: Set<string>): string {
  let candidate = stem;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = candidateName(stem, '', n);
  taken.add(candidate.toLowerCase());
  return candidate;
}

function freeName(d: string, stem: string, ext: string, taken: Set<string>): string {
  return path.join(d, uniqueStem(stem, taken) + ext);
}

/** Copy to a temp name beside the target, fsync, rename: never a half-copied image in the dataset. */
function copyAtomic(from: string, to: string): void {
  const tmp = path.join(path.dirname(to), `.${path.basename(to)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.copyFileSync(from, tmp);
    const fd = fs.openSync(tmp, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, to);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export function importExecutor(deps: ImportDeps): JobExecutor<ImportParams> {
  return {
    kind: IMPORT_KIND,
    params: ImportParams,
    lane: () => 'datasets-import',
    title: (p) => `Import into dataset ${p.name}`,
    async run(ctx) {
      const report = await runImport(deps, ctx);
      return { dataset: report.dataset, totals: report.totals, warnings: report.warnings.length };
    },
  };
}
