// Incremental dataset sync to a Host. A manifest (relative path → size, mtime, sha256)
// lives beside the data on the host (.flux-studio-manifest.json); the local side keeps a
// hash cache keyed by size+mtime so an unchanged file is never re-read. Only new or changed
// files go up (atomic put), files the studio uploaded before and that are gone locally are
// deleted there (deletions mirrored), and ai-toolkit's own files on the host
// (_latent_cache/, .aitk_size.json) are never touched.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Host } from '../hosts/host';
import { writeFileAtomic } from '../core/atomic-write';
import { sha256File } from '../core/hash';

export const MANIFEST_NAME = '.flux-studio-manifest.json';
const SYNCED_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.txt']);

const Entry = z.object({ size: z.number(), mtimeMs: z.number(), sha256: z.string() });
const Manifest = z.object({ version: z.literal(1), files: z.record(z.string(), Entry) });
type Manifest = z.infer<typeof Manifest>;

export interface SyncProgress {
  phase: 'scanning' | 'uploading' | 'deleting' | 'done';
  done: number;
  total: number;
  file?: string;
}

export interface SyncResult {
  uploaded: string[];
  deleted: string[];
  unchanged: number;
  bytes: number;
}

/** Dataset files as ai-toolkit sees them: recursive, dot-files and _latent_cache skipped. */
export function listDatasetFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === '_latent_cache' || e.name.endsWith('_controls')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && SYNCED_EXT.has(path.extname(e.name).toLowerCase())) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/** size+mtime → sha256, per local dataset folder, so re-syncs of unchanged files read nothing. */
class HashCache {
  private data: Manifest;
  private dirty = false;
  constructor(private readonly file: string) {
    let parsed: Manifest = { version: 1, files: {} };
    try {
      parsed = Manifest.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch {
      // missing or stale: start empty
    }
    this.data = parsed;
  }
  hash(dir: string, rel: string): { size: number; mtimeMs: number; sha256: string } {
    const st = fs.statSync(path.join(dir, rel));
    const known = this.data.files[rel];
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return known;
    const entry = { size: st.size, mtimeMs: st.mtimeMs, sha256: sha256File(path.join(dir, rel)) };
    this.data.files[rel] = entry;
    this.dirty = true;
    return entry;
  }
  retain(keep: Set<string>): void {
    for (const k of Object.keys(this.data.files)) {
      if (keep.has(k)) continue;
      delete this.data.files[k];
      this.dirty = true;
    }
  }
  save(): void {
    if (this.dirty) writeFileAtomic(this.file, JSON.stringify(this.data));
  }
}

export async function syncDataset(opts: {
  host: Host;
  localDir: string;
  hostDir: string;
  /** Where the local hash cache lives (one file per dataset). */
  cacheFile: string;
  onProgress?: (p: SyncProgress) => void;
  signal?: AbortSignal;
}): Promise<SyncResult> {
  const { host, localDir, hostDir } = opts;
  const report = opts.onProgress ?? (() => undefined);
  report({ phase: 'scanning', done: 0, total: 0 });
  const files = listDatasetFiles(localDir);
  const cache = new HashCache(opts.cacheFile);
  const local = new Map(files.map((f) => [f, cache.hash(localDir, f)]));
  cache.retain(new Set(files));
  cache.save();

  await host.mkdir(hostDir);
  const manifestPath = path.posix.join(hostDir, MANIFEST_NAME);
  let remote: Manifest = { version: 1, files: {} };
  if (await host.stat(manifestPath)) {
    const parsed = Manifest.safeParse(JSON.parse((await host.readFile(manifestPath)).toString('utf8') || '{}'));
    if (parsed.success) remote = parsed.data;
  }
  // The manifest says what we put there; a cheap listing (sizes) catches files changed or removed behind our back.
  const hostSizes = await listHostSizes(host, hostDir, new Set(Object.keys(remote.files).map((f) => path.posix.dirname(f))));

  const toUpload = files.filter((f) => {
    const want = local.get(f);
    const have = remote.files[f];
    return !want || !have || have.sha256 !== want.sha256 || hostSizes.get(f) !== want.size;
  });
  const toDelete = Object.keys(remote.files).filter((f) => !local.has(f));
  const total = toUpload.length + toDelete.length;
  let done = 0;
  let bytes = 0;
  const next: Manifest = { version: 1, files: {} };
  const uploading = new Set(toUpload);
  for (const f of files) if (!uploading.has(f) && remote.files[f]) next.files[f] = remote.files[f];
  const saveManifest = () => host.writeFile(manifestPath, JSON.stringify(next));

  try {
    for (const f of toUpload) {
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
      report({ phase: 'uploading', done, total, file: f });
      const dest = path.posix.join(hostDir, f);
      if (f.includes('/')) await host.mkdir(path.posix.dirname(dest));
      await host.put(path.join(localDir, ...f.split('/')), dest, { signal: opts.signal });
      const entry = local.get(f);
      if (entry) next.files[f] = entry;
      bytes += entry?.size ?? 0;
      done++;
      // Every 50 files, so an interrupted sync resumes where it was instead of from the start.
      if (done % 50 === 0) await saveManifest();
    }
    for (const f of toDelete) {
      report({ phase: 'deleting', done, total, file: f });
      await host.remove(path.posix.join(hostDir, f));
      done++;
    }
  } finally {
    await saveManifest();
  }
  report({ phase: 'done', done, total });
  return { uploaded: toUpload, deleted: toDelete, unchanged: files.length - toUpload.length, bytes };
}

async function listHostSizes(host: Host, hostDir: string, dirs: Set<string>): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  dirs.add('.');
  for (const d of dirs) {
    const abs = d === '.' ? hostDir : path.posix.join(hostDir, d);
    let entries;
    try {
      entries = await host.list(abs);
    } catch {
      continue; // folder gone: its files count as missing
    }
    for (const e of entries) if (!e.isDirectory) sizes.set(d === '.' ? e.name : `${d}/${e.name}`, e.size);
  }
  return sizes;
}
