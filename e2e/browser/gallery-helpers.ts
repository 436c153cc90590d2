// Shared by the Gallery browser specs: real PNGs (a gradient, parameters embedded by the
// studio's own writer), the HTTP API as the page uses it, and a seeded, indexed gallery.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page } from '@playwright/test';
import type { ImageParameters } from '@shared/contract';
import { embedMetadata } from '../../src-main/metadata/embed';
import { crc32 } from '../../src-main/metadata/png-chunks';
import { emptyParameters } from '../../src-main/metadata/params';
import { expect, SCREENSHOT_DIR, type Served } from './serve-fixture';

// ---- real images ----

export function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** An RGB PNG with a diagonal two-colour gradient, so thumbnails look like something. */
export function gradientPng(w: number, h: number, a: [number, number, number], b: [number, number, number]): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < w; x++) {
      const t = (x / w + y / h) / 2;
      const o = row + 1 + x * 3;
      raw[o] = Math.round(a[0] + (b[0] - a[0]) * t);
      raw[o + 1] = Math.round(a[1] + (b[1] - a[1]) * t);
      raw[o + 2] = Math.round(a[2] + (b[2] - a[2]) * t);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function params(p: Partial<ImageParameters>): ImageParameters {
  return {
    ...emptyParameters(),
    source: 'studio',
    ...p,
  };
}

export const FOX = params({
  prompt: 'a red fox curled up in fresh snow at dawn, soft pink light',
  enhancedFrom: 'fox in snow',
  model: 'flux-dev',
  seed: 1234,
  steps: 20,
  guidance: 3.5,
  width: 768,
  height: 1152,
  jpegQuality: 95,
  runtime: 'remote',
  pod: 'pod-a100',
  loadSeconds: 12.5,
  genSeconds: 8.25,
  loras: [{ name: 'film-grain', scale: 0.8 }],
});
export const LIGHTHOUSE = params({ prompt: 'a lighthouse on a cliff above a stormy sea', model: 'flux-schnell', seed: 42, steps: 4, width: 1024, height: 1024, runtime: 'local' });
export const RAMEN = params({ prompt: 'a steaming bowl of ramen, studio lighting, top view', model: 'flux-dev', seed: 7, steps: 50, guidance: 5, width: 1216, height: 832, runtime: 'remote' });

export function writeImage(dir: string, name: string, p: ImageParameters, colours: [[number, number, number], [number, number, number]], scale = 4): string {
  const png = gradientPng(Math.round((p.width ?? 512) / scale), Math.round((p.height ?? 512) / scale), colours[0], colours[1]);
  const file = path.join(dir, name);
  fs.writeFileSync(file, embedMetadata(png, p, { version: '0.0.0-e2e', createdAt: new Date().toISOString() }));
  return file;
}

export async function api<T>(page: Page, served: Served, call: string, body: unknown = {}): Promise<T> {
  const res = await page.request.post(`${served.origin}/api/call/${call}`, {
    headers: { Authorization: `Bearer ${served.token}` },
    data: body,
  });
  const env = (await res.json()) as { ok: boolean; data: T; error?: unknown };
  expect(env.ok, `${call}: ${JSON.stringify(env.error)}`).toBe(true);
  return env.data;
}

export async function open(page: Page, served: Served, hash = ''): Promise<void> {
  await page.goto(`${served.openUrl}${hash}`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), animations: 'disabled' });
}

/** Rescans every source, then waits until the index holds `count` images, every thumbnail made. */
export async function indexAndWait(page: Page, served: Served, count: number, thumbs = count): Promise<void> {
  await api(page, served, 'gallery.rescan');
  await expect
    .poll(async () => (await api<{ total: number }>(page, served, 'gallery.search', { limit: 10 })).total, { timeout: 30_000 })
    .toBe(count);
  // Thumbnails are made off the main thread: wait for them so the grid shows pictures.
  await expect
    .poll(
      async () => (await api<{ items: { thumbSmall: string | null }[] }>(page, served, 'gallery.search', { limit: 100 })).items.filter((i) => i.thumbSmall !== null).length,
      { timeout: 30_000 },
    )
    .toBe(thumbs);
}

/** The output folder's day folder the seeded images go to. */
export function seedDir(served: Served): string {
  const dir = path.join(served.dataDir, 'outputs', '2026-01-01');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Three studio images in the output folder, indexed (rescan, then wait for the index). */
export async function seedGallery(page: Page, served: Served): Promise<void> {
  const dir = seedDir(served);
  writeImage(dir, 'fox.png', FOX, [[250, 120, 90], [40, 30, 90]]);
  writeImage(dir, 'lighthouse.png', LIGHTHOUSE, [[30, 60, 110], [200, 210, 220]]);
  writeImage(dir, 'ramen.png', RAMEN, [[240, 200, 120], [120, 40, 20]]);
  await indexAndWait(page, served, 3);
}
