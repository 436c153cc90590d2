// Planted files for the dataset tests: real images (sharp), broken ones built byte by byte,
// and a zip written by hand (stored entries) so that any entry name, `../` included, can
// be planted.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { crc32 } from '../../src-main/metadata/png-chunks';

/** A blocky random pattern (seeded) so that every seed has its own perceptual hash. */
export async function patterned(width: number, height: number, seed: number, format: 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif' = 'jpeg'): Promise<Buffer> {
  let s = seed * 2654435761 >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s & 0xff;
  };
  const small = Buffer.alloc(12 * 12 * 3);
  for (let i = 0; i < small.length; i++) small[i] = rnd();
  const img = sharp(small, { raw: { width: 12, height: 12, channels: 3 } }).resize(width, height, { kernel: 'nearest', fit: 'fill' });
  switch (format) {
    case 'png':
      return img.png().toBuffer();
    case 'webp':
      return img.webp({ quality: 90 }).toBuffer();
    case 'tiff':
      return img.tiff().toBuffer();
    case 'gif':
      return img.gif().toBuffer();
    default:
      return img.jpeg({ quality: 90 }).toBuffer();
  }
}

/** A valid 24-bit BMP (bottom-up rows, padded to 4 bytes). */
export function bmp(width: number, height: number, seed: number): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const data = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const o = y * row + x * 3;
    data[o] = (x * 7 + seed) & 0xff;
    data[o + 1] = (y * 5 + seed * 3) & 0xff;
    data[o + 2] = ((x ^ y) * 3) & 0xff;
  }
  const head = Buffer.alloc(54);
  head.write('BM', 0, 'latin1');
  head.writeUInt32LE(54 + data.length, 2);
  head.writeUInt32LE(54, 10);
  head.writeUInt32LE(40, 14);
  head.writeInt32LE(width, 18);
  head.writeInt32LE(height, 22);
  head.writeUInt16LE(1, 26);
  head.writeUInt16LE(24, 28);
  head.writeUInt32LE(data.length, 34);
  return Buffer.concat([head, data]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const t = Buffer.from(type, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(t, data) >>> 0);
  return Buffer.concat([len, t, data, crc]);
}

/** A PNG whose IHDR claims width×height (8-bit greyscale) with a tiny IDAT: a decompression bomb's header, a few hundred bytes. */
export function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  // One row's worth of zeros compressed: far too little data, but the header is valid.
  const idat = zlib.deflateSync(Buffer.alloc(width + 1));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A zip with stored (or, with `deflate`, deflated) entries, names taken verbatim (UTF-8 flag set). */
export function storedZip(entries: { name: string; data: Buffer; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data) >>> 0;
    const body = e.deflate ? zlib.deflateRawSync(e.data) : e.data;
    const method = e.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export interface Planted {
  dir: string;
  /** Every file planted, relative to `dir`. */
  files: string[];
  /** Images that must end up in the dataset (their final file names). */
  goodImages: string[];
  goodBytes: Buffer;
}

/** The test folder the issue asks for; returns what an import of it must produce. */
export async function plantFolder(root: string): Promise<Planted> {
  const dir = path.join(root, 'planted set');
  fs.mkdirSync(path.join(dir, 'sub folder'), { recursive: true });
  const w = (rel: string, data: Buffer | string) => fs.writeFileSync(path.join(dir, rel), data);
  const good = await patterned(768, 512, 1);
  w('good1.jpg', good);
  w('good1.txt', '\ufeffa cat, sitting, window');
  w('ünïcødé 猫 it\'s "quoted".png', await patterned(640, 640, 2, 'png'));
  w('ünïcødé 猫 it\'s "quoted".txt', 'a cat, sleeping');
  w('space name.webp', await patterned(1024, 1024, 3, 'webp'));
  w('sub folder/deep.jpg', await patterned(1024, 768, 4));
  w('sub folder/deep.txt', 'a dog, running');
  // Corrupt JPEG: a real header, then the entropy-coded data replaced by a bogus marker soup.
  const real = await patterned(256, 256, 5);
  const sos = real.indexOf(Buffer.from([0xff, 0xda]));
  w('corrupt.jpg', Buffer.concat([real.subarray(0, sos + 20), Buffer.alloc(400, 0xff), Buffer.from([0xff, 0xd9])]));
  const png = await patterned(512, 512, 6, 'png');
  w('truncated.png', png.subarray(0, Math.floor(png.length * 0.6)));
  w('zero.jpg', Buffer.alloc(0));
  w('notes.jpg', 'this is a text file renamed to .jpg\nsecond line\n');
  w('bomb.png', bombPng(20000, 20000));
  w('good1_dup.jpg', good);
  w('orphan.txt', 'a caption nobody uses');
  w('anim.gif', await patterned(300, 300, 7, 'gif'));
  w('old.bmp', bmp(320, 240, 8));
  w('scan.tiff', await patterned(400, 400, 9, 'tiff'));
  // An HEIC header (ftyp heic) over junk: prebuilt sharp has no HEVC decoder, so it is refused with that reason.
  w('iphone.heic', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(200, 0x42)]));
  w('phone.avif', await sharp(await patterned(96, 128, 15, 'png')).avif({ quality: 60, effort: 0 }).toBuffer());
  w('small.jpg', await patterned(300, 300, 10));
  w('panorama.jpg', await patterned(1800, 400, 11));
  // A near-duplicate of good1: the same picture, re-encoded slightly brighter.
  w('good1 copy edited.jpg', await sharp(good).modulate({ brightness: 1.02 }).jpeg({ quality: 85 }).toBuffer());
  w('.DS_Store', Buffer.from([0, 0, 0, 1, 66, 117, 100, 49]));
  const zipped = await patterned(512, 768, 12);
  w(
    'bundle.zip',
    storedZip([
      { name: '../escape.jpg', data: await patterned(64, 64, 13) },
      { name: '/abs.jpg', data: await patterned(64, 64, 14) },
      { name: 'inner/zipped.jpg', data: zipped },
      { name: 'inner/zipped.txt', data: Buffer.from('from the zip') },
      // 32 MiB of zeros deflated to ~32 KiB: over the ratio cap, refused before inflating.
      { name: 'inner/bomb.png', data: Buffer.alloc(32 * 1024 * 1024), deflate: true },
    ]),
  );
  const files: string[] = [];
  const walk = (d: string, base: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const rel = base ? `${base}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), rel);
      else files.push(rel);
    }
  };
  walk(dir, '');
  return {
    dir,
    files,
    goodImages: ['good1.jpg', 'ünïcødé 猫 it\'s "quoted".png', 'space name.webp', 'deep.jpg', 'anim.png', 'old.png', 'scan.png', 'small.jpg', 'panorama.jpg', 'good1 copy edited.jpg', 'zipped.jpg', 'phone.jpg'],
    goodBytes: good,
  };
}
