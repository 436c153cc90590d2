// What a dropped file really is, decided from its bytes (never its extension), and whether
// it is a usable training image: the header is read first so that a decompression bomb is
// refused before any pixel is decoded, then the whole image is decoded (a truncated or
// corrupt file fails here, not in the middle of a training run) while computing a 64-bit
// difference hash and a colour signature for near-duplicate detection (warnings.ts).
import { sha256 } from '../core/hash';
import sharp from 'sharp';
import { decodeBmp, readBmpHeader } from './bmp';

/** Decompression-bomb guard: refuse images over 100 megapixels before decoding them. */
export const MAX_PIXELS = 100_000_000;
/** …and any side over 20,000 px (a 20000×5000 strip is fine by area but useless here). */
export const MAX_SIDE = 20_000;
/** Files over this are not read at all. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

export type SniffedKind = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff' | 'avif' | 'heic' | 'zip' | 'text' | 'unknown';

/** Formats ai-toolkit trains on as they are. */
export const TRAINABLE: ReadonlySet<SniffedKind> = new Set(['jpeg', 'png', 'webp']);
/** Formats converted on import (when this sharp build decodes them). */
export const CONVERTIBLE: ReadonlySet<SniffedKind> = new Set(['gif', 'bmp', 'tiff', 'avif', 'heic']);

export function sniff(head: Buffer): SniffedKind {
  const at = (i: number, bytes: readonly number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'webp';
  if (at(0, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (at(0, [0x42, 0x4d]) && head.length >= 26) return 'bmp';
  if (at(0, [0x49, 0x49, 0x2a, 0x00]) || at(0, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (at(4, [0x66, 0x74, 0x79, 0x70])) {
    const brand = head.subarray(8, 12).toString('latin1');
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1', 'heim', 'heis'].includes(brand)) return 'heic';
    return 'unknown';
  }
  if (at(0, [0x50, 0x4b, 0x03, 0x04]) || at(0, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (looksLikeText(head)) return 'text';
  return 'unknown';
}

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  const sample = head.subarray(0, 512);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return control / sample.length < 0.05;
}

export interface InspectedImage {
  kind: SniffedKind;
  /** Size after EXIF rotation (what ai-toolkit buckets). */
  width: number;
  height: number;
  /** 64-bit difference hash, 16 hex digits. */
  dhash: string;
  /** Mean R, G, B of the four quarters, 24 hex digits (dHash sees brightness only). */
  colour: string;
  sha256: string;
  animated: boolean;
  hasAlpha: boolean;
}

export type InspectResult = { ok: true; image: InspectedImage } | { ok: false; reason: string };


/** Checks a file's bytes as a training image; never throws for bad input. */
export async function inspectImage(bytes: Buffer): Promise<InspectResult> {
  if (bytes.length === 0) return { ok: false, reason: 'empty file (0 bytes)' };
  const kind = sniff(bytes.subarray(0, 64));
  if (kind === 'zip') return { ok: false, reason: 'a zip archive inside the import (nested archives are not opened)' };
  if (kind === 'text') return { ok: false, reason: 'not an image (the content is text)' };
  if (kind === 'unknown') return { ok: false, reason: 'not an image (unrecognised content)' };
  if (kind === 'bmp') {
    const h = readBmpHeader(bytes);
    if (!h) return { ok: false, reason: 'corrupt image: cannot read the BMP header' };
    const tooBig = pixelLimitReason(h.width, h.height);
    if (tooBig) return { ok: false, reason: tooBig };
    const dec = decodeBmp(bytes);
    if (!dec.ok) return dec;
    const sig = await signatures(sharp(dec.data, { raw: { width: dec.width, height: dec.height, channels: dec.channels } }));
    return { ok: true, image: { kind, width: dec.width, height: dec.height, ...sig, sha256: sha256(bytes), animated: false, hasAlpha: dec.channels === 4 } };
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (err) {
    if (kind === 'heic') return { ok: false, reason: 'HEIC cannot be decoded by this build; convert it to JPEG first' };
    return { ok: false, reason: describeDecodeError(err, 'cannot read the image header', endsEarly(bytes, kind)) };
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w <= 0 || h <= 0) return { ok: false, reason: 'cannot read the image size' };
  const tooBig = pixelLimitReason(w, h);
  if (tooBig) return { ok: false, reason: tooBig };
  const rotated = (meta.orientation ?? 1) >= 5;
  let sig: { dhash: string; colour: string };
  try {
    // Decodes every pixel of the first frame; any decoder warning (corrupt entropy data,
    // premature end, bad CRC) counts as a failure: a training set wants clean files.
    sig = await signatures(sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'warning', pages: 1 }).rotate());
  } catch (err) {
    return { ok: false, reason: describeDecodeError(err, 'cannot decode the image', endsEarly(bytes, kind)) };
  }
  return {
    ok: true,
    image: {
      kind,
      width: rotated ? h : w,
      height: rotated ? w : h,
      ...sig,
      sha256: sha256(bytes),
      animated: (meta.pages ?? 1) > 1,
      hasAlpha: meta.hasAlpha === true,
    },
  };
}

function pixelLimitReason(w: number, h: number): string | null {
  if (w * h > MAX_PIXELS || w > MAX_SIDE || h > MAX_SIDE) {
    return `image too large: ${w}×${h} (${((w * h) / 1e6).toFixed(0)} MP) is over the ${MAX_PIXELS / 1e6} MP / ${MAX_SIDE} px limit (decompression-bomb guard); refused without decoding`;
  }
  return null;
}

/** 9×8 greyscale pixels → 64 bits (each pixel brighter than its right neighbour), hex. */
/** dHash and colour signature from one decode, shrunk to 9×8 RGB (transparency over white). */
async function signatures(image: sharp.Sharp): Promise<{ dhash: string; colour: string }> {
  const { data, info } = await image
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(9, 8, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  const px = (x: number, y: number, c: number) => data[(y * 9 + x) * ch + Math.min(c, ch - 1)] ?? 0;
  const grey = Buffer.alloc(72);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 9; x++) grey[y * 9 + x] = Math.round(0.299 * px(x, y, 0) + 0.587 * px(x, y, 1) + 0.114 * px(x, y, 2));
  return { dhash: differenceHash(grey), colour: colourSignature(px) };
}

/** Mean R, G, B of each quarter of the 9×8 grid (columns 0–4 | 4–8, rows 0–3 | 4–7), as hex. */
function colourSignature(px: (x: number, y: number, c: number) => number): string {
  let hex = '';
  for (const [x0, x1, y0, y1] of [
    [0, 4, 0, 3],
    [4, 8, 0, 3],
    [0, 4, 4, 7],
    [4, 8, 4, 7],
  ] as const) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      let n = 0;
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++, n++) sum += px(x, y, c);
      hex += Math.round(sum / n).toString(16).padStart(2, '0');
    }
  }
  return hex;
}

export function differenceHash(grey: Buffer): string {
  let hex = '';
  for (let y = 0; y < 8; y++) {
    let byte = 0;
    for (let x = 0; x < 8; x++) {
      const a = grey[y * 9 + x] ?? 0;
      const b = grey[y * 9 + x + 1] ?? 0;
      byte = (byte << 1) | (a > b ? 1 : 0);
    }
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

const POPCOUNT = Array.from({ length: 256 }, (_, i) => {
  let c = 0;
  for (let v = i; v; v >>= 1) c += v & 1;
  return c;
});

export function hammingHex(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i += 2) {
    d += POPCOUNT[parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16)] ?? 0;
  }
  return d;
}

/** Converts a decodable non-trainable image (first frame) to PNG (alpha or lossless source) or JPEG. */
export async function convertImage(bytes: Buffer, image: InspectedImage): Promise<{ data: Buffer; ext: '.png' | '.jpg' }> {
  let base: sharp.Sharp;
  if (image.kind === 'bmp') {
    const dec = decodeBmp(bytes);
    if (!dec.ok) throw new Error(dec.reason);
    base = sharp(dec.data, { raw: { width: dec.width, height: dec.height, channels: dec.channels } });
  } else {
    base = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'warning', pages: 1 }).rotate();
  }
  const lossy = image.kind === 'avif' || image.kind === 'heic';
  if (lossy && !image.hasAlpha) return { data: await base.jpeg({ quality: 95, mozjpeg: true }).toBuffer(), ext: '.jpg' };
  return { data: await base.png({ compressionLevel: 6 }).toBuffer(), ext: '.png' };
}

