// Captions: atomic UTF-8 writes, single edits and bulk operations with undo, regex errors,
// tag frequencies; buckets against hand-computed values; `dataset check`.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { applyOp } from '../../src-main/datasets/caption-ops';
import { bucketFor, previewBuckets } from '../../src-main/datasets/buckets';
import { captionPathFor, listDatasetImages, readCaption, writeCaption } from '../../src-main/datasets/captions';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';
import { patterned } from './fixtures';

let studio: Studio | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await studio?.close();
  studio = null;
});

async function datasetWith(captions: Record<string, string | null>): Promise<{ s: Studio; dir: string }> {
  const s = await makeStudio();
  studio = s;
  const src = tempDir();
  let seed = 100;
  for (const [file, caption] of Object.entries(captions)) {
    fs.writeFileSync(path.join(src, file), await patterned(320, 320, seed++));
    if (caption !== null) fs.writeFileSync(captionPathFor(path.join(src, file)), caption);
  }
  await s.datasets.importNow({ name: 'caps', sources: [src], trigger: 'sks' });
  return { s, dir: s.datasets.dirOf('caps') };
}

describe('caption files', () => {
  test('same stem .txt, BOM stripped on read, UTF-8 written, sorted training images only', () => {
    const dir = tempDir();
    expect(captionPathFor(path.join(dir, 'a.b.JPG'))).toBe(path.join(dir, 'a.b.txt'));
    fs.writeFileSync(path.join(dir, 'x.png'), '');
    fs.writeFileSync(path.join(dir, 'x.txt'), Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('chat noir, été')]));
    expect(readCaption(path.join(dir, 'x.png'))).toBe('chat noir, été');
    expect(readCaption(path.join(dir, 'none.png'))).toBeNull();
    writeCaption(path.join(dir, 'x.png'), '猫, "quoted", it\'s');
    expect(fs.readFileSync(path.join(dir, 'x.txt'))).toEqual(Buffer.from('猫, "quoted", it\'s', 'utf8'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.mkdirSync(path.join(dir, '_latent_cache'));
    for (const f of ['b.WEBP', 'sub/c.jpeg', 'd.gif', '.hidden.jpg', '_latent_cache/e.png', 'a.txt']) fs.writeFileSync(path.join(dir, f), '');
    expect(listDatasetImages(dir).map((f) => path.relative(dir, f))).toEqual(['b.WEBP', path.join('sub', 'c.jpeg'), 'x.png']);
  });

  test('a write that dies before the rename leaves the old caption whole and no temp file', () => {
    const dir = tempDir();
    const img = path.join(dir, 'a.jpg');
    writeCaption(img, 'old caption');
    const spy = vi.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw Object.assign(new Error('simulated crash'), { code: 'EIO' });
    });
    expect(() => writeCaption(img, 'new caption that never lands')).toThrow(/simulated crash/);
    spy.mockRestore();
    expect(readCaption(img)).toBe('old caption');
    expect(fs.readdirSync(dir)).toEqual(['a.txt']);
  });
});

