// Dataset names → folder names. The display name is validated by the contract's
// DatasetName (letters of any script, digits, spaces, a few punctuation marks); the folder
// is the NFC-normalised name, which is already safe on Windows, macOS and Linux.
import path from 'node:path';
import { DatasetName } from '@shared/contract/datasets';
import { StudioError } from '../core/studio-error';

export function parseDatasetName(name: string): string {
  const parsed = DatasetName.safeParse(name);
  if (!parsed.success) {
    throw new StudioError('invalid_input', `name: ${parsed.error.issues[0]?.message ?? 'is not a valid dataset name'}`, 'name');
  }
  return parsed.data.normalize('NFC');
}

/** The folder a copied dataset lives in: <data dir>/datasets/<name>. */
export function datasetFolder(dataDir: string, name: string): string {
  return path.join(dataDir, 'datasets', parseDatasetName(name));
}

/** `a/b.jpg` for `<dir>/a/b.jpg`: the id of a dataset file in every call. */
export function relFile(dir: string, abs: string): string {
  return path.relative(dir, abs).split(path.sep).join('/');
}

/** The absolute path for a dataset-relative file, refusing anything that leaves the folder. */
export function absFile(dir: string, file: string): string {
  const abs = path.resolve(dir, ...file.split('/'));
  const rel = path.relative(dir, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new StudioError('invalid_input', `file: ${JSON.stringify(file)} is not inside the dataset`, 'file');
  }
  return abs;
}

// Bidirectional controls (U+202A–U+202E, U+2066–U+2069, LRM/RLM, ALM) make a name display
// as something it is not ("gpj.exe" shown as "exe.jpg"); control characters are never part
// of a real file name.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\\:*?"<>|]/u;
/** Names Windows reserves for devices (with any extension): such a file cannot be opened there. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * Why an uploaded file's relative path ('/'-separated) is refused, or null when it is fine:
 * no empty, `.` or `..` parts, no control, bidi or Windows-forbidden characters, no leading
 * or trailing spaces, no trailing dot, no device names, at most 32 parts of 200 characters.
 * The same rules on every platform, so a dataset made here copies to Windows intact.
 */
export function uploadPathProblem(rel: string): string | null {
  const parts = rel.split('/');
  if (parts.length > 32) return 'too deep (at most 32 folders)';
  for (const p of parts) {
    const shown = JSON.stringify(p.slice(0, 60));
    if (p === '' || p === '.' || p === '..') return 'must be a file name or a relative path (no empty, . or .. parts)';
    if (p.length > 200) return `${shown}…: names are at most 200 characters`;
    if (UNSAFE_CHARS.test(p)) return `${shown}: control, direction-changing or \\ : * ? " < > | characters are not allowed in names`;
    if (p !== p.trim()) return `${shown}: names may not start or end with a space`;
    if (p.endsWith('.')) return `${shown}: names may not end with a dot`;
    if (WINDOWS_DEVICE.test(p)) return `${shown}: a name Windows reserves for a device`;
  }
  return null;
}

/**
 * An absolute path for the platform the server runs on. The contract accepts both `/x` and
 * `C:\x` (the page cannot know where main runs); on Linux `C:/x` or `\\server\share` would
 * resolve against the working directory, so they are refused here, and the message never
 * shows that directory.
 */
export function nativeAbsolutePath(p: string, field: string): string {
  const native = process.platform === 'win32' ? path.win32 : path.posix;
  // On Windows `\x` is absolute but relative to the current drive: refused as well.
  const driveRelative = process.platform === 'win32' && /^[\\/](?![\\/])/.test(p);
  if (!native.isAbsolute(p) || driveRelative) {
    const where = process.platform === 'win32' ? 'Windows (C:\\… or \\\\server\\share\\…)' : 'this system (/…)';
    throw new StudioError('invalid_input', `${field}: ${JSON.stringify(p.slice(0, 200))} is not an absolute path on ${where}`, field);
  }
  return native.resolve(p);
}
