// Writing the parameters into an image, and saving a generated image under the output folder.
// The chunks and segments are assembled byte by byte here (not by sharp) so that what lands
// in the file is exactly the A1111 layout other tools read.
import path from 'node:path';
import type { ImageParameters } from '@shared/contract';
import { writeFileAtomic } from '../core/atomic-write';
import { publishNoOverwrite, stagingPath } from '../core/no-overwrite';
import { formatParameters } from './a1111';
import { NotAnImageError } from './errors';
import { buildExifTiff } from './exif-tiff';
import { MAX_APP1_PAYLOAD, writeJpegExif } from './jpeg-exif';
import { detectFormat, EXTENSIONS } from './image-file';
import { writePngTexts } from './png-chunks';
import { makeStudioRecord, serializeStudioRecord, STUDIO_KEY } from './studio-record';
import { writeWebpExif } from './webp-riff';

export interface EmbedOptions {
  version: string;
  /** ISO time for the record; defaults to now. */
  createdAt?: string;
  prng?: string | null;
  sigmas?: number[] | null;
  /** sha256 of the model file, for A1111's `Model hash`. */
  modelSha256?: string | null;
}

/**
 * The image with the A1111 `parameters` text and the studio's JSON record written in:
 * PNG → text chunks `parameters` and `flux-studio` before IDAT; JPEG → Exif APP1, WebP → EXIF
 * chunk, each with UserComment (A1111 text) and MakerNote (record). Earlier copies are replaced.
 * A JPEG's APP1 holds at most 64 KiB: if both do not fit, the record is left out; if even the
 * text alone does not fit, the prompt and negative prompt are shortened (the parameter line stays).
 * Throws NotAnImageError when the bytes are not a PNG, JPEG or WebP.
 */
export function embedMetadata(image: Buffer, params: ImageParameters, opts: EmbedOptions): Buffer {
  const format = detectFormat(image);
  if (!format) throw new NotAnImageError('unknown format (not PNG, JPEG or WebP)');
  const format_ = (prompt: string | null, negativePrompt: string | null) =>
    formatParameters({ ...params, prompt, negativePrompt, version: opts.version, modelSha256: opts.modelSha256 ?? null });
  const text = format_(params.prompt, params.negativePrompt);
  const json = serializeStudioRecord(
    makeStudioRecord(params, { version: opts.version, createdAt: opts.createdAt, prng: opts.prng ?? null, sigmas: opts.sigmas ?? null }),
  );
  if (format === 'png') return writePngTexts(image, [['parameters', text], [STUDIO_KEY, json]]);
  let tiff = buildExifTiff(text, json);
  if (format === 'jpeg') {
    const room = MAX_APP1_PAYLOAD - 6;
    if (tiff.length > room) tiff = buildExifTiff(text, null);
    // Still too big: shorten the prompts (never the parameter line) until it fits.
    let prompt = params.prompt ?? '';
    let negative = params.negativePrompt ?? '';
    while (tiff.length > room && (prompt.length > 0 || negative.length > 0)) {
      prompt = [...prompt].slice(0, Math.floor([...prompt].length * 0.9)).join('');
      negative = [...negative].slice(0, Math.floor([...negative].length * 0.9)).join('');
      tiff = buildExifTiff(format_(prompt, negative), null);
    }
    return writeJpegExif(image, tiff);
  }
  return writeWebpExif(image, tiff);
}

export interface SaveImageOptions {
  outputDir: string;
  /** The encoded image (PNG, JPEG or WebP) as the generator produced it. */
  bytes: Buffer;
  params: ImageParameters;
  seed: number;
  /** Settings.embedMetadata: false writes the bytes as they are, with nothing of ours added. */
  embed: boolean;
  now?: Date;
  version: string;
  /** Passed on to embedMetadata. */
  prng?: string | null;
  sigmas?: number[] | null;
  modelSha256?: string | null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` folder and `flux_YYYYMMDD_HHMMSS_<seed>` stem in local time. */
export function outputName(now: Date, seed: number): { day: string; stem: string } {
  const y = pad(now.getFullYear(), 4);
  const mo = pad(now.getMonth() + 1);
  const d = pad(now.getDate());
  return { day: `${y}-${mo}-${d}`, stem: `flux_${y}${mo}${d}_${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}_${seed}` };
}

/**
 * Save a generated image as `<outputDir>/YYYY-MM-DD/flux_YYYYMMDD_HHMMSS_<seed>.<ext>` (ext from
 * the bytes), `_2`, `_3`, … on a clash. The bytes are first written completely (fsync) to a
 * hidden temp file in the same folder with writeFileAtomic, then hard-linked to the final name —
 * link fails instead of overwriting, so two saves in the same second never clobber each
 * other and no partial file ever carries the final name — and the temp name is removed. Where
 * the file system has no hard links the temp file is renamed to the first free name instead.
 */
export function saveImage(opts: SaveImageOptions): { path: string } {
  const format = detectFormat(opts.bytes);
  if (!format) throw new NotAnImageError('unknown format (not PNG, JPEG or WebP)');
  const now = opts.now ?? new Date();
  const bytes = opts.embed
    ? embedMetadata(opts.bytes, opts.params, {
        version: opts.version,
        createdAt: now.toISOString(),
        prng: opts.prng ?? null,
        sigmas: opts.sigmas ?? null,
        modelSha256: opts.modelSha256 ?? null,
      })
    : opts.bytes;
  const { day, stem } = outputName(now, opts.seed);
  const dir = path.join(opts.outputDir, day);
  const ext = EXTENSIONS[format];
  const staging = stagingPath(dir, stem);
  writeFileAtomic(staging, bytes);
  return { path: publishNoOverwrite(staging, dir, stem, `.${ext}`) };
}