/**
 * Whether the file stops before its format's end marker (PNG IEND, JPEG EOI, WebP's RIFF
 * size, GIF trailer). libvips words a truncation differently by format and, with several
 * decodes at once, sometimes only as "Warning treated as error": the bytes decide instead.
 */
function endsEarly(bytes: Buffer, kind: string): boolean {
  const tail = bytes.subarray(Math.max(0, bytes.length - 16));
  switch (kind) {
    case 'png':
      return !tail.includes(Buffer.from('IEND', 'latin1'));
    case 'jpeg':
      return !tail.includes(Buffer.from([0xff, 0xd9]));
    case 'webp':
      return bytes.length < 12 || bytes.readUInt32LE(4) + 8 > bytes.length;
    case 'gif':
      return bytes[bytes.length - 1] !== 0x3b;
    default:
      return false;
  }
}

function describeDecodeError(err: unknown, prefix: string, truncated = false): string {
  const raw = err instanceof Error ? err.message : String(err);
  const line = (raw.split('\n').find((l) => l.trim() !== '') ?? raw).trim().slice(0, 160);
  if (/pixel limit/i.test(raw)) return `image too large (over ${MAX_PIXELS / 1e6} MP)`;
  if (truncated || /premature end|truncated|unexpected end|out of data|not enough data|short read|read error|end of stream/i.test(raw)) return `truncated or partial file (${line})`;
  if (/unsupported image format/i.test(raw)) return 'not an image (unsupported or unrecognised format)';
  return `corrupt image: ${prefix} (${line})`;
}
