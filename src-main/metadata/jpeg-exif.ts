// JPEG: segments up to SOS, the Exif APP1 ("Exif\0\0" + TIFF) in and out, and the frame size.
import { NotAnImageError } from './errors';
import { readExifTiff, type ExifTexts } from './exif-tiff';

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
/** An APP1 segment's payload is at most 65533 bytes (the 2-byte length counts itself). */
export const MAX_APP1_PAYLOAD = 0xffff - 2;

export interface JpegSegment {
  marker: number;
  /** The whole segment, marker bytes included. */
  bytes: Buffer;
  /** The payload after the length field (empty for markers without one). */
  payload: Buffer;
}

export interface ParsedJpeg {
  /** Segments between SOI and SOS (SOS excluded). */
  segments: JpegSegment[];
  /** From SOS to the end of the file, verbatim. */
  rest: Buffer;
  width: number;
  height: number;
}

export function isJpeg(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Throws NotAnImageError for a non-JPEG, a file cut short before or inside the scan data (no EOI), or one without a frame header. */
export function parseJpeg(bytes: Buffer): ParsedJpeg {
  if (!isJpeg(bytes)) throw new NotAnImageError('not a JPEG (no SOI marker)');
  const segments: JpegSegment[] = [];
  let pos = 2;
  let width = 0;
  let height = 0;
  let sofSeen = false;
  for (;;) {
    if (pos >= bytes.length) throw new NotAnImageError('truncated JPEG (ends before the image data)');
    if (bytes[pos] !== 0xff) throw new NotAnImageError(`corrupt JPEG (expected a marker at byte ${pos})`);
    let m = pos + 1;
    while (m < bytes.length && bytes[m] === 0xff) m++; // fill bytes
    if (m >= bytes.length) throw new NotAnImageError('truncated JPEG (ends in a marker)');
    const marker = bytes[m]!;
    const start = m - 1;
    if (marker === 0xda) {
      if (!sofSeen) throw new NotAnImageError('corrupt JPEG (scan data before a frame header)');
      const rest = bytes.subarray(start);
      const eoi = rest.lastIndexOf(Buffer.from([0xff, 0xd9]));
      if (eoi < 4) throw new NotAnImageError('truncated JPEG (no end-of-image marker)');
      return { segments, rest, width, height };
    }
    if (marker === 0xd9) throw new NotAnImageError('corrupt JPEG (end of image before any scan data)');
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      segments.push({ marker, bytes: bytes.subarray(start, m + 1), payload: Buffer.alloc(0) });
      pos = m + 1;
      continue;
    }
    if (m + 3 > bytes.length) throw new NotAnImageError('truncated JPEG (segment header cut off)');
    const len = bytes.readUInt16BE(m + 1);
    if (len < 2 || m + 1 + len > bytes.length) throw new NotAnImageError(`truncated JPEG (segment 0x${marker.toString(16)} runs past the end)`);
    const payload = bytes.subarray(m + 3, m + 1 + len);
    if (SOF_MARKERS.has(marker)) {
      if (payload.length < 5) throw new NotAnImageError('corrupt JPEG (short frame header)');
      height = payload.readUInt16BE(1);
      width = payload.readUInt16BE(3);
      sofSeen = true;
    }
    segments.push({ marker, bytes: bytes.subarray(start, m + 1 + len), payload });
    pos = m + 1 + len;
  }
}

function isExifApp1(s: JpegSegment): boolean {
  return s.marker === 0xe1 && s.payload.length >= 6 && s.payload.subarray(0, 6).equals(EXIF_HEADER);
}

/** UserComment and our MakerNote from the first Exif APP1 (all null when there is none). */
export function readJpegExif(parsed: ParsedJpeg): ExifTexts {
  const app1 = parsed.segments.find(isExifApp1);
  return app1 ? readExifTiff(app1.payload) : { userComment: null, studioJson: null };
}

/**
 * The JPEG with its Exif APP1 replaced by one holding `tiff` (or removed when `tiff` is null),
 * placed right after SOI and any leading APP0 (JFIF/JFXX) segments. Everything else is kept.
 */
export function writeJpegExif(bytes: Buffer, tiff: Buffer | null): Buffer {
  const parsed = parseJpeg(bytes);
  if (tiff && EXIF_HEADER.length + tiff.length > MAX_APP1_PAYLOAD) throw new RangeError('EXIF block too large for one JPEG APP1 segment');
  const kept = parsed.segments.filter((s) => !isExifApp1(s));
  let at = 0;
  while (at < kept.length && kept[at]!.marker === 0xe0) at++;
  const added: Buffer[] = [];
  if (tiff) {
    const head = Buffer.from([0xff, 0xe1, 0, 0]);
    head.writeUInt16BE(2 + EXIF_HEADER.length + tiff.length, 2);
    added.push(head, EXIF_HEADER, tiff);
  }
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    ...kept.slice(0, at).map((s) => s.bytes),
    ...added,
    ...kept.slice(at).map((s) => s.bytes),
    parsed.rest,
  ]);
}
