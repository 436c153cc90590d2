// Writing a file under a name that may be taken, without ever overwriting and without a
// partial file ever carrying the final name: the one home for it (generated images, copies
// into the output folder, gallery exports, dataset imports). One naming scheme everywhere:
// `name.ext`, then `name_2.ext`, `name_3.ext`, …
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const MAX_TRIES = 100_000;

/** The n-th candidate (1-based) for `stem` + `ext` (ext with its dot, or ''). */
export function candidateName(stem: string, ext: string, n: number): string {
  return n === 1 ? `${stem}${ext}` : `${stem}_${n}${ext}`;
}

/** A hidden staging path in `dir` (same file system as the final name, so link/rename work). */
export function stagingPath(dir: string, stem: string): string {
  return path.join(dir, `.${stem}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
}

/**
 * Give a complete staging file its final name in `dir`: a hard link to the first free
 * candidate (link fails instead of overwriting, so two writers never clobber each other),
 * or, where the file system has no hard links, a rename to the first name that does not
 * exist. The staging file is gone afterwards. Returns the path written.
 */
export function publishNoOverwrite(staging: string, dir: string, stem: string, ext: string): string {
  try {
    for (let n = 1; n < MAX_TRIES; n++) {
      const file = path.join(dir, candidateName(stem, ext, n));
      try {
        fs.linkSync(staging, file);
        return file;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EXDEV') {
          if (fs.existsSync(file)) continue;
          fs.renameSync(staging, file);
          return file;
        }
        throw err;
      }
    }
    throw new Error(`no free file name for ${stem}${ext} in ${dir}`);
  } finally {
    fs.rmSync(staging, { force: true });
  }
}

/** Copies `from` into `folder` under its own name or the first free candidate. Returns the path written. */
export async function copyNoOverwrite(from: string, folder: string): Promise<string> {
  const ext = path.extname(from);
  const stem = path.basename(from, ext);
  fs.mkdirSync(folder, { recursive: true });
  const staging = stagingPath(folder, stem);
  try {
    await fs.promises.copyFile(from, staging);
  } catch (err) {
    fs.rmSync(staging, { force: true });
    throw err;
  }
  return publishNoOverwrite(staging, folder, stem, ext);
}