describe('caption editing', () => {
  test('edits are undoable one by one; undoing a created caption removes the file', async () => {
    const { s, dir } = await datasetWith({ 'a.jpg': 'one', 'b.jpg': null });
    const r = await s.dispatch('datasets.setCaption', { name: 'caps', file: 'a.jpg', text: 'one, edited' });
    expect(r).toEqual({ ok: true, data: { file: 'a.jpg', caption: 'one, edited', previous: 'one' } });
    await s.dispatch('datasets.setCaption', { name: 'caps', file: 'b.jpg', text: 'brand new' });
    expect(readCaption(path.join(dir, 'b.jpg'))).toBe('brand new');
    expect(await s.dispatch('datasets.undo', { name: 'caps' })).toEqual({ ok: true, data: { undone: 'edit b.jpg', files: ['b.jpg'], remaining: 1 } });
    expect(fs.existsSync(path.join(dir, 'b.txt'))).toBe(false);
    await s.dispatch('datasets.undo', { name: 'caps' });
    expect(readCaption(path.join(dir, 'a.jpg'))).toBe('one');
    expect(await s.dispatch('datasets.undo', { name: 'caps' })).toEqual({ ok: true, data: { undone: null, files: [], remaining: 0 } });
    const escape = await s.dispatch('datasets.setCaption', { name: 'caps', file: '../x.jpg', text: 'no' });
    expect(escape).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  }, 60_000);

  test('bulk operations on a selection or all, each one undo step', async () => {
    const { s, dir } = await datasetWith({ 'a.jpg': 'cat, window', 'b.jpg': 'Cat, sofa, window', 'c.jpg': null });
    const cap = (f: string) => readCaption(path.join(dir, f));
    let r = await s.dispatch('datasets.bulk', { name: 'caps', op: { kind: 'insertTrigger', position: 'start' } });
    expect(r).toEqual({ ok: true, data: { changed: ['a.jpg', 'b.jpg', 'c.jpg'], examined: 3 } });
    expect([cap('a.jpg'), cap('b.jpg'), cap('c.jpg')]).toEqual(['[trigger], cat, window', '[trigger], Cat, sofa, window', '[trigger]']);
    // Inserting again changes nothing.
    r = await s.dispatch('datasets.bulk', { name: 'caps', op: { kind: 'insertTrigger', position: 'end' } });
    expect(r).toMatchObject({ data: { changed: [] } });
    await s.dispatch('datasets.bulk', { name: 'caps', files: ['b.jpg'], op: { kind: 'append', text: 'photo' } });
    expect(cap('b.jpg')).toBe('[trigger], Cat, sofa, window, photo');
    await s.dispatch('datasets.bulk', { name: 'caps', op: { kind: 'removeTag', tag: 'WINDOW' } });
    expect([cap('a.jpg'), cap('b.jpg')]).toEqual(['[trigger], cat', '[trigger], Cat, sofa, photo']);
    await s.dispatch('datasets.bulk', { name: 'caps', op: { kind: 'replace', find: '\\b(c)at\\b', replace: '$1ow', regex: true, caseSensitive: false } });
    expect([cap('a.jpg'), cap('b.jpg')]).toEqual(['[trigger], cow', '[trigger], Cow, sofa, photo']);
    await s.dispatch('datasets.bulk', { name: 'caps', op: { kind: 'replace', find: '[trigger]', replace: 'sks', regex: false, caseSensitive: true } });
    expect(cap('c.jpg')).toBe('sks');
    // A bad regex is a clear error and changes nothing.
    const bad = await s.dispatch('datasets.bulk', { name: 'caps', op: { kind: 'replace', find: '(unclosed', replace: '', regex: true, caseSensitive: false } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'op.find' } });
    expect(bad.ok ? '' : bad.error.message).toMatch(/not a valid regular expression/);
    // Tag frequencies, case-insensitive, with the files that have each tag.
    const tags = await s.dispatch('datasets.tags', { name: 'caps' });
    expect(tags).toMatchObject({ ok: true, data: [{ tag: 'sks', count: 3, files: ['a.jpg', 'b.jpg', 'c.jpg'] }, { tag: 'cow', count: 2, files: ['a.jpg', 'b.jpg'] }, { tag: 'photo', count: 1 }, { tag: 'sofa', count: 1 }] });
    // Undo walks back one whole operation at a time.
    const u1 = await s.dispatch('datasets.undo', { name: 'caps' });
    expect(u1).toMatchObject({ ok: true, data: { files: ['a.jpg', 'b.jpg', 'c.jpg'] } });
    expect(cap('c.jpg')).toBe('[trigger]');
    for (let i = 0; i < 4; i++) await s.dispatch('datasets.undo', { name: 'caps' });
    expect([cap('a.jpg'), cap('b.jpg'), cap('c.jpg')]).toEqual(['cat, window', 'Cat, sofa, window', null]);
  }, 60_000);

  test('applyOp joins text sensibly', () => {
    expect(applyOp('a dog', { kind: 'prepend', text: 'photo of' })).toBe('photo of, a dog');
    expect(applyOp('a dog', { kind: 'prepend', text: 'photo of ' })).toBe('photo of a dog');
    expect(applyOp(null, { kind: 'append', text: 'x' })).toBe('x');
    expect(applyOp(null, { kind: 'removeTag', tag: 'x' })).toBeNull();
    expect(applyOp('a, b, a', { kind: 'removeTag', tag: 'a' })).toBe('b');
  });
});

