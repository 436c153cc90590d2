// WebP: RIFF chunks, the canvas size, and the EXIF chunk. A simple (VP8 / VP8L) file is
// converted to the extended format (a VP8X chunk first, holding the canvas size and the
// feature flags) so it can carry EXIF; the RIFF size is recomputed.
import { NotAnImageError } from './errors';
import { readExifTiff, type ExifTexts } from './exif-tiff';

export interface RiffChunk {
  fourcc: string;
  data: Buffer;
}

export interface ParsedWebp {
  chunks: RiffChunk[];
  width: number;
  height: number;
}

const FLAG_ICC = 0x20;
const FLAG_ALPHA = 0x10;
const FLAG_EXIF = 0x08;
const FLAG_XMP = 0x04;
const FLAG_ANIM = 0x02;

export function isWebp(bytes: Buffer): boolean {
  return bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP';
}

function vp8Size(d: Buffer): { width: number; height: number } {
  if (d.length < 10 || d[3] !== 0x9d || d[4] !== 0x01 || d[5] !== 0x2a) throw new NotAnImageError('corrupt WebP (bad VP8 frame header)');
  return { width: d.readUInt16LE(6) & 0x3fff, height: d.readUInt16LE(8) & 0x3fff };
}

function vp8lInfo(d: Buffer): { width: number; height: number; alpha: boolean } {
  if (d.length < 5 || d[0] !== 0x2f) throw new NotAnImageError('corrupt WebP (bad VP8L header)');
  const bits = d.readUInt32LE(1);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 };
}

export function parseWebp(bytes: Buffer): ParsedWebp {
  if (!isWebp(bytes)) throw new NotAnImageError('not a WebP (no RIFF/WEBP header)');
  const riffEnd = 8 + bytes.readUInt32LE(4);
  if (riffEnd > bytes.length) throw new NotAnImageError('truncated WebP (file shorter than its RIFF size)');
  const chunks: RiffChunk[] = [];
  let pos = 12;
  while (pos + 8 <= riffEnd) {
    const fourcc = bytes.toString('latin1', pos, pos + 4);
    const len = bytes.readUInt32LE(pos + 4);
    if (pos + 8 + len > riffEnd) throw new NotAnImageError(`truncated WebP (chunk ${JSON.stringify(fourcc)} runs past the end)`);
    chunks.push({ fourcc, data: bytes.subarray(pos + 8, pos + 8 + len) });
    pos += 8 + len + (len % 2);
  }
  const first = chunks[0];
  if (!first) throw new NotAnImageError('corrupt WebP (no chunks)');
  let size: { width: number; height: number };
  if (first.fourcc === 'VP8X') {
    if (first.data.length < 10) throw new NotAnImageError('corrupt WebP (short VP8X chunk)');
    size = { width: first.data.readUIntLE(4, 3) + 1, height: first.data.readUIntLE(7, 3) + 1 };
    if (!chunks.some((c) => c.fourcc === 'VP8 ' || c.fourcc === 'VP8L' || c.fourcc === 'ANMF')) throw new NotAnImageError('corrupt WebP (no image data)');
  } else if (first.fourcc === 'VP8 ') {
    size = vp8Size(first.data);
  } else if (first.fourcc === 'VP8L') {
    size = vp8lInfo(first.data);
  } else {
    throw new NotAnImageError(`corrupt WebP (unexpected first chunk ${JSON.stringify(first.fourcc)})`);
  }
  return { chunks, ...size };
}

export function readWebpExif(parsed: ParsedWebp): ExifTexts {
  const exif = parsed.chunks.find((c) => c.fourcc === 'EXIF');
  return exif ? readExifTiff(exif.data) : { userComment: null, studioJson: null };
}

export function encodeWebp(chunks: RiffChunk[]): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.write(c.fourcc, 0, 'latin1');
    head.writeUInt32LE(c.data.length, 4);
    parts.push(head, c.data);
    if (c.data.length % 2) parts.push(Buffer.from([0]));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + body.length, 4);
  head.write('WEBP', 8, 'latin1');
  return Buffer.concat([head, body]);
}

/**
 * The WebP with its EXIF chunk replaced by one holding `tiff` (removed when null): the chunk
 * goes after the image data and before any XMP chunk, as the container spec orders them, and
 * VP8X's EXIF flag follows. A simple-format file gains a VP8X chunk first.
 */
export function writeWebpExif(bytes: Buffer, tiff: Buffer | null): Buffer {
  const parsed = parseWebp(bytes);
  let chunks = parsed.chunks.filter((c) => c.fourcc !== 'EXIF');
  let vp8x = chunks[0]!.fourcc === 'VP8X' ? Buffer.from(chunks[0]!.data) : null;
  if (!vp8x) {
    vp8x = Buffer.alloc(10);
    let flags = 0;
    if (chunks.some((c) => c.fourcc === 'VP8L' && vp8lInfo(c.data).alpha)) flags |= FLAG_ALPHA;
    if (chunks.some((c) => c.fourcc === 'ALPH')) flags |= FLAG_ALPHA;
    if (chunks.some((c) => c.fourcc === 'ICCP')) flags |= FLAG_ICC;
    if (chunks.some((c) => c.fourcc === 'XMP ')) flags |= FLAG_XMP;
    if (chunks.some((c) => c.fourcc === 'ANIM')) flags |= FLAG_ANIM;
    vp8x[0] = flags;
    vp8x.writeUIntLE(parsed.width - 1, 4, 3);
    vp8x.writeUIntLE(parsed.height - 1, 7, 3);
  } else {
    chunks = chunks.slice(1);
  }
  vp8x[0] = tiff ? vp8x[0]! | FLAG_EXIF : vp8x[0]! & ~FLAG_EXIF;
  if (tiff) {
    const xmp = chunks.findIndex((c) => c.fourcc === 'XMP ');
    const at = xmp < 0 ? chunks.length : xmp;
    chunks = [...chunks.slice(0, at), { fourcc: 'EXIF', data: tiff }, ...chunks.slice(at)];
  }
  return encodeWebp([{ fourcc: 'VP8X', data: vp8x }, ...chunks]);
}
