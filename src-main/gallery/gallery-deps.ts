// What the gallery needs from its neighbours: a parameter reader (src-main/metadata) and a
// thumbnail maker (src-main/gallery/thumbnails). The gallery codes against these shapes;
// studio.ts hands in the real ones. The basic implementations below are small stand-ins
// that keep the gallery working where the real ones are not wired: they read no
// parameters, and make thumbnails with sharp on the calling thread.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ImageParameters } from '@shared/contract';
import { EMPTY_PARAMETERS } from './index-repo';

/** Reads generation parameters from image bytes; throws (an error named NotAnImageError, with a reason) on broken files. */
export type ParameterReader = (bytes: Buffer) => ImageParameters;

export type ThumbResult = { small: string; large: string } | { broken: string };

export interface Thumbnailer {
  /** Paths returned are relative to the thumbs folder. */
  ensure(contentHash: string, filePath: string): Promise<ThumbResult>;
  close(): Promise<void>;
}

export class BasicNotAnImageError extends Error {
  constructor(readonly reason: string) {
    super(`not an image: ${reason}`);
    this.name = 'NotAnImageError';
  }
}

const MAGIC: { fmt: string; test: (b: Buffer) => boolean }[] = [
  { fmt: 'jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { fmt: 'png', test: (b) => b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { fmt: 'webp', test: (b) => b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
];

/** Stand-in reader: recognises the file type and reads no parameters. */
export const basicReadParameters: ParameterReader = (bytes) => {
  if (!MAGIC.some((m) => m.test(bytes))) throw new BasicNotAnImageError('not a JPEG, PNG or WebP file');
  return { ...EMPTY_PARAMETERS, loras: [] };
};

/** Stand-in thumbnailer: WebP at 256 and 1024 px, cached by content hash. */
export class BasicThumbnailer implements Thumbnailer {
  constructor(private readonly thumbsDir: string) {}

  async ensure(contentHash: string, filePath: string): Promise<ThumbResult> {
    const shard = contentHash.slice(0, 2);
    const small = path.join(shard, `${contentHash}-256.webp`);
    const large = path.join(shard, `${contentHash}-1024.webp`);
    if (fs.existsSync(path.join(this.thumbsDir, small)) && fs.existsSync(path.join(this.thumbsDir, large))) return { small, large };
    try {
      fs.mkdirSync(path.join(this.thumbsDir, shard), { recursive: true });
      const decoded = await sharp(filePath, { failOn: 'truncated' }).rotate().raw().toBuffer({ resolveWithObject: true });
      const raw = { raw: { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels } };
      for (const [rel, size] of [
        [small, 256],
        [large, 1024],
      ] as const) {
        const tmp = path.join(this.thumbsDir, `${rel}.${process.pid}.tmp`);
        await sharp(decoded.data, raw).resize(size, size, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toFile(tmp);
        fs.renameSync(tmp, path.join(this.thumbsDir, rel));
      }
      return { small, large };
    } catch (err) {
      return { broken: err instanceof Error ? err.message : String(err) };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
