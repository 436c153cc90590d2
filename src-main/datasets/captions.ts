// Captions on disk in ai-toolkit's format: each training image `<stem>.<ext>` has its
// caption in `<stem>.txt` beside it, UTF-8. This module is the one place that reads and
// writes them (the editor, bulk operations, import and the taggers all go through it), so
// every write is atomic (temp file + fsync + rename) and every read strips a UTF-8 BOM.
//
// Stable API (the tagging module depends on it): IMAGE_EXTENSIONS, isTrainingImage,
// captionPathFor, readCaption, writeCaption, listDatasetImages.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write';

/** What ai-toolkit trains on (any case); everything else is converted on import or ignored. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp'];
export const CAPTION_EXTENSION = '.txt';

/** True for a file name ai-toolkit would pick up as a training image (by extension, any case). */
export function isTrainingImage(fileName: string): boolean {
  const base = path.basename(fileName);
  if (base.startsWith('.')) return false; // ai-toolkit skips dot-files
  return IMAGE_EXTENSIONS.includes(path.extname(base).toLowerCase());
}

/** `<dir>/<stem>.txt` for `<dir>/<stem>.<ext>` (only the last extension is replaced). */
export function captionPathFor(imagePath: string): string {
  const ext = path.extname(imagePath);
  return (ext ? imagePath.slice(0, -ext.length) : imagePath) + CAPTION_EXTENSION;
}

/** Text with a leading UTF-8 BOM removed. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The caption of an image (UTF-8, BOM stripped, as stored otherwise), or null when it has none. */
export function readCaption(imagePath: string): string | null {
  try {
    return stripBom(fs.readFileSync(captionPathFor(imagePath), 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Writes an image's caption atomically (temp file, fsync, rename), UTF-8 without BOM. */
export function writeCaption(imagePath: string, text: string): void {
  writeFileAtomic(captionPathFor(imagePath), stripBom(text));
}

/**
 * Absolute paths of the training images in a dataset folder, sorted by path (code-unit
 * order, so the same on every platform). Recursive like ai-toolkit's scan; dot-files and
 * dot-folders, `_controls` and `_latent_cache` folders are skipped.
 */
export function listDatasetImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (err) {
      if (d === dir) throw err;
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name === '_controls' || e.name === '_latent_cache') continue;
        walk(full);
      } else if (e.isFile() && isTrainingImage(e.name)) {
        out.push(full);
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
