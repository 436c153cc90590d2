// Dataset warnings: near-duplicates need the same structure AND the same colours (flat and
// gradient images, decoded by the real inspector), a too-small image is an error, lists come
// severity first with one warning per file and kind, and the list's count follows captions.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, test } from 'vitest';
import { WARNING_SEVERITY } from '@shared/contract/datasets';
import { inspectImage } from '../../src-main/datasets/image-inspect';
import { imageWarnings, nearDuplicates, type MeasuredImage } from '../../src-main/datasets/warnings';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';

type Rgb = readonly [number, number, number];

async function flat(rgb: Rgb, size = 256, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const img = sharp({ create: { width: size, height: size, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 90 }).toBuffer();
}

/** A left-to-right gradient from black to `rgb`. */
async function gradient(rgb: Rgb, size = 256, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const raw = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = x / (size - 1);
      for (let c = 0; c < 3; c++) raw[(y * size + x) * 3 + c] = Math.round((rgb[c] ?? 0) * t);
    }
  }
  const img = sharp(raw, { raw: { width: size, height: size, channels: 3 } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 85 }).toBuffer();
}

async function measured(file: string, bytes: Buffer, hasCaption = true): Promise<MeasuredImage> {
  const r = await inspectImage(bytes);
  if (!r.ok) throw new Error(`${file}: ${r.reason}`);
  expect(r.image.colour).toMatch(/^[0-9a-f]{24}$/);
  return { file, width: r.image.width, height: r.image.height, dhash: r.image.dhash, colour: r.image.colour, hasCaption };
}

describe('near-duplicates: structure and colour', () => {
  test('flat images of different colours have the same dHash but are not near-duplicates', async () => {
    const red = await measured('red.png', await flat([220, 30, 30]));
    const blue = await measured('blue.png', await flat([30, 30, 220]));
    const grey = await measured('grey.png', await flat([128, 128, 128]));
    // The structure alone cannot tell them apart (that was the bug).
    expect(red.dhash).toBe(blue.dhash);
    expect(red.dhash).toBe(grey.dhash);
    expect(nearDuplicates([red, blue, grey])).toEqual([]);
  });

  test('the same flat colour twice (PNG and JPEG) is a near-duplicate', async () => {
    const a = await measured('a.png', await flat([40, 160, 90]));
    const b = await measured('b.jpg', await flat([40, 160, 90], 300, 'jpeg'));
    expect(nearDuplicates([a, b])).toEqual([['a.png', 'b.jpg']]);
  });

  test('one gradient in red and in blue: same structure, different colours, not near-duplicates; the same gradient re-encoded is', async () => {
    const red = await measured('red-grad.png', await gradient([255, 0, 0]));
    const blue = await measured('blue-grad.png', await gradient([0, 0, 255]));
    const redAgain = await measured('red-grad.jpg', await gradient([255, 0, 0], 320, 'jpeg'));
    expect(red.dhash).toBe(blue.dhash);
    expect(nearDuplicates([red, blue, redAgain])).toEqual([['red-grad.png', 'red-grad.jpg']]);
  });

  test('a gradient and a flat image of the same colour are not near-duplicates', async () => {
    const g = await measured('g.png', await gradient([200, 200, 200]));
    const f = await measured('f.png', await flat([100, 100, 100]));
    expect(nearDuplicates([g, f])).toEqual([]);
  });

  test('an image measured before colour signatures existed is not compared by structure alone', async () => {
    const red = await measured('red.png', await flat([220, 30, 30]));
    const old = { ...(await measured('old.png', await flat([30, 30, 220]))), colour: null };
    expect(nearDuplicates([red, old])).toEqual([]);
  });
});

describe('warning lists', () => {
  const img = (file: string, width: number, height: number, extra: Partial<MeasuredImage> = {}): MeasuredImage => ({ file, width, height, dhash: null, colour: null, hasCaption: true, ...extra });

  test('a 64 px image is an error ("too small"), an 832 px one only below the resolution (info)', () => {
    const w = imageWarnings([img('tiny.png', 64, 64), img('mid.png', 832, 1200)], [512, 768, 1024]);
    expect(w.map((x) => [x.file, x.code])).toEqual([
      ['tiny.png', 'too_small'],
      ['mid.png', 'small'],
    ]);
    expect(WARNING_SEVERITY.too_small).toBe('error');
    expect(WARNING_SEVERITY.small).toBe('info');
    expect(w[0]?.message).toContain('short side 64 px is under 256 px');
  });

  test('severity first, then kind, then file; one near-duplicate warning per file naming every look-alike', async () => {
    const dup = { dhash: '0000000000000000', colour: 'a0a0a0'.repeat(4) };
    const items = [
      img('c.png', 1024, 1024, { ...dup }),
      img('b.png', 1024, 1024, { ...dup, hasCaption: false }),
      img('a.png', 1024, 1024, { ...dup }),
      img('z-tiny.png', 100, 100, { hasCaption: false }),
      img('long.png', 1024, 4000),
    ];
    const w = imageWarnings(items, [1024]);
    expect(w.map((x) => [WARNING_SEVERITY[x.code], x.code, x.file])).toEqual([
      ['error', 'too_small', 'z-tiny.png'],
      ['warning', 'aspect', 'long.png'],
      ['warning', 'near_duplicate', 'a.png'],
      ['warning', 'near_duplicate', 'b.png'],
      ['warning', 'no_caption', 'b.png'],
      ['warning', 'no_caption', 'z-tiny.png'],
    ]);
    // a.png resembles c.png and b.png: one warning, both named (not the same file twice).
    expect(w.find((x) => x.file === 'a.png')?.message).toContain('c.png, b.png');
    expect(w.filter((x) => x.code === 'near_duplicate' && x.file === 'a.png')).toHaveLength(1);
  });
});

describe('the list’s warning count follows captions', () => {
  let studio: Studio | null = null;
  afterEach(async () => {
    await studio?.close();
    studio = null;
  });

  test('adding the missing captions clears their warnings from the count', async () => {
    studio = await makeStudio();
    const src = tempDir();
    fs.writeFileSync(path.join(src, 'one.png'), await gradient([200, 100, 50], 1024));
    fs.writeFileSync(path.join(src, 'two.png'), await gradient([50, 100, 200], 1024));
    const report = await studio.datasets.importNow({ name: 'Counts', sources: [src], resolutions: [1024] });
    expect(report.warnings.map((w) => [w.file, w.code])).toEqual([
      ['one.png', 'no_caption'],
      ['two.png', 'no_caption'],
    ]);
    const count = async () => {
      const r = await studio?.dispatch('datasets.list', {});
      if (!r?.ok) throw new Error('datasets.list failed');
      return (r.data as { name: string; counts: { warnings: number } }[]).find((d) => d.name === 'Counts')?.counts.warnings;
    };
    expect(await count()).toBe(2);
    expect((await studio.dispatch('datasets.setCaption', { name: 'Counts', file: 'one.png', text: 'a photo' })).ok).toBe(true);
    expect(await count()).toBe(1);
    expect((await studio.dispatch('datasets.bulk', { name: 'Counts', files: ['two.png'], op: { kind: 'append', text: 'orange' } })).ok).toBe(true);
    expect(await count()).toBe(0);
    expect((await studio.dispatch('datasets.undo', { name: 'Counts' })).ok).toBe(true);
    expect(await count()).toBe(1);
  });
});