describe('buckets (ai-toolkit rule, hand-computed)', () => {
  test.each([
    // square at its own resolution: exact match
    [1024, 1024, 1024, 1024, 1024],
    // 1024² at 512: the table scaled by 0.5 has 512×512
    [1024, 1024, 512, 512, 512],
    // 768×512 at 1024: never upscaled → effective 627 (floor √393216); the table × 627/1024,
    // truncated, floored to 64: 1216×832 → 744×509 → 704×448 (scale .9167 → 704×469, crops
    // 21×704 = 14,784 px), the least of 704×512 (32,768), 768×448 (49,152), 640×512 (65,536)
    [768, 512, 1024, 704, 448],
    // 768×512 at 512: table × 0.5 turns 1216×832 into 608×416 → 576×384, an exact cover at scale .75
    [768, 512, 512, 576, 384],
    // 300×300 at 512: effective 300 → 1024 row becomes 256×256
    [300, 300, 512, 256, 256],
    // 2:1 at 1024: 1408×704 covers it exactly (scale .6875, nothing cropped)
    [2048, 1024, 1024, 1408, 704],
  ])('%i×%i at %i → %i×%i', (w, h, res, bw, bh) => {
    expect(bucketFor(w, h, res)).toEqual({ width: bw, height: bh });
  });

  test('preview counts per bucket', () => {
    const p = previewBuckets(
      [
        { file: 'a', width: 1024, height: 1024 },
        { file: 'b', width: 2048, height: 2048 },
        { file: 'c', width: 768, height: 512 },
      ],
      [512, 1024],
    );
    expect(p.resolutions.map((r) => r.buckets)).toEqual([
      [{ width: 512, height: 512, count: 2 }, { width: 576, height: 384, count: 1 }],
      [{ width: 1024, height: 1024, count: 2 }, { width: 704, height: 448, count: 1 }],
    ]);
    expect(p.resolutions[1]?.items[2]).toEqual({ file: 'c', width: 768, height: 512, bucketWidth: 704, bucketHeight: 448 });
  });
});

describe('dataset check', () => {
  test('files changed behind the studio\'s back: rejected with reasons, warnings, one JSON shape', async () => {
    const { s, dir } = await datasetWith({ 'a.jpg': 'x', 'b.jpg': null });
    fs.writeFileSync(path.join(dir, 'broken.png'), Buffer.from('not a png at all'));
    fs.copyFileSync(path.join(dir, 'a.jpg'), path.join(dir, 'z copy.jpg'));
    fs.writeFileSync(path.join(dir, 'lost.txt'), 'orphan');
    fs.writeFileSync(path.join(dir, 'anim.gif'), await patterned(64, 64, 3, 'gif'));
    const r = await s.dispatch('datasets.check', { name: 'caps' });
    if (!r.ok) throw new Error(r.error.message);
    const report = r.data as { accepted: { file: string }[]; rejected: { file: string; reason: string }[]; warnings: { file: string; code: string }[] };
    expect(Object.keys(report).sort()).toEqual(['accepted', 'dataset', 'rejected', 'warnings']);
    expect(report.accepted.map((a) => a.file)).toEqual(['a.jpg', 'b.jpg']);
    expect(report.rejected).toEqual([
      { file: 'anim.gif', reason: expect.stringMatching(/ai-toolkit reads only/) as unknown as string },
      { file: 'broken.png', reason: 'not an image (the content is text)' },
      { file: 'z copy.jpg', reason: 'exact duplicate of a.jpg' },
    ]);
    expect(report.warnings.filter((w) => w.code !== 'small')).toEqual([
      { file: 'lost.txt', code: 'orphan_caption', message: expect.any(String) as unknown as string },
      { file: 'b.jpg', code: 'no_caption', message: expect.any(String) as unknown as string },
    ]);
    expect(s.datasets.get('caps').counts.warnings).toBe(report.warnings.length);
  }, 60_000);
});
