// One parsed image of any supported format: its kind, its size and the metadata texts.
import { NotAnImageError } from './errors';
import { type ExifTexts } from './exif-tiff';
import { isJpeg, parseJpeg, readJpegExif } from './jpeg-exif';
import { isPng, parsePngChunks, pngSize, readPngTexts, textMap } from './png-chunks';
import { isWebp, parseWebp, readWebpExif } from './webp-riff';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ImageMetadataTexts {
  format: ImageFormat;
  width: number;
  height: number;
  /** PNG text chunks by key (empty for JPEG/WebP). */
  pngTexts: Map<string, string>;
  exif: ExifTexts;
}

export function detectFormat(bytes: Buffer): ImageFormat | null {
  if (isPng(bytes)) return 'png';
  if (isJpeg(bytes)) return 'jpeg';
  if (isWebp(bytes)) return 'webp';
  return null;
}

export const EXTENSIONS: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

/** Parse the container. Throws NotAnImageError (with a reason) for anything that is not a whole PNG, JPEG or WebP. */
export function readImageFile(bytes: Buffer): ImageMetadataTexts {
  if (!Buffer.isBuffer(bytes)) throw new NotAnImageError('no data');
  if (bytes.length === 0) throw new NotAnImageError('empty file');
  const format = detectFormat(bytes);
  const none: ExifTexts = { userComment: null, studioJson: null };
  try {
    if (format === 'png') {
      const chunks = parsePngChunks(bytes);
      return { format, ...pngSize(chunks), pngTexts: textMap(readPngTexts(chunks)), exif: none };
    }
    if (format === 'jpeg') {
      const j = parseJpeg(bytes);
      return { format, width: j.width, height: j.height, pngTexts: new Map(), exif: readJpegExif(j) };
    }
    if (format === 'webp') {
      const w = parseWebp(bytes);
      return { format, width: w.width, height: w.height, pngTexts: new Map(), exif: readWebpExif(w) };
    }
  } catch (err) {
    if (err instanceof NotAnImageError) throw err;
    throw new NotAnImageError(`corrupt ${format} (${err instanceof Error ? err.message : String(err)})`);
  }
  throw new NotAnImageError('unknown format (not PNG, JPEG or WebP)');
}
