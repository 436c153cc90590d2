import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ImageParameters } from '@shared/contract';
import { embedMetadata } from '../../src-main/metadata/embed';
import { emptyParameters } from '../../src-main/metadata/params';

export type Fmt = 'jpeg' | 'png' | 'webp';

/** A real image file (sharp), with parameters embedded by the studio's writer when given. */
export async function writeImage(
  file: string,
  opts: { params?: Partial<ImageParameters>; width?: number; height?: number; seed?: number; format?: Fmt; mtime?: Date } = {},
): Promise<Buffer> {
  const width = opts.width ?? 64;
  const height = opts.height ?? 64;
  const seed = opts.seed ?? 1;
  const format = opts.format ?? (path.extname(file).toLowerCase() === '.png' ? 'png' : path.extname(file).toLowerCase() === '.webp' ? 'webp' : 'jpeg');
  const img = sharp({
    create: { width, height, channels: 3, background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: (seed * 53) % 256 } },
  });
  let bytes = await (format === 'png' ? img.png() : format === 'webp' ? img.webp() : img.jpeg({ quality: 80 })).toBuffer();
  if (opts.params) bytes = embedMetadata(bytes, { ...emptyParameters(), width, height, ...opts.params }, { version: '0.0.0-test' });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  if (opts.mtime) fs.utimesSync(file, opts.mtime, opts.mtime);
  return bytes;
}

export async function until<T>(fn: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
