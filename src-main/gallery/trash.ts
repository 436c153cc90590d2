// Delete with undo: files move into <data dir>/trash-pending/<token>/ (a rename on the same
// filesystem, copy + unlink across devices) with a manifest, so undo can put them back.
// When the studio closes, pending deletes go to the OS trash: the platform's (Electron
// shell.trashItem), or on headless Linux the freedesktop trash that file managers show
// (~/.local/share/Trash); elsewhere they stay in trash-pending and the log says where.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logging/logger';

export interface TrashEntry {
  imageId: number;
  original: string;
  stored: string;
}

interface Manifest {
  token: string;
  createdAt: string;
  entries: TrashEntry[];
}

/** rename, or copy + unlink when the two paths are on different filesystems. */
export function moveFile(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    fs.unlinkSync(from);
  }
}

export class PendingTrash {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.dir = path.join(dataDir, 'trash-pending');
  }

  newToken(): string {
    return `del-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
  }

  /** Moves the files; returns the entries that moved (a file already gone is skipped). */
  stash(token: string, files: { imageId: number; path: string }[]): TrashEntry[] {
    const folder = path.join(this.dir, token);
    fs.mkdirSync(folder, { recursive: true });
    const entries: TrashEntry[] = [];
    const manifest = (): void => {
      const m: Manifest = { token, createdAt: new Date().toISOString(), entries };
      fs.writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(m, null, 1));
    };
    files.forEach((f, k) => {
      const stored = path.join(folder, `${k}-${path.basename(f.path)}`);
      try {
        moveFile(f.path, stored);
        entries.push({ imageId: f.imageId, original: f.path, stored });
      } catch (err) {
        this.log.warn(`could not move ${f.path} to the trash: ${(err as Error).message}`);
      }
    });
    manifest();
    return entries;
  }

  entries(token: string): TrashEntry[] | null {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
    try {
      const m = JSON.parse(fs.readFileSync(path.join(this.dir, token, 'manifest.json'), 'utf8')) as Manifest;
      return m.entries;
    } catch {
      return null;
    }
  }

  /** Moves files back; returns the image ids whose file is back in place. */
  restore(token: string): number[] {
    const entries = this.entries(token);
    if (!entries) return [];
    const back: number[] = [];
    for (const e of entries) {
      try {
        if (fs.existsSync(e.original)) {
          this.log.warn(`cannot restore ${e.original}: a file with that name exists again`);
          continue;
        }
        moveFile(e.stored, e.original);
        back.push(e.imageId);
      } catch (err) {
        this.log.warn(`could not restore ${e.original}: ${(err as Error).message}`);
      }
    }
    fs.rmSync(path.join(this.dir, token), { recursive: true, force: true });
    return back;
  }

  tokens(): string[] {
    try {
      return fs.readdirSync(this.dir).filter((n) => /^[A-Za-z0-9_-]+$/.test(n));
    } catch {
      return [];
    }
  }

  /**
   * Sends every pending delete to the OS trash. `platformTrash` first (desktop); otherwise,
   * on Linux, the freedesktop trash under `dataHome`; otherwise files stay here.
   */
  async flush(
    platformTrash: ((file: string) => Promise<boolean>) | undefined,
    env: NodeJS.ProcessEnv,
    only?: ReadonlySet<string>,
  ): Promise<{ trashed: number; kept: number }> {
    let trashed = 0;
    let kept = 0;
    for (const token of this.tokens()) {
      if (only && !only.has(token)) continue;
      const entries = this.entries(token) ?? [];
      let left = 0;
      for (const e of entries) {
        if (!fs.existsSync(e.stored)) continue;
        let ok = false;
        try {
          if (platformTrash) ok = await platformTrash(e.stored);
          if (!ok && process.platform === 'linux') ok = freedesktopTrash(e.stored, e.original, env);
        } catch (err) {
          this.log.warn(`could not trash ${e.stored}: ${(err as Error).message}`);
        }
        if (ok) trashed++;
        else left++;
      }
      if (left === 0) fs.rmSync(path.join(this.dir, token), { recursive: true, force: true });
      else {
        kept += left;
        this.log.info(`${left} deleted image(s) kept in ${path.join(this.dir, token)} (no system trash here)`);
      }
    }
    return { trashed, kept };
  }
}

/** The freedesktop.org trash (Trash spec 1.0): files/<name> + info/<name>.trashinfo under $XDG_DATA_HOME/Trash. */
export function freedesktopTrash(file: string, originalPath: string, env: NodeJS.ProcessEnv): boolean {
  const dataHome = env.XDG_DATA_HOME || (env.HOME ? path.join(env.HOME, '.local', 'share') : path.join(os.homedir(), '.local', 'share'));
  const trash = path.join(dataHome, 'Trash');
  const filesDir = path.join(trash, 'files');
  const infoDir = path.join(trash, 'info');
  fs.mkdirSync(filesDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(infoDir, { recursive: true, mode: 0o700 });
  const ext = path.extname(originalPath);
  const stem = path.basename(originalPath, ext);
  for (let n = 0; n < 10_000; n++) {
    const name = n === 0 ? `${stem}${ext}` : `${stem}.${n}${ext}`;
    const info = path.join(infoDir, `${name}.trashinfo`);
    let fd: number;
    try {
      fd = fs.openSync(info, 'wx'); // the .trashinfo claims the name atomically
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    try {
      const encoded = originalPath.split('/').map(encodeURIComponent).join('/');
      const date = new Date().toISOString().replace(/\.\d+Z$/, '');
      fs.writeSync(fd, `[Trash Info]\nPath=${encoded}\nDeletionDate=${date}\n`);
    } finally {
      fs.closeSync(fd);
    }
    try {
      moveFile(file, path.join(filesDir, name));
      return true;
    } catch (err) {
      fs.rmSync(info, { force: true });
      throw err;
    }
  }
  return false;
}
