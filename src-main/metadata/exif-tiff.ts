// The EXIF block shared by JPEG (APP1 "Exif\0\0" + TIFF) and WebP (EXIF chunk = TIFF):
// IFD0 → ExifIFD pointer (0x8769) → UserComment (0x9286) and MakerNote (0x927C).
//
// UserComment is what A1111 writes for JPEG/WebP: piexif.helper.UserComment.dump(text,
// encoding="unicode") = 8-byte "UNICODE\0" prefix + UTF-16 **big-endian** (piexif's
// _UNICODE = 'utf_16_be'), in a big-endian ("MM") TIFF as piexif.dump makes. We write exactly
// that. Other tools write the UTF-16 in the TIFF's byte order (exiftool) or with a BOM, so
// the reader takes a BOM first, then guesses the order from where the zero bytes of ASCII
// characters fall, then falls back to the TIFF's byte order. "ASCII\0\0\0" (and an
// undefined/zero prefix holding UTF-8) are read too.
//
// The studio's own JSON record goes in MakerNote (0x927C, UNDEFINED) of the same ExifIFD:
// "flux-studio\0" + UTF-8 JSON. MakerNote is the EXIF tag reserved for opaque
// writer-specific bytes, so readers and viewers do not try to display or reinterpret it;
// Fooocus uses the same tag for its metadata scheme; it lives in the one EXIF block we
// write, so the A1111 text and the record can never get out of step.

export const TAG_EXIF_IFD = 0x8769;
export const TAG_USER_COMMENT = 0x9286;
export const TAG_MAKER_NOTE = 0x927c;
export const MAKER_NOTE_MAGIC = Buffer.from('flux-studio\0', 'latin1');

const UNICODE_PREFIX = Buffer.from('UNICODE\0', 'latin1');
const ASCII_PREFIX = Buffer.from('ASCII\0\0\0', 'latin1');
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

export interface ExifTexts {
  /** UserComment decoded to text (null when absent or undecodable). */
  userComment: string | null;
  /** The studio JSON from MakerNote (null when absent or not ours). */
  studioJson: string | null;
}

export function encodeUserComment(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return Buffer.concat([UNICODE_PREFIX, be]);
}

function swap16(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length - (b.length % 2));
  for (let i = 0; i + 1 < b.length; i += 2) {
    out[i] = b[i + 1]!;
    out[i + 1] = b[i]!;
  }
  return out;
}

export function decodeUserComment(value: Buffer, tiffLittleEndian: boolean): string | null {
  if (value.length < 8) return null;
  const prefix = value.subarray(0, 8);
  let body = value.subarray(8);
  if (prefix.equals(UNICODE_PREFIX)) {
    let little: boolean;
    if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) {
      little = false;
      body = body.subarray(2);
    } else if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) {
      little = true;
      body = body.subarray(2);
    } else {
      let zeroEven = 0;
      let zeroOdd = 0;
      for (let i = 0; i + 1 < body.length; i += 2) {
        if (body[i] === 0 && body[i + 1] !== 0) zeroEven++;
        if (body[i + 1] === 0 && body[i] !== 0) zeroOdd++;
      }
      little = zeroEven === zeroOdd ? tiffLittleEndian : zeroOdd > zeroEven;
    }
    const text = (little ? body.subarray(0, body.length - (body.length % 2)) : swap16(body)).toString('utf16le');
    return text.replace(/\0+$/, '');
  }
  if (prefix.equals(ASCII_PREFIX)) return body.toString('latin1').replace(/\0+$/, '');
  if (prefix.every((b) => b === 0 || b === 0x20)) {
    const t = body.toString('utf8').replace(/\0+$/, '');
    return t.trim() === '' ? null : t;
  }
  return null;
}

interface Entry {
  tag: number;
  type: number;
  value: Buffer;
}

