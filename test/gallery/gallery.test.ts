// The gallery over a real studio: real SQLite, real image files made with sharp, with
// parameters written by the studio's own metadata writer.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { CallName, CallResponse, Envelope, EventPayload, GalleryImage } from '@shared/contract';
import { resolveMediaPath } from '../../src-main/media/media-roots';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';
import { writeImage } from './helpers';

const open: Studio[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function studioWith(opts: { watch?: boolean } = {}) {
  const dataDir = tempDir('flux-gallery-');
  const xdg = tempDir('flux-gallery-xdg-');
  const studio = await makeStudio({ dataDir, env: { XDG_DATA_HOME: xdg }, watchGallery: opts.watch ?? false });
  open.push(studio);
  const changes: EventPayload<'gallery.changed'>[] = [];
  studio.events.subscribe((name, payload) => {
    if (name === 'gallery.changed') changes.push(payload as EventPayload<'gallery.changed'>);
  });
  return { studio, dataDir, xdg, out: studio.settings.get().outputDir, changes };
}

async function call<K extends CallName>(studio: Studio, name: K, payload: unknown): Promise<CallResponse<K>> {
  const env = (await studio.dispatch(name, payload)) as Envelope<CallResponse<K>>;
  if (!env.ok) throw new Error(`${name}: ${env.error.code}: ${env.error.message}`);
  return env.data;
}

async function callError(studio: Studio, name: CallName, payload: unknown) {
  const env = await studio.dispatch(name, payload);
  if (env.ok) throw new Error(`${name} succeeded`);
  return env.error;
}

async function rescan(studio: Studio) {
  const job = await call(studio, 'gallery.rescan', {});
  await studio.jobs.whenIdle();
  const done = studio.jobs.get(job.id);
  expect(done.state).toBe('succeeded');
  return done;
}

const ids = (items: GalleryImage[]) => items.map((i) => i.fileName).sort();

/** A small library: five images with different parameters and dates. */
async function library(out: string) {
  const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));
  await writeImage(path.join(out, '2026-01-01', 'cat.jpg'), {
    params: { prompt: 'a ginger cat sleeping on a windowsill', model: 'flux-dev', runtime: 'remote', seed: 1, steps: 28, guidance: 3.5 },
    mtime: day(1),
    seed: 1,
  });
  await writeImage(path.join(out, '2026-01-02', 'dog.png'), {
    params: { prompt: 'a dog running on the beach at sunset', model: 'flux-schnell', runtime: 'local', seed: 2, steps: 4 },
    width: 128,
    height: 96,
    mtime: day(2),
    seed: 2,
  });
  await writeImage(path.join(out, '2026-01-03', 'cafe.webp'), {
    params: { prompt: 'Café au lait in a Parisian café, Ünïcode ☕ and 東京の夜景', model: 'flux-dev', runtime: 'local', seed: 3 },
    mtime: day(3),
    seed: 3,
  });
  await writeImage(path.join(out, '2026-01-04', 'catalog.jpg'), {
    params: { prompt: 'catalogue photo of a red chair', negativePrompt: 'blurry', model: 'sdxl', runtime: 'remote', seed: 4 },
    width: 200,
    height: 200,
    mtime: day(4),
    seed: 4,
  });
  await writeImage(path.join(out, 'plain.jpg'), { mtime: day(5), seed: 5 });
}

