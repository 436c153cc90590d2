// Import of the planted folder: every input file accounted for, nothing crashes, good files
// imported (converted where needed), captions brought along, warnings raised.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, test } from 'vitest';
import { listDatasetImages, readCaption } from '../../src-main/datasets/captions';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';
import { patterned, plantFolder, storedZip } from './fixtures';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.close();
  studio = null;
});

describe('dataset import', () => {
  test('the planted folder: every file accounted for, good ones imported, bad ones rejected with reasons', async () => {
    studio = await makeStudio();
    const planted = await plantFolder(tempDir());
    const steps: number[] = [];
    const report = await studio.datasets.importNow({ name: 'Planted set', sources: [planted.dir], resolutions: [512, 1024] }, (s) => steps.push(s));
    expect(steps.length).toBeGreaterThan(0);

    const bySource = new Map(report.entries.map((e) => [e.source, e]));
    // Every planted file appears in the report under "planted set/<rel>".
    for (const f of planted.files) expect(bySource.has(`planted set/${f}`), f).toBe(true);
    const outcome = (rel: string) => bySource.get(`planted set/${rel}`);

    expect(outcome('good1.jpg')).toMatchObject({ outcome: 'accepted', file: 'good1.jpg' });
    expect(outcome('good1.txt')).toMatchObject({ outcome: 'caption', file: 'good1.txt' });
    expect(outcome('corrupt.jpg')).toMatchObject({ outcome: 'rejected' });
    expect(outcome('corrupt.jpg')?.reason).toMatch(/corrupt|truncated/i);
    expect(outcome('truncated.png')?.reason).toMatch(/truncated/i);
    expect(outcome('zero.jpg')).toMatchObject({ outcome: 'rejected', reason: 'empty file (0 bytes)' });
    expect(outcome('notes.jpg')?.reason).toMatch(/not an image \(the content is text\)/);
    expect(outcome('bomb.png')).toMatchObject({ outcome: 'rejected' });
    expect(outcome('bomb.png')?.reason).toMatch(/20000×20000.*refused without decoding/);
    expect(outcome('good1_dup.jpg')).toMatchObject({ outcome: 'rejected', reason: 'exact duplicate of good1.jpg' });
    expect(outcome('orphan.txt')).toMatchObject({ outcome: 'ignored' });
    expect(outcome('anim.gif')).toMatchObject({ outcome: 'converted', file: 'anim.png' });
    expect(outcome('old.bmp')).toMatchObject({ outcome: 'converted', file: 'old.png' });
    expect(outcome('scan.tiff')).toMatchObject({ outcome: 'converted', file: 'scan.png' });
    expect(outcome('iphone.heic')).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/HEIC/) as unknown as string });
    expect(outcome('phone.avif')).toMatchObject({ outcome: 'converted', file: 'phone.jpg' });
    expect(bySource.get('planted set/bundle.zip!inner/bomb.png')?.reason).toMatch(/zip bomb/);
    expect(outcome('.DS_Store')).toMatchObject({ outcome: 'ignored', reason: 'hidden file' });
    expect(outcome('bundle.zip')).toMatchObject({ outcome: 'ignored' });
    // Zip slip: the `../` and absolute entries are refused, nothing escapes.
    expect(bySource.get('planted set/bundle.zip!../escape.jpg')).toMatchObject({ outcome: 'ignored' });
    expect(bySource.get('planted set/bundle.zip!../escape.jpg')?.reason).toMatch(/unsafe path/);
    expect(bySource.get('planted set/bundle.zip!/abs.jpg')?.reason).toMatch(/unsafe path/);
    expect(bySource.get('planted set/bundle.zip!inner/zipped.jpg')).toMatchObject({ outcome: 'accepted', file: 'zipped.jpg' });
    expect(bySource.get('planted set/bundle.zip!inner/zipped.txt')).toMatchObject({ outcome: 'caption', file: 'zipped.txt' });

    const ds = studio.datasets.get('Planted set');
    expect(ds.dir).toBe(path.join(studio.info.dataDir, 'datasets', 'Planted set'));
    const files = listDatasetImages(ds.dir).map((f) => path.relative(ds.dir, f)).sort();
    expect(files).toEqual([...planted.goodImages].sort());
    expect(fs.existsSync(path.join(path.dirname(ds.dir), 'escape.jpg'))).toBe(false);
    expect(fs.existsSync(path.join(studio.info.dataDir, 'escape.jpg'))).toBe(false);
    // Captions came along, BOM stripped; unicode, spaces and quotes intact.
    expect(readCaption(path.join(ds.dir, 'good1.jpg'))).toBe('a cat, sitting, window');
    expect(readCaption(path.join(ds.dir, 'ünïcødé 猫 it\'s "quoted".png'))).toBe('a cat, sleeping');
    expect(readCaption(path.join(ds.dir, 'deep.jpg'))).toBe('a dog, running');
    expect(readCaption(path.join(ds.dir, 'zipped.jpg'))).toBe('from the zip');
    // Converted files are real PNGs of the same size.
    const meta = await sharp(path.join(ds.dir, 'old.png')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 320, 240]);

    const codes = (file: string) => report.warnings.filter((w) => w.file === file).map((w) => w.code).sort();
    expect(codes('small.jpg')).toEqual(['no_caption', 'small']);
    expect(codes('panorama.jpg')).toContain('aspect');
    expect(report.warnings.some((w) => w.code === 'near_duplicate' && w.file === 'good1.jpg' || w.file === 'good1 copy edited.jpg' && w.code === 'near_duplicate')).toBe(true);
    expect(report.warnings.some((w) => w.code === 'orphan_caption' && w.file === 'planted set/orphan.txt')).toBe(true);
    expect(codes('good1.jpg')).not.toContain('no_caption');

    // The totals add up to the entries; the report is stored; items have thumbnails.
    const t = report.totals;
    expect(t.accepted + t.converted + t.rejected + t.caption + t.ignored).toBe(report.entries.length);
    expect(studio.datasets.index.lastReport('Planted set')).toEqual(report);
    const items = await studio.datasets.index.items('Planted set');
    expect(items).toHaveLength(planted.goodImages.length);
    for (const it of items) {
      expect(it.thumb, it.file).toMatch(/\.webp$/);
      expect(fs.existsSync(path.join(studio.info.dataDir, 'thumbs', it.thumb as string))).toBe(true);
    }
    expect(studio.datasets.get('Planted set').counts).toMatchObject({ images: planted.goodImages.length, captioned: 4 });
  }, 120_000);

  test('importing again into the same dataset rejects what it already has and renames clashes', async () => {
    studio = await makeStudio();
    const src = tempDir();
    fs.writeFileSync(path.join(src, 'a.jpg'), await patterned(512, 512, 21));
    await studio.datasets.importNow({ name: 'again', sources: [path.join(src, 'a.jpg')] });
    const other = tempDir();
    fs.writeFileSync(path.join(other, 'a.jpg'), await patterned(512, 512, 22));
    fs.copyFileSync(path.join(src, 'a.jpg'), path.join(other, 'same.jpg'));
    const report = await studio.datasets.importNow({ name: 'again', sources: [path.join(other, 'a.jpg'), path.join(other, 'same.jpg')] });
    expect(report.entries).toEqual([
      { source: 'a.jpg', outcome: 'accepted', file: 'a_2.jpg', reason: null },
      { source: 'same.jpg', outcome: 'rejected', file: null, reason: 'exact duplicate of a.jpg' },
    ]);
  }, 60_000);

  test('in place: the folder is used where it is, files are not moved, conversions land beside', async () => {
    studio = await makeStudio();
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'x.png'), await patterned(512, 512, 31, 'png'));
    fs.writeFileSync(path.join(dir, 'x.txt'), 'caption x');
    fs.writeFileSync(path.join(dir, 'y.gif'), await patterned(256, 256, 32, 'gif'));
    fs.writeFileSync(path.join(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
    const report = await studio.datasets.importNow({ name: 'in place', sources: [dir], inPlace: true });
    const ds = studio.datasets.get('in place');
    expect(ds).toMatchObject({ dir, inPlace: true });
    expect(report.entries.find((e) => e.source === 'x.png')).toMatchObject({ outcome: 'accepted', file: 'x.png' });
    expect(report.entries.find((e) => e.source === 'x.txt')).toMatchObject({ outcome: 'caption', file: 'x.txt' });
    expect(report.entries.find((e) => e.source === 'y.gif')).toMatchObject({ outcome: 'converted', file: 'y.png' });
    expect(report.entries.find((e) => e.source === 'broken.jpg')?.reason).toMatch(/left in the folder/);
    expect(fs.readdirSync(dir).sort()).toEqual(['broken.jpg', 'x.png', 'x.txt', 'y.gif', 'y.png']);
    // Deleting an in-place dataset never deletes the user's folder.
    studio.datasets.delete('in place', true);
    expect(fs.existsSync(path.join(dir, 'x.png'))).toBe(true);
  }, 60_000);

  test('zip bombs and unreadable archives are refused with a reason; a browser upload imports like a folder', async () => {
    studio = await makeStudio();
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'not really.zip'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 7)]));
    const report = await studio.datasets.importNow({ name: 'zips', sources: [path.join(dir, 'not really.zip')] });
    expect(report.entries).toEqual([{ source: 'not really.zip', outcome: 'rejected', file: null, reason: expect.stringMatching(/not a readable zip archive/) as unknown as string }]);

    // Upload: chunks in order, then an import by uploadId; the staging folder is removed.
    const bytes = await patterned(512, 512, 41);
    const zip = storedZip([{ name: 'p/one.jpg', data: bytes }, { name: 'p/one.txt', data: Buffer.from('uploaded caption') }]);
    const half = Math.floor(zip.length / 2);
    const id = 'upload-0001';
    await studio.dispatch('datasets.upload', { uploadId: id, file: 'drop/set.zip', offset: 0, dataBase64: zip.subarray(0, half).toString('base64') });
    const bad = await studio.dispatch('datasets.upload', { uploadId: id, file: 'drop/set.zip', offset: 0, dataBase64: 'AAAA' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await studio.dispatch('datasets.upload', { uploadId: id, file: 'drop/set.zip', offset: half, dataBase64: zip.subarray(half).toString('base64') });
    const traversal = await studio.dispatch('datasets.upload', { uploadId: id, file: '../evil.jpg', offset: 0, dataBase64: 'AAAA' });
    expect(traversal).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'file' } });
    const up = await studio.datasets.importNow({ name: 'zips', uploadId: id });
    expect(up.entries.map((e) => [e.source, e.outcome, e.file])).toEqual([
      ['drop/set.zip', 'ignored', null],
      ['drop/set.zip!p/one.jpg', 'accepted', 'one.jpg'],
      ['drop/set.zip!p/one.txt', 'caption', 'one.txt'],
    ]);
    expect(fs.existsSync(path.join(studio.info.dataDir, 'tmp', 'uploads', id))).toBe(false);
  }, 60_000);

  test('import through the contract is a job whose result summarises the report', async () => {
    studio = await makeStudio();
    const src = tempDir();
    fs.writeFileSync(path.join(src, 'a.jpg'), await patterned(512, 512, 51));
    const res = await studio.dispatch('datasets.import', { name: 'via job', sources: [src] });
    if (!res.ok) throw new Error(res.error.message);
    await studio.jobs.whenIdle();
    const job = studio.jobs.get((res.data as { id: string }).id);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ dataset: 'via job', totals: { accepted: 1 } });
    const bad = await studio.dispatch('datasets.import', { name: 'bad/name', sources: [src] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'name' } });
  }, 60_000);
});