/** A big-endian TIFF with IFD0 holding only the ExifIFD pointer, and the ExifIFD holding `entries` (sorted by tag). */
function buildTiff(exifEntries: Entry[]): Buffer {
  const entries = [...exifEntries].sort((a, b) => a.tag - b.tag);
  const header = Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08]);
  const ifd0Size = 2 + 12 + 4;
  const exifIfdOffset = 8 + ifd0Size;
  const exifIfdSize = 2 + 12 * entries.length + 4;
  let dataOffset = exifIfdOffset + exifIfdSize;
  const ifd0 = Buffer.alloc(ifd0Size);
  ifd0.writeUInt16BE(1, 0);
  ifd0.writeUInt16BE(TAG_EXIF_IFD, 2);
  ifd0.writeUInt16BE(4, 4); // LONG
  ifd0.writeUInt32BE(1, 6);
  ifd0.writeUInt32BE(exifIfdOffset, 10);
  ifd0.writeUInt32BE(0, 14); // no IFD1
  const exifIfd = Buffer.alloc(exifIfdSize);
  exifIfd.writeUInt16BE(entries.length, 0);
  const data: Buffer[] = [];
  entries.forEach((e, i) => {
    const at = 2 + 12 * i;
    const size = TYPE_SIZES[e.type] ?? 1;
    exifIfd.writeUInt16BE(e.tag, at);
    exifIfd.writeUInt16BE(e.type, at + 2);
    exifIfd.writeUInt32BE(e.value.length / size, at + 4);
    if (e.value.length <= 4) {
      e.value.copy(exifIfd, at + 8);
    } else {
      exifIfd.writeUInt32BE(dataOffset, at + 8);
      const padded = e.value.length % 2 ? Buffer.concat([e.value, Buffer.from([0])]) : e.value;
      data.push(padded);
      dataOffset += padded.length;
    }
  });
  exifIfd.writeUInt32BE(0, 2 + 12 * entries.length);
  return Buffer.concat([header, ifd0, exifIfd, ...data]);
}

/** The TIFF for our EXIF: UserComment = A1111 parameters; MakerNote = studio JSON (either may be null). */
export function buildExifTiff(parameters: string | null, studioJson: string | null): Buffer {
  const entries: Entry[] = [];
  if (parameters !== null) entries.push({ tag: TAG_USER_COMMENT, type: 7, value: encodeUserComment(parameters) });
  if (studioJson !== null) entries.push({ tag: TAG_MAKER_NOTE, type: 7, value: Buffer.concat([MAKER_NOTE_MAGIC, Buffer.from(studioJson, 'utf8')]) });
  return buildTiff(entries);
}

/** Read UserComment and our MakerNote from a TIFF (with or without an "Exif\0\0" prefix). Never throws. */
export function readExifTiff(input: Buffer): ExifTexts {
  const none: ExifTexts = { userComment: null, studioJson: null };
  try {
    let tiff = input;
    if (tiff.length >= 6 && tiff.subarray(0, 6).toString('latin1') === 'Exif\0\0') tiff = tiff.subarray(6);
    if (tiff.length < 8) return none;
    const order = tiff.subarray(0, 2).toString('latin1');
    if (order !== 'II' && order !== 'MM') return none;
    const le = order === 'II';
    const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
    const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
    if (u16(2) !== 42) return none;
    const readIfd = (offset: number): Entry[] => {
      if (offset < 8 || offset + 2 > tiff.length) return [];
      const n = u16(offset);
      const out: Entry[] = [];
      for (let i = 0; i < n; i++) {
        const at = offset + 2 + 12 * i;
        if (at + 12 > tiff.length) break;
        const type = u16(at + 2);
        const count = u32(at + 4);
        const size = (TYPE_SIZES[type] ?? 1) * count;
        if (size > tiff.length) continue;
        const start = size <= 4 ? at + 8 : u32(at + 8);
        if (start + size > tiff.length) continue;
        out.push({ tag: u16(at), type, value: tiff.subarray(start, start + size) });
      }
      return out;
    };
    const ifd0 = readIfd(u32(4));
    const ptr = ifd0.find((e) => e.tag === TAG_EXIF_IFD);
    if (!ptr || ptr.value.length < 4) return none;
    const exif = readIfd(le ? ptr.value.readUInt32LE(0) : ptr.value.readUInt32BE(0));
    const uc = exif.find((e) => e.tag === TAG_USER_COMMENT);
    const mn = exif.find((e) => e.tag === TAG_MAKER_NOTE);
    return {
      userComment: uc ? decodeUserComment(uc.value, le) : null,
      studioJson:
        mn && mn.value.length > MAKER_NOTE_MAGIC.length && mn.value.subarray(0, MAKER_NOTE_MAGIC.length).equals(MAKER_NOTE_MAGIC)
          ? mn.value.subarray(MAKER_NOTE_MAGIC.length).toString('utf8')
          : null,
    };
  } catch {
    return none;
  }
}
