// Byte-by-byte builders for files "other tools" write, straight from the format descriptions
// (independent of the code under test: CRCs come from node:zlib).
import zlib from 'node:zlib';
import sharp from 'sharp';

export async function basePng(width = 16, height = 12): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } }).png().toBuffer();
}
export async function baseJpeg(width = 16, height = 12): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 20, g: 130, b: 90 } } }).jpeg().toBuffer();
}
export async function baseWebp(width = 16, height = 12, lossless = false): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 20, g: 30, b: 190 } } }).webp({ lossless }).toBuffer();
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const t = Buffer.from(type, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([t, data])) >>> 0);
  return Buffer.concat([len, t, data, crc]);
}

/** Insert raw chunks right after IHDR (signature 8 + IHDR 25 bytes). */
export function insertAfterIhdr(png: Buffer, ...chunks: Buffer[]): Buffer {
  return Buffer.concat([png.subarray(0, 33), ...chunks, png.subarray(33)]);
}

export const tEXt = (k: string, v: string) => pngChunk('tEXt', Buffer.concat([Buffer.from(k, 'latin1'), Buffer.from([0]), Buffer.from(v, 'latin1')]));
export const zTXt = (k: string, v: string) =>
  pngChunk('zTXt', Buffer.concat([Buffer.from(k, 'latin1'), Buffer.from([0, 0]), zlib.deflateSync(Buffer.from(v, 'latin1'))]));
export const iTXt = (k: string, v: string, compressed = false) =>
  pngChunk(
    'iTXt',
    Buffer.concat([
      Buffer.from(k, 'latin1'),
      Buffer.from([0, compressed ? 1 : 0, 0]),
      Buffer.from('en\0', 'latin1'),
      Buffer.from('Parameters\0', 'utf8'),
      compressed ? zlib.deflateSync(Buffer.from(v, 'utf8')) : Buffer.from(v, 'utf8'),
    ]),
  );

/** TIFF with IFD0 → ExifIFD → UserComment, in the given byte order; `comment` is the raw UserComment value. */
export function tiffWithUserComment(comment: Buffer, little: boolean): Buffer {
  const b = Buffer.alloc(8 + 18 + 18 + comment.length);
  const u16 = (v: number, o: number) => (little ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const u32 = (v: number, o: number) => (little ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  b.write(little ? 'II' : 'MM', 0, 'latin1');
  u16(42, 2);
  u32(8, 4);
  u16(1, 8); // IFD0: 1 entry
  u16(0x8769, 10);
  u16(4, 12);
  u32(1, 14);
  u32(26, 18);
  u32(0, 22);
  u16(1, 26); // ExifIFD: 1 entry
  u16(0x9286, 28);
  u16(7, 30);
  u32(comment.length, 32);
  u32(44, 36);
  u32(0, 40);
  comment.copy(b, 44);
  return b;
}

export function utf16(text: string, little: boolean): Buffer {
  const le = Buffer.from(text, 'utf16le');
  return little ? le : Buffer.from(le).swap16();
}

/** A JPEG with an Exif APP1 (built by hand) inserted after SOI. */
export function jpegWithExif(jpeg: Buffer, tiff: Buffer): Buffer {
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)]);
}

/** A WebP (simple VP8) rebuilt as extended: VP8X (EXIF flag) + image chunk + EXIF chunk. */
export function webpWithExif(webp: Buffer, width: number, height: number, exifPayload: Buffer): Buffer {
  const image = webp.subarray(12); // the one image chunk of a simple file
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x[8] = 0x08;
  vp8x.writeUIntLE(width - 1, 12, 3);
  vp8x.writeUIntLE(height - 1, 15, 3);
  const exifHead = Buffer.alloc(8);
  exifHead.write('EXIF', 0, 'latin1');
  exifHead.writeUInt32LE(exifPayload.length, 4);
  const pad = exifPayload.length % 2 ? Buffer.from([0]) : Buffer.alloc(0);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, image, exifHead, exifPayload, pad]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}