describe('gallery index', () => {
  test('the output folder is a source; a scan indexes every image with its parameters', async () => {
    const { studio, out, changes } = await studioWith();
    await library(out);
    const sources = await call(studio, 'gallery.sources', {});
    expect(sources).toEqual([expect.objectContaining({ id: 'output', kind: 'output', path: out })]);

    const job = await rescan(studio);
    expect(job.progress?.step).toBe(5);
    expect(changes.reduce((n, c) => n + c.added, 0)).toBe(5);

    const all = await call(studio, 'gallery.search', {});
    expect(all.total).toBe(5);
    expect(all.items.map((i) => i.fileName)).toEqual(['plain.jpg', 'catalog.jpg', 'cafe.webp', 'dog.png', 'cat.jpg']); // newest first
    const cat = all.items.find((i) => i.fileName === 'cat.jpg') as GalleryImage;
    expect(cat.params).toMatchObject({ prompt: 'a ginger cat sleeping on a windowsill', model: 'flux-dev', runtime: 'remote', seed: 1, steps: 28, guidance: 3.5 });
    expect(cat.broken).toBeNull();
    expect(cat.width).toBe(64);
    expect(cat.format).toBe('jpeg');
    expect(cat.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(cat.thumbSmall).toBeTruthy();
    expect(fs.existsSync(path.join(studio.info.dataDir, 'thumbs', cat.thumbSmall as string))).toBe(true);
    expect(fs.existsSync(path.join(studio.info.dataDir, 'thumbs', cat.thumbLarge as string))).toBe(true);
    expect(cat.media).toEqual({ root: 'output', rel: '2026-01-01/cat.jpg' });
    expect(await call(studio, 'gallery.get', { id: cat.id })).toEqual(cat);

    // A second scan changes nothing (unchanged by size and mtime).
    const again = await rescan(studio);
    expect((again.result as { sources: { unchanged: number; added: number }[] }).sources[0]).toMatchObject({ unchanged: 5, added: 0 });
    expect((await call(studio, 'gallery.search', {})).total).toBe(5);
  });

  test('search: prompt words, prefixes, unicode, FTS syntax is inert', async () => {
    const { studio, out } = await studioWith();
    await library(out);
    await rescan(studio);
    const find = async (text: string, extra: object = {}) => ids((await call(studio, 'gallery.search', { text, ...extra })).items);
    expect(await find('cat')).toEqual(['cat.jpg', 'catalog.jpg']); // prefix: cat, catalogue
    expect(await find('ginger cat')).toEqual(['cat.jpg']); // every word
    expect(await find('GINGER')).toEqual(['cat.jpg']);
    expect(await find('sun')).toEqual(['dog.png']);
    expect(await find('cafe')).toEqual(['cafe.webp']); // diacritics folded
    expect(await find('café')).toEqual(['cafe.webp']);
    expect(await find('unicode')).toEqual(['cafe.webp']);
    expect(await find('東京の夜景')).toEqual(['cafe.webp']);
    expect(await find('blurry')).toEqual(['catalog.jpg']); // negative prompt too
    expect(await find('zebra')).toEqual([]);
    for (const nasty of ['"', 'cat"', 'cat OR dog', 'NEAR(cat dog)', '*', 'cat*', '-cat', 'prompt:cat', '(', ')"(', '^cat', "'; DROP TABLE images; --"]) {
      const env = await studio.dispatch('gallery.search', { text: nasty });
      expect(env.ok, nasty).toBe(true);
    }
    expect(await find('cat OR dog')).toEqual([]); // "or" is a word, not an operator
    expect(await find('   ')).toHaveLength(5);
    const rel = await call(studio, 'gallery.search', { text: 'cat', sort: 'relevance' });
    expect(ids(rel.items)).toEqual(['cat.jpg', 'catalog.jpg']);
    expect(rel.total).toBe(2);
    // bm25: the image whose prompt says it twice comes first.
    const twice = await call(studio, 'gallery.search', { text: 'a', sort: 'relevance', limit: 1 });
    expect(twice.total).toBe(4);
  });

  test('filters, sorts, paging and facets', async () => {
    const { studio, out } = await studioWith();
    await library(out);
    await rescan(studio);
    const find = async (q: object) => ids((await call(studio, 'gallery.search', q)).items);
    expect(await find({ models: ['flux-dev'] })).toEqual(['cafe.webp', 'cat.jpg']);
    expect(await find({ models: ['flux-dev', 'sdxl'] })).toEqual(['cafe.webp', 'cat.jpg', 'catalog.jpg']);
    expect(await find({ runtimes: ['local'] })).toEqual(['cafe.webp', 'dog.png']);
    expect(await find({ runtimes: ['unknown'] })).toEqual(['plain.jpg']);
    expect(await find({ runtimes: ['remote', 'unknown'] })).toEqual(['cat.jpg', 'catalog.jpg', 'plain.jpg']);
    expect(await find({ from: '2026-01-02', to: '2026-01-03' })).toEqual(['cafe.webp', 'dog.png']);
    expect(await find({ from: '2026-01-04T00:00:00Z' })).toEqual(['catalog.jpg', 'plain.jpg']);
    expect(await find({ minWidth: 100 })).toEqual(['catalog.jpg', 'dog.png']);
    expect(await find({ minWidth: 100, minHeight: 100 })).toEqual(['catalog.jpg']);
    expect(await find({ text: 'cat', models: ['sdxl'] })).toEqual(['catalog.jpg']);
    expect((await callError(studio, 'gallery.search', { from: 'yesterday-ish' })).field).toBe('from');

    const all = (await call(studio, 'gallery.search', {})).items;
    const byName = Object.fromEntries(all.map((i) => [i.fileName, i.id]));
    expect(await call(studio, 'gallery.setFavourite', { ids: [byName['dog.png'], byName['cat.jpg']], favourite: true })).toEqual({ updated: 2 });
    expect(await find({ favourite: true })).toEqual(['cat.jpg', 'dog.png']);
    expect(await find({ favourite: false })).toHaveLength(3);
    await call(studio, 'gallery.setTags', { id: byName['dog.png'], tags: ['beach', 'pets', 'pets '] });
    const tagged = await call(studio, 'gallery.setTags', { id: byName['cat.jpg'], tags: ['pets'] });
    expect(tagged.tags).toEqual(['pets']);
    expect(await find({ tags: ['pets'] })).toEqual(['cat.jpg', 'dog.png']);
    expect(await find({ tags: ['pets', 'beach'] })).toEqual(['dog.png']);
    expect(await find({ text: 'beach' })).toEqual(['dog.png']); // tags are searchable text

    const order = async (sort: string) => (await call(studio, 'gallery.search', { sort })).items.map((i) => i.fileName);
    expect(await order('oldest')).toEqual(['cat.jpg', 'dog.png', 'cafe.webp', 'catalog.jpg', 'plain.jpg']);
    expect(await order('name')).toEqual(['cafe.webp', 'cat.jpg', 'catalog.jpg', 'dog.png', 'plain.jpg']);
    const largest = (await call(studio, 'gallery.search', { sort: 'largest' })).items.map((i) => i.sizeBytes);
    expect(largest).toEqual([...largest].sort((a, b) => b - a));

    const page = await call(studio, 'gallery.search', { sort: 'oldest', limit: 2, offset: 2 });
    expect(page).toMatchObject({ total: 5, offset: 2 });
    expect(page.items.map((i) => i.fileName)).toEqual(['cafe.webp', 'catalog.jpg']);

    const facets = await call(studio, 'gallery.facets', {});
    expect(facets.total).toBe(5);
    expect(facets.favourites).toBe(2);
    expect(facets.models).toEqual([
      { value: 'flux-dev', count: 2 },
      { value: 'flux-schnell', count: 1 },
      { value: 'sdxl', count: 1 },
    ]);
    expect(facets.runtimes).toEqual(expect.arrayContaining([{ value: 'local', count: 2 }, { value: 'remote', count: 2 }, { value: 'unknown', count: 1 }]));
    expect(facets.tags).toEqual([
      { value: 'pets', count: 2 },
      { value: 'beach', count: 1 },
    ]);

    // Every filter and sort is served by an index (no full scan of images).
    const plan = studio.db
      .prepare(`EXPLAIN QUERY PLAN SELECT * FROM images i WHERE i.model IN ('flux-dev') ORDER BY i.created_at DESC, i.id DESC LIMIT 100`)
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX images_model/);
  });

  test('moved files are re-found by hash (favourite and tags kept); removed files dropped; broken files indexed as broken', async () => {
    const { studio, out } = await studioWith();
    await library(out);
    await rescan(studio);
    const cat = (await call(studio, 'gallery.search', { text: 'ginger' })).items[0] as GalleryImage;
    await call(studio, 'gallery.setFavourite', { ids: [cat.id], favourite: true });
    await call(studio, 'gallery.setTags', { id: cat.id, tags: ['keeper'] });

    fs.mkdirSync(path.join(out, 'moved'));
    fs.renameSync(cat.path, path.join(out, 'moved', 'renamed-cat.jpg'));
    fs.rmSync(path.join(out, 'plain.jpg'));
    fs.writeFileSync(path.join(out, 'junk.png'), 'this is not a png at all');
    const full = await writeImage(path.join(out, 'whole.jpg'), { seed: 9, width: 256, height: 256 });
    fs.writeFileSync(path.join(out, 'truncated.jpg'), full.subarray(0, Math.floor(full.length / 2)));
    fs.rmSync(path.join(out, 'whole.jpg'));

    const job = await rescan(studio);
    expect((job.result as { sources: object[] }).sources[0]).toMatchObject({ moved: 1, removed: 1, broken: 2 });
    const moved = await call(studio, 'gallery.get', { id: cat.id });
    expect(moved.path).toBe(path.join(out, 'moved', 'renamed-cat.jpg'));
    expect(moved.media.rel).toBe('moved/renamed-cat.jpg');
    expect(moved.favourite).toBe(true);
    expect(moved.tags).toEqual(['keeper']);
    expect(ids((await call(studio, 'gallery.search', { text: 'ginger' })).items)).toEqual(['renamed-cat.jpg']);

    const all = (await call(studio, 'gallery.search', { limit: 500 })).items;
    expect(all.find((i) => i.fileName === 'plain.jpg')).toBeUndefined();
    const junk = all.find((i) => i.fileName === 'junk.png') as GalleryImage;
    const trunc = all.find((i) => i.fileName === 'truncated.jpg') as GalleryImage;
    expect(junk.broken).toMatch(/\w/);
    expect(trunc.broken).toMatch(/\w/);
    expect(trunc.thumbSmall).toBeNull();
    expect(all).toHaveLength(6);
  });

  test('files still being written are never indexed: atomic-write temp names and hidden files', async () => {
    const { studio, out } = await studioWith();
    const bytes = await writeImage(path.join(out, 'done.jpg'), { seed: 1 });
    fs.writeFileSync(path.join(out, `.flux_20260101_120000_7.jpg.${process.pid}.${Date.now()}.tmp`), bytes.subarray(0, 100));
    fs.writeFileSync(path.join(out, '.hidden.jpg'), bytes);
    fs.writeFileSync(path.join(out, 'download.jpg.partial'), bytes);
    await rescan(studio);
    expect(ids((await call(studio, 'gallery.search', {})).items)).toEqual(['done.jpg']);
  });

  test('added folders: validation, media through the source root, removal', async () => {
    const { studio, out } = await studioWith();
    const folder = tempDir('flux-gallery-src-');
    await writeImage(path.join(folder, 'sub dir', 'one ü.jpg'), { params: { prompt: 'from a folder' }, seed: 1 });
    await writeImage(path.join(out, 'two.jpg'), { seed: 2 });

    expect((await callError(studio, 'gallery.addSource', { path: path.join(folder, 'missing') })).code).toBe('not_found');
    expect((await callError(studio, 'gallery.addSource', { path: path.join(folder, 'sub dir', 'one ü.jpg') })).field).toBe('path');
    expect((await callError(studio, 'gallery.addSource', { path: path.join(out, 'x') })).code).toBe('not_found');
    fs.mkdirSync(path.join(out, 'inner'));
    expect((await callError(studio, 'gallery.addSource', { path: path.join(out, 'inner') })).code).toBe('conflict');

    const src = await call(studio, 'gallery.addSource', { path: folder });
    expect(src).toMatchObject({ kind: 'folder', path: folder });
    expect((await callError(studio, 'gallery.addSource', { path: folder })).code).toBe('conflict');
    expect((await callError(studio, 'gallery.addSource', { path: path.join(folder, 'sub dir') })).code).toBe('conflict');
    await studio.jobs.whenIdle();
    await rescan(studio);

    const roots = studio.mediaRoots();
    expect(roots.sources[src.id]).toBe(folder);
    const items = (await call(studio, 'gallery.search', {})).items;
    expect(items).toHaveLength(2);
    for (const img of items) {
      const r = resolveMediaPath(roots, img.media.root, img.media.rel.split('/').map(encodeURIComponent).join('/'));
      expect(r).toEqual({ ok: true, file: fs.realpathSync(img.path) });
      const t = resolveMediaPath(roots, 'thumbs', img.thumbSmall as string);
      expect(t.ok).toBe(true);
    }
    const one = items.find((i) => i.sourceId === src.id) as GalleryImage;
    expect(one.media).toEqual({ root: 'source', rel: `${src.id}/sub dir/one ü.jpg` });
    expect(ids((await call(studio, 'gallery.search', { sourceIds: [src.id] })).items)).toEqual(['one ü.jpg']);
    expect(studio.isStudioPath(one.path)).toBe(true);

    expect((await callError(studio, 'gallery.removeSource', { id: 'output' })).code).toBe('conflict');
    expect(await call(studio, 'gallery.removeSource', { id: src.id })).toEqual({ removed: true });
    expect(await call(studio, 'gallery.removeSource', { id: src.id })).toEqual({ removed: false });
    expect(ids((await call(studio, 'gallery.search', {})).items)).toEqual(['two.jpg']);
    expect(fs.existsSync(one.path)).toBe(true); // files stay where they are
  });

  test('the output source follows Settings.outputDir', async () => {
    const { studio } = await studioWith();
    const next = tempDir('flux-gallery-out2-');
    await writeImage(path.join(next, 'new-out.jpg'), { seed: 1 });
    await call(studio, 'settings.update', { outputDir: next });
    expect((await call(studio, 'gallery.sources', {})).find((s) => s.id === 'output')?.path).toBe(next);
    await rescan(studio);
    const img = (await call(studio, 'gallery.search', {})).items[0] as GalleryImage;
    expect(img.media).toEqual({ root: 'output', rel: 'new-out.jpg' });

    // The output folder moved inside an added folder: its files stay the output source's, once.
    const outer = tempDir('flux-gallery-outer-');
    await writeImage(path.join(outer, 'outer.jpg'), { seed: 2 });
    const src = await call(studio, 'gallery.addSource', { path: outer });
    await studio.jobs.whenIdle();
    await writeImage(path.join(outer, 'out3', 'inner.jpg'), { seed: 3 });
    await call(studio, 'settings.update', { outputDir: path.join(outer, 'out3') });
    await rescan(studio);
    await rescan(studio);
    const items = (await call(studio, 'gallery.search', {})).items;
    expect(items.map((i) => [i.fileName, i.sourceId]).sort()).toEqual([
      ['inner.jpg', 'output'],
      ['outer.jpg', src.id],
    ]);
  });

  test('the watcher picks up new and removed files', async () => {
    const { studio, out, changes } = await studioWith({ watch: true });
    await studio.jobs.whenIdle();
    expect((await call(studio, 'gallery.sources', {}))[0]?.watching).toBe(true);
    // Written the way the studio writes: temp file, then rename.
    const bytes = await writeImage(path.join(tempDir(), 'x.jpg'), { params: { prompt: 'watched lighthouse' }, seed: 3 });
    const day = path.join(out, '2026-02-02');
    fs.mkdirSync(day, { recursive: true });
    const tmp = path.join(day, `.new.jpg.${process.pid}.${Date.now()}.tmp`);
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, path.join(day, 'new.jpg'));
    let total = 0;
    for (let k = 0; k < 150 && total === 0; k++) {
      total = (await call(studio, 'gallery.search', { text: 'lighthouse' })).total;
      if (total === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(total).toBe(1);
    expect(changes.some((c) => c.added > 0)).toBe(true);

    fs.rmSync(path.join(day, 'new.jpg'));
    for (let k = 0; k < 150 && total === 1; k++) {
      total = (await call(studio, 'gallery.search', {})).total;
      if (total === 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(total).toBe(0);
  }, 30_000);

  test('delete hides rows and moves files; undo restores both; closing sends the rest to the trash', async () => {
    const { studio, out, dataDir, xdg } = await studioWith();
    await library(out);
    await rescan(studio);
    const all = (await call(studio, 'gallery.search', {})).items;
    const [a, b, c] = all as [GalleryImage, GalleryImage, GalleryImage];
    await call(studio, 'gallery.setFavourite', { ids: [a.id], favourite: true });

    const del = await call(studio, 'gallery.delete', { ids: [a.id, b.id] });
    expect(del.deleted).toBe(2);
    expect(fs.existsSync(a.path)).toBe(false);
    expect(fs.readdirSync(path.join(dataDir, 'trash-pending', del.undoToken)).sort()).toEqual(
      ['manifest.json', `0-${a.fileName}`, `1-${b.fileName}`].sort(),
    );
    expect((await call(studio, 'gallery.search', {})).total).toBe(3);
    expect((await callError(studio, 'gallery.get', { id: a.id })).code).toBe('not_found');
    // A rescan while the delete is pending neither drops nor resurrects the rows.
    await rescan(studio);
    expect((await call(studio, 'gallery.search', {})).total).toBe(3);

    expect(await call(studio, 'gallery.undoDelete', { undoToken: del.undoToken })).toEqual({ restored: 2 });
    expect(fs.existsSync(a.path)).toBe(true);
    expect((await call(studio, 'gallery.get', { id: a.id })).favourite).toBe(true);
    expect((await call(studio, 'gallery.search', {})).total).toBe(5);
    expect((await callError(studio, 'gallery.undoDelete', { undoToken: del.undoToken })).code).toBe('not_found');

    await call(studio, 'gallery.delete', { ids: [c.id] });
    expect(fs.existsSync(c.path)).toBe(false);
    open.splice(open.indexOf(studio), 1);
    await studio.close();
    // Headless Linux: the freedesktop trash, with its .trashinfo.
    if (process.platform === 'linux') {
      expect(fs.readdirSync(path.join(xdg, 'Trash', 'files'))).toEqual([c.fileName]);
      const info = fs.readFileSync(path.join(xdg, 'Trash', 'info', `${c.fileName}.trashinfo`), 'utf8');
      expect(info).toContain(`Path=${c.path.split('/').map(encodeURIComponent).join('/')}`);
      expect(info).toMatch(/DeletionDate=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\n/);
      expect(fs.readdirSync(path.join(dataDir, 'trash-pending'))).toEqual([]);
    }
    const reopened = await makeStudio({ dataDir, env: { XDG_DATA_HOME: xdg } });
    open.push(reopened);
    expect((await call(reopened, 'gallery.search', {})).total).toBe(4);
  });

  test('export copies with progress, never overwrites, and can be cancelled', async () => {
    const { studio, out } = await studioWith();
    await library(out);
    await rescan(studio);
    const all = (await call(studio, 'gallery.search', {})).items;
    const dest = path.join(tempDir(), 'export here');
    const progress: number[] = [];
    studio.events.subscribe((name, payload) => {
      if (name === 'job.progress') progress.push((payload as EventPayload<'job.progress'>).progress.step);
    });
    const job = await call(studio, 'gallery.export', { ids: all.map((i) => i.id), folder: dest });
    await studio.jobs.whenIdle();
    expect(studio.jobs.get(job.id).state).toBe('succeeded');
    expect(fs.readdirSync(dest).sort()).toEqual(ids(all));
    expect(progress).toEqual(expect.arrayContaining([1, 2, 3, 4, 5]));
    const second = await call(studio, 'gallery.export', { ids: [all[0]?.id], folder: dest });
    await studio.jobs.whenIdle();
    expect(studio.jobs.get(second.id).state).toBe('succeeded');
    const stem = path.basename(all[0]?.fileName as string, path.extname(all[0]?.fileName as string));
    expect(fs.readdirSync(dest)).toContain(`${stem}_2${path.extname(all[0]?.fileName as string)}`);
    expect(fs.readFileSync(path.join(dest, all[0]?.fileName as string))).toEqual(fs.readFileSync(all[0]?.path as string));

    expect((await callError(studio, 'gallery.export', { ids: ['999999'], folder: dest })).code).toBe('not_found');
    expect((await callError(studio, 'gallery.export', { ids: [all[0]?.id], folder: all[0]?.path })).field).toBe('folder');

    // Cancel: a big selection stops between files.
    const many = Array.from({ length: 3000 }, () => all.map((i) => i.id)).flat();
    const big = await call(studio, 'gallery.export', { ids: many.slice(0, 5), folder: path.join(tempDir(), 'c') });
    studio.jobs.cancel(big.id);
    await studio.jobs.whenIdle();
    expect(['cancelled', 'succeeded']).toContain(studio.jobs.get(big.id).state);
  });

  test('metadata.read: by path and by bytes; a non-image is a typed error', async () => {
    const { studio } = await studioWith();
    const file = path.join(tempDir(), 'p.png');
    const bytes = await writeImage(file, { params: { prompt: 'read me back', seed: 42, steps: 20, guidance: 4 }, format: 'png' });
    expect(await call(studio, 'metadata.read', { path: file })).toMatchObject({ prompt: 'read me back', seed: 42, steps: 20, guidance: 4 });
    expect(await call(studio, 'metadata.read', { dataBase64: bytes.toString('base64') })).toMatchObject({ prompt: 'read me back' });
    const junk = path.join(tempDir(), 'junk.jpg');
    fs.writeFileSync(junk, 'nope');
    const err = await callError(studio, 'metadata.read', { path: junk });
    expect(err).toMatchObject({ code: 'invalid_input', field: 'path' });
    expect(err.message).toMatch(/^not an image: /);
    expect(await callError(studio, 'metadata.read', { dataBase64: Buffer.from('GIF89a').toString('base64') })).toMatchObject({ code: 'invalid_input', field: 'dataBase64' });
    expect(await callError(studio, 'metadata.read', { path: path.dirname(junk) })).toMatchObject({ code: 'invalid_input', field: 'path' });
    expect((await callError(studio, 'metadata.read', { path: path.join(path.dirname(junk), 'missing.png') })).code).toBe('not_found');
  });

  test('gallery.open: headless says unsupported; a desktop platform opens the file', async () => {
    const { studio, out } = await studioWith();
    await writeImage(path.join(out, 'a.jpg'));
    await rescan(studio);
    const img = (await call(studio, 'gallery.search', {})).items[0] as GalleryImage;
    expect(await call(studio, 'gallery.open', { id: img.id })).toEqual({ supported: false });
    expect((await callError(studio, 'gallery.open', { id: 'nope' })).code).toBe('not_found');
  });
});
