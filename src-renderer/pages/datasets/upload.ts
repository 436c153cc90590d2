// Getting dropped or picked files to main. In the desktop app the preload gives each
// File's path, and main imports from there. In the browser (serve mode) there are no
// paths: the bytes are sent as raw chunks on serve's upload route (studio.uploadChunk; the
// chunk size is the route's limit, one shared constant) into a staging folder that the
// import then reads. Folders dropped in the browser are walked with the entries API.
import { MAX_UPLOAD_CHUNK_BYTES, MAX_UPLOAD_FILE_BYTES } from '@shared/contract/datasets';
import { studio } from '../../transport/client';

export interface PickedFile {
  /** Relative path ('/'-separated): the name, or folder/…/name for a dropped folder. */
  rel: string;
  file: File;
}

export interface Dropped {
  /** Local paths (desktop) when every item had one. */
  paths: string[] | null;
  files: PickedFile[];
  /** A name to suggest for a new dataset (the first folder's or file's name). */
  suggestedName: string;
}

interface FsEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?: (ok: (f: File) => void, err: (e: unknown) => void) => void;
  createReader?: () => { readEntries(ok: (entries: FsEntry[]) => void, err: (e: unknown) => void): void };
}

async function walkEntry(entry: FsEntry, prefix: string, out: PickedFile[]): Promise<void> {
  const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile && entry.file) {
    const f = await new Promise<File>((ok, err) => entry.file?.(ok, err));
    out.push({ rel, file: f });
  } else if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise<FsEntry[]>((ok, err) => reader.readEntries(ok, err));
      if (batch.length === 0) break;
      for (const e of batch) await walkEntry(e, rel, out);
    }
  }
}

function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Reads a drop: paths in the desktop app, otherwise files (folders walked). */
export async function readDrop(dt: DataTransfer): Promise<Dropped> {
  const files = Array.from(dt.files);
  const paths = files.map((f) => studio.pathForFile(f));
  const first = files[0]?.name ?? 'dataset';
  if (files.length > 0 && paths.every((p): p is string => typeof p === 'string' && p.length > 0)) {
    return { paths, files: files.map((f) => ({ rel: f.name, file: f })), suggestedName: stemOf(first) };
  }
  const out: PickedFile[] = [];
  const items = Array.from(dt.items ?? []);
  const entries = items
    .map((it) => (it.kind === 'file' && typeof it.webkitGetAsEntry === 'function' ? (it.webkitGetAsEntry() as FsEntry | null) : null))
    .filter((e): e is FsEntry => e !== null);
  if (entries.length > 0) {
    for (const e of entries) await walkEntry(e, '', out);
  } else {
    for (const f of files) out.push({ rel: f.name, file: f });
  }
  const firstEntry = entries[0];
  return { paths: null, files: out, suggestedName: firstEntry?.isDirectory ? firstEntry.name : stemOf(first) };
}

/** Files from an <input type=file> (webkitRelativePath kept for folder pickers). */
export function readPicked(list: FileList): Dropped {
  const files = Array.from(list);
  const paths = files.map((f) => studio.pathForFile(f));
  const rels = files.map((f) => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name);
  const top = rels[0]?.includes('/') ? (rels[0].split('/')[0] ?? 'dataset') : stemOf(files[0]?.name ?? 'dataset');
  // A folder picked in the desktop app: import the folder itself.
  if (files.length > 0 && paths.every((p): p is string => !!p)) {
    if (rels[0]?.includes('/')) {
      const p0 = paths[0] as string;
      const depth = (rels[0] ?? '').split('/').length - 1;
      let dir = p0;
      for (let i = 0; i < depth; i++) dir = dir.replace(/[\\/][^\\/]*$/, '');
      return { paths: [dir], files: [], suggestedName: top };
    }
    return { paths: paths as string[], files: files.map((f) => ({ rel: f.name, file: f })), suggestedName: top };
  }
  return { paths: null, files: files.map((f, i) => ({ rel: rels[i] ?? f.name, file: f })), suggestedName: top };
}

function newUploadId(): string {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return `up-${Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Sends every file's bytes in chunks; returns the upload id for datasets.import. Files over the limit are refused up front. */
export async function uploadFiles(files: readonly PickedFile[], onProgress: (sent: number, total: number) => void): Promise<string> {
  const tooBig = files.find((f) => f.file.size > MAX_UPLOAD_FILE_BYTES);
  if (tooBig) throw new Error(`${tooBig.rel} is over ${MAX_UPLOAD_FILE_BYTES / 2 ** 20} MiB: import it by path (desktop app or \`flux-studio dataset import\`).`);
  const id = newUploadId();
  const total = files.reduce((n, f) => n + f.file.size, 0);
  let sent = 0;
  for (const f of files) {
    if (f.file.size === 0) {
      await studio.uploadChunk({ uploadId: id, file: f.rel, offset: 0, bytes: new Blob([]) });
      continue;
    }
    for (let offset = 0; offset < f.file.size; offset += MAX_UPLOAD_CHUNK_BYTES) {
      const chunk = f.file.slice(offset, offset + MAX_UPLOAD_CHUNK_BYTES);
      await studio.uploadChunk({ uploadId: id, file: f.rel, offset, bytes: chunk });
      sent += chunk.size;
      onProgress(sent, total);
    }
  }
  return id;
}
