// Browser uploads: the bytes of dropped files, written chunk by chunk into
// <data dir>/tmp/uploads/<uploadId>/<relative path> until an import reads and removes them.
// What a client may park here is bounded (bytes per file and per upload, open uploads and
// their bytes together), and the sizes are measured from the disk at start-up, so a restart
// does not reset the quotas. See docs/architecture.md ("serve").
import fs from 'node:fs';
import path from 'node:path';
import {
  MAX_OPEN_UPLOAD_BYTES,
  MAX_OPEN_UPLOADS,
  MAX_UPLOAD_FILE_BYTES,
  MAX_UPLOAD_TOTAL_BYTES,
} from '@shared/contract/datasets';
import { StudioError } from '../core/studio-error';
import type { Logger } from '../logging/logger';
import { uploadPathProblem } from './names';

/** Uploads never imported (a closed tab) are removed after this long. */
const STALE_MS = 24 * 3600 * 1000;

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    try {
      total += fs.statSync(path.join(e.parentPath, e.name)).size;
    } catch {
      // vanished while we looked: not counted
    }
  }
  return total;
}

export class UploadStaging {
  /** Bytes per open upload, measured from the disk at start-up and kept up to date after. */
  private readonly sizes = new Map<string, number>();

  constructor(
    private readonly root: string,
    private readonly log: Logger,
  ) {
    this.removeStale();
    this.measure();
  }

  dir(uploadId: string): string {
    return path.join(this.root, uploadId);
  }

  private removeStale(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return;
    }
    const cutoff = Date.now() - STALE_MS;
    for (const n of names) {
      const p = path.join(this.root, n);
      try {
        if (fs.statSync(p).mtimeMs < cutoff) fs.rmSync(p, { recursive: true, force: true });
      } catch (err) {
        this.log.warn(`could not remove the stale upload ${n}: ${(err as Error).message}`);
      }
    }
  }

  private measure(): void {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(this.root, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of names) {
      if (!e.isDirectory()) continue;
      try {
        this.sizes.set(e.name, folderBytes(path.join(this.root, e.name)));
      } catch {
        this.sizes.set(e.name, 0);
      }
    }
  }

  private openBytes(): number {
    let n = 0;
    for (const v of this.sizes.values()) n += v;
    return n;
  }

  /** Writes one chunk of `file` at `offset` (chunks arrive in order); the file's size after it. */
  receive(uploadId: string, file: string, offset: number, data: Buffer): { received: number } {
    const problem = uploadPathProblem(file);
    if (problem) throw new StudioError('invalid_input', `file: ${problem}`, 'file');
    const parts = file.split('/');
    const known = this.sizes.has(uploadId);
    if (!known && this.sizes.size >= MAX_OPEN_UPLOADS) {
      throw new StudioError('conflict', `uploadId: ${MAX_OPEN_UPLOADS} uploads are already waiting to be imported; import or wait for them (unimported uploads are removed after a day)`, 'uploadId');
    }
    const root = this.dir(uploadId);
    const dest = path.join(root, ...parts);
    const current = fs.statSync(dest, { throwIfNoEntry: false })?.size ?? 0;
    if (offset !== current) throw new StudioError('conflict', `offset: expected ${current} (chunks must arrive in order)`, 'offset');
    if (current + data.length > MAX_UPLOAD_FILE_BYTES) {
      throw new StudioError('invalid_input', `file: over ${MAX_UPLOAD_FILE_BYTES / 2 ** 20} MiB; import big files or zips by path (desktop or CLI)`, 'file');
    }
    const size = (this.sizes.get(uploadId) ?? 0) + data.length;
    if (size > MAX_UPLOAD_TOTAL_BYTES) throw new StudioError('invalid_input', `uploadId: the upload is over ${MAX_UPLOAD_TOTAL_BYTES / 2 ** 30} GiB`, 'uploadId');
    if (this.openBytes() + data.length > MAX_OPEN_UPLOAD_BYTES) {
      throw new StudioError('conflict', `uploadId: uploads waiting to be imported already hold ${MAX_OPEN_UPLOAD_BYTES / 2 ** 30} GiB; import them first`, 'uploadId');
    }
    try {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.appendFileSync(dest, data);
    } catch (err) {
      throw new StudioError('conflict', `file: cannot store ${JSON.stringify(file)} in the upload (${(err as NodeJS.ErrnoException).code ?? 'write failed'}); a file and a folder may share that name`, 'file');
    }
    this.sizes.set(uploadId, size);
    return { received: current + data.length };
  }

  /** The upload's folder for an import (which removes it when done); its quota is released. */
  take(uploadId: string): string {
    const dir = this.dir(uploadId);
    if (!fs.existsSync(dir)) throw new StudioError('not_found', `uploadId: no upload ${uploadId} (send its files first)`, 'uploadId');
    this.sizes.delete(uploadId);
    return dir;
  }
}
