// ThumbnailService: real JPEG/PNG/WebP inputs made with sharp, two WebP sizes cached by
// content hash, regenerated when missing, broken inputs reported (never thrown), and
// concurrent duplicate requests sharing one generation.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src-main/logging/logger';
import { MAX_INPUT_PIXELS, ThumbnailService, ThumbnailServiceClosedError, thumbPaths } from '../../src-main/gallery/thumbnails/thumbnail-service';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-thumbs-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function captureLog(): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  const make = (scope: string): Logger => {
    const at = (level: string) => (message: string) => void lines.push(`${level} [${scope}] ${message}`);
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (s) => make(`${scope}:${s}`) };
  };
  return { lines, log: make('gallery') };
}

let n = 0;
async function write(name: string, img: sharp.Sharp): Promise<{ file: string; hash: string }> {
  const file = path.join(root, 'in', `${n++}-${name}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await img.toFile(file);
  return { file, hash: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
}

function pattern(width: number, height: number): sharp.Sharp {
  // A left-to-right gradient, so orientation mistakes show up as well as size ones.
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(Math.floor((x / width) * 255), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return sharp(data, { raw: { width, height, channels: 3 } });
}

let thumbsDir: string;
let logged: ReturnType<typeof captureLog>;
let svc: ThumbnailService;
beforeEach(() => {
  thumbsDir = fs.mkdtempSync(path.join(root, 'thumbs-'));
  logged = captureLog();
  svc = new ThumbnailService({ thumbsDir, log: logged.log, workers: 2 });
});
afterEach(async () => {
  await svc.close();
  vi.restoreAllMocks();
});

async function webpSize(rel: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(path.join(thumbsDir, rel)).metadata();
  expect(meta.format).toBe('webp');
  return { width: meta.width ?? -1, height: meta.height ?? -1 };
}

async function expectOk(res: Awaited<ReturnType<ThumbnailService['ensure']>>, hash: string): Promise<{ small: string; large: string }> {
  if ('broken' in res) throw new Error(`unexpectedly broken: ${res.broken}`);
  expect(res).toEqual(thumbPaths(hash));
  expect(res.small).toBe(`${hash.slice(0, 2)}/${hash}-256.webp`);
  expect(res.large).toBe(`${hash.slice(0, 2)}/${hash}-1024.webp`);
  return res;
}

describe('ThumbnailService', () => {
  it('makes 256 and 1024 px WebP thumbnails from a JPEG, keeping the aspect ratio', async () => {
    const { file, hash } = await write('a.jpg', pattern(1600, 1200).jpeg({ quality: 90 }));
    const res = await expectOk(await svc.ensure(hash, file), hash);
    expect(await webpSize(res.small)).toEqual({ width: 256, height: 192 });
    expect(await webpSize(res.large)).toEqual({ width: 1024, height: 768 });
    // Written atomically: no temp files left behind.
    expect(fs.readdirSync(path.join(thumbsDir, hash.slice(0, 2))).sort()).toEqual([`${hash}-1024.webp`, `${hash}-256.webp`]);
  });

  it('handles PNG and WebP inputs and never upscales', async () => {
    const png = await write('b.png', pattern(300, 200).png());
    const r1 = await expectOk(await svc.ensure(png.hash, png.file), png.hash);
    expect(await webpSize(r1.small)).toEqual({ width: 256, height: 171 });
    expect(await webpSize(r1.large)).toEqual({ width: 300, height: 200 });

    const webp = await write('c.webp', pattern(2048, 1024).webp({ quality: 90 }));
    const r2 = await expectOk(await svc.ensure(webp.hash, webp.file), webp.hash);
    expect(await webpSize(r2.small)).toEqual({ width: 256, height: 128 });
    expect(await webpSize(r2.large)).toEqual({ width: 1024, height: 512 });
  });

  it('applies EXIF orientation', async () => {
    // Stored 400×200 with orientation 6 (rotate 90° clockwise to view): shown 200×400.
    const { file, hash } = await write('rot.jpg', pattern(400, 200).jpeg().withMetadata({ orientation: 6 }));
    expect((await sharp(file).metadata()).orientation).toBe(6);
    const res = await expectOk(await svc.ensure(hash, file), hash);
    expect(await webpSize(res.small)).toEqual({ width: 128, height: 256 });
    expect(await webpSize(res.large)).toEqual({ width: 200, height: 400 });
    // The gradient ran left→right (dark→light); after a clockwise turn it runs top→bottom.
    const { data, info } = await sharp(path.join(thumbsDir, res.large)).greyscale().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels] ?? -1;
    expect(at(100, 5)).toBeLessThan(40);
    expect(at(100, 394)).toBeGreaterThan(215);
  });

  it('handles a tiny image and a very wide one', async () => {
    const tiny = await write('tiny.png', pattern(1, 1).png());
    const r1 = await expectOk(await svc.ensure(tiny.hash, tiny.file), tiny.hash);
    expect(await webpSize(r1.small)).toEqual({ width: 1, height: 1 });
    expect(await webpSize(r1.large)).toEqual({ width: 1, height: 1 });

    const wide = await write('wide.png', pattern(6000, 30).png());
    const r2 = await expectOk(await svc.ensure(wide.hash, wide.file), wide.hash);
    const small = await webpSize(r2.small);
    expect(small.width).toBe(256);
    expect(small.height).toBeGreaterThanOrEqual(1);
    expect(small.height).toBeLessThanOrEqual(2);
    expect(await webpSize(r2.large)).toEqual({ width: 1024, height: 5 });
  });

  it('reuses cached thumbnails and regenerates a missing one', async () => {
    const { file, hash } = await write('d.jpg', pattern(800, 600).jpeg());
    const res = await expectOk(await svc.ensure(hash, file), hash);
    const smallPath = path.join(thumbsDir, res.small);
    const largePath = path.join(thumbsDir, res.large);
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(smallPath, old, old);
    fs.utimesSync(largePath, old, old);
    const before = { small: fs.statSync(smallPath).mtimeMs, large: fs.statSync(largePath).mtimeMs };

    // Cache hit: neither file is rewritten, even in a fresh service (cache is on disk).
    const again = new ThumbnailService({ thumbsDir, log: captureLog().log });
    await expectOk(await again.ensure(hash, file), hash);
    await again.close();
    expect(fs.statSync(smallPath).mtimeMs).toBe(before.small);
    expect(fs.statSync(largePath).mtimeMs).toBe(before.large);

    // Deleted: the missing size is made again, the present one left alone.
    fs.rmSync(smallPath);
    await expectOk(await svc.ensure(hash, file), hash);
    expect(await webpSize(res.small)).toEqual({ width: 256, height: 192 });
    expect(fs.statSync(largePath).mtimeMs).toBe(before.large);

    // Both deleted: both made again.
    fs.rmSync(smallPath);
    fs.rmSync(largePath);
    await expectOk(await svc.ensure(hash, file), hash);
    expect(fs.existsSync(smallPath) && fs.existsSync(largePath)).toBe(true);
  });

  it('reports truncated, non-image and missing files as broken, logged once, without throwing', async () => {
    const jpg = await write('t.jpg', pattern(900, 700).jpeg());
    const png = await write('t.png', pattern(900, 700).png());
    const webp = await write('t.webp', pattern(900, 700).webp());
    const cases: { file: string; hash: string }[] = [];
    for (const src of [jpg, png, webp]) {
      const bytes = fs.readFileSync(src.file);
      const file = `${src.file}.partial${path.extname(src.file)}`;
      fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      cases.push({ file, hash: crypto.createHash('sha256').update(file).digest('hex') });
    }
    const text = path.join(root, 'in', 'notes.jpg');
    fs.writeFileSync(text, 'this is not an image\n');
    cases.push({ file: text, hash: 'ab'.repeat(32) });
    const empty = path.join(root, 'in', 'empty.png');
    fs.writeFileSync(empty, '');
    cases.push({ file: empty, hash: 'cd'.repeat(32) });
    cases.push({ file: path.join(root, 'in', 'missing.jpg'), hash: 'ef'.repeat(32) });

    for (const c of cases) {
      const res = await svc.ensure(c.hash, c.file);
      expect(res, c.file).toEqual({ broken: expect.any(String) });
      expect((res as { broken: string }).broken.length).toBeGreaterThan(3);
      // Asked again: same answer, not logged twice.
      expect(await svc.ensure(c.hash, c.file)).toEqual(res);
      expect(fs.existsSync(path.join(thumbsDir, thumbPaths(c.hash).small))).toBe(false);
    }
    const warnings = logged.lines.filter((l) => l.startsWith('warn'));
    expect(warnings).toHaveLength(cases.length);
    expect(warnings.join('\n')).toMatch(/truncated|partial|cannot decode/);
    expect(warnings.join('\n')).toMatch(/not an image/);
    expect(warnings.join('\n')).toMatch(/file not found/);
    expect(warnings.join('\n')).toMatch(/empty file/);
    expect(logged.lines.every((l) => l.includes('[gallery:thumbnails]'))).toBe(true);
    // No temp files left by the failures.
    const leftovers = fs.readdirSync(thumbsDir, { recursive: true }).filter((f) => String(f).includes('.tmp'));
    expect(leftovers).toEqual([]);

    // The pool keeps working after the failures.
    const ok = await write('after.jpg', pattern(64, 64).jpeg());
    await expectOk(await svc.ensure(ok.hash, ok.file), ok.hash);
  });

  it('refuses a decompression bomb by its header, without decoding it', async () => {
    // A real 64×64 PNG whose IHDR then claims 20000×20000 (400 MP) with a correct CRC.
    const bytes = Buffer.from(await pattern(64, 64).png().toBuffer());
    bytes.writeUInt32BE(20_000, 16);
    bytes.writeUInt32BE(20_000, 20);
    bytes.writeUInt32BE(zlib.crc32(bytes.subarray(12, 29)), 29);
    const file = path.join(root, 'in', 'bomb.png');
    fs.writeFileSync(file, bytes);
    expect((await sharp(file, { limitInputPixels: false }).metadata()).width).toBe(20_000);
    expect(20_000 * 20_000).toBeGreaterThan(MAX_INPUT_PIXELS);
    const res = await svc.ensure('b0'.repeat(32), file);
    expect(res).toEqual({ broken: expect.stringMatching(/too large/) });
  });

  it('rejects a content hash that could escape the thumbs folder', async () => {
    const { file } = await write('e.jpg', pattern(32, 32).jpeg());
    expect(await svc.ensure('../../etc/passwd', file)).toEqual({ broken: 'invalid content hash' });
  });

  it('shares one generation between concurrent requests for the same hash', async () => {
    const { file, hash } = await write('f.jpg', pattern(1200, 900).jpeg());
    const renames = vi.spyOn(fs, 'renameSync');
    const results = await Promise.all(Array.from({ length: 8 }, () => svc.ensure(hash, file)));
    for (const r of results) await expectOk(r, hash);
    expect(renames).toHaveBeenCalledTimes(2); // one small, one large
  });

  it('bounds concurrency and keeps every request answered', async () => {
    const one = new ThumbnailService({ thumbsDir, log: captureLog().log, workers: 1 });
    let active = 0;
    let peak = 0;
    const real = fs.promises.readFile.bind(fs.promises);
    vi.spyOn(fs.promises, 'readFile').mockImplementation(async (...args: Parameters<typeof fs.promises.readFile>) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      try {
        return await real(...args);
      } finally {
        active--;
      }
    });
    const inputs = await Promise.all(Array.from({ length: 6 }, (_, i) => write(`g${i}.png`, pattern(40 + i, 40).png())));
    const results = await Promise.all(inputs.map((x) => one.ensure(x.hash, x.file)));
    results.forEach((r, i) => expect('small' in r, String(i)).toBe(true));
    expect(peak).toBe(1);
    await one.close();
  });

  it('close() lets running work finish and rejects what was still queued', async () => {
    const one = new ThumbnailService({ thumbsDir, log: captureLog().log, workers: 1 });
    const inputs = await Promise.all(Array.from({ length: 4 }, (_, i) => write(`h${i}.jpg`, pattern(600 + i, 400).jpeg())));
    const pending = inputs.map((x) => one.ensure(x.hash, x.file).then((r) => r, (e: unknown) => e));
    await new Promise((r) => setImmediate(r));
    await one.close();
    const settled = await Promise.all(pending);
    expect(settled[0]).toEqual(thumbPaths(inputs[0]?.hash ?? ''));
    expect(settled.slice(1).every((s) => s instanceof ThumbnailServiceClosedError)).toBe(true);
    await expect(one.ensure(inputs[0]?.hash ?? '', inputs[0]?.file ?? '')).rejects.toBeInstanceOf(ThumbnailServiceClosedError);
  });
});
