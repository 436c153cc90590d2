import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { resolveMediaPath, type MediaRoots } from '../../src-main/media/media-roots';
import { tempDir } from '../helpers/studio';

let roots: MediaRoots;
let outside: string;

beforeAll(() => {
  const base = tempDir();
  roots = { output: path.join(base, 'out'), thumbs: path.join(base, 'thumbs'), datasets: path.join(base, 'datasets'), sources: { src1: path.join(base, 'photos') } };
  for (const r of [roots.output, roots.thumbs, roots.datasets, path.join(base, 'photos')]) fs.mkdirSync(r, { recursive: true });
  fs.writeFileSync(path.join(base, 'photos', 'holiday.webp'), 'webp');
  fs.mkdirSync(path.join(roots.output, '2026-11-22'));
  fs.writeFileSync(path.join(roots.output, '2026-11-22', 'flux_20261122_101010_42.jpg'), 'jpeg');
  fs.writeFileSync(path.join(roots.datasets, 'ünï cödé & "quotes".png'), 'png');
  fs.writeFileSync(path.join(roots.output, 'notes.txt'), 'text');
  outside = path.join(base, 'secret.jpg');
  fs.writeFileSync(outside, 'not yours');
  fs.symlinkSync(outside, path.join(roots.output, 'link.jpg'));
  fs.symlinkSync(base, path.join(roots.output, 'dirlink'));
});

describe('media roots', () => {
  test('serves images under an allowed root, including Unicode and quotes in names', () => {
    expect(resolveMediaPath(roots, 'output', '2026-11-22/flux_20261122_101010_42.jpg')).toEqual({
      ok: true,
      file: fs.realpathSync(path.join(roots.output, '2026-11-22', 'flux_20261122_101010_42.jpg')),
    });
    const name = encodeURIComponent('ünï cödé & "quotes".png');
    expect(resolveMediaPath(roots, 'datasets', name)).toMatchObject({ ok: true });
  });

  test.each([
    ['../secret.jpg', 403],
    ['2026-11-22/../../secret.jpg', 403],
    ['%2e%2e/secret.jpg', 403],
    ['%2e%2e%2fsecret.jpg', 403],
    ['..%5csecret.jpg', 403],
    ['C:%5cWindows%5cwin.jpg', 403],
    ['%5c%5cserver%5cshare%5cx.jpg', 403],
    ['a%00.jpg', 400],
    ['%E0%A4%A', 400],
    ['notes.txt', 403],
    ['link.jpg', 403],
    ['dirlink/secret.jpg', 403],
    ['missing.jpg', 404],
    ['', 404],
  ])('refuses %s', (p, status) => {
    const r = resolveMediaPath(roots, 'output', p);
    expect(r).toMatchObject({ ok: false, status });
  });

  test('absolute paths are confined to the root, never read from the filesystem root', () => {
    // "/etc/passwd.jpg" after the root name is "<root>/etc/passwd.jpg", which does not exist.
    expect(resolveMediaPath(roots, 'output', encodeURIComponent(outside))).toMatchObject({ ok: false, status: 404 });
    expect(resolveMediaPath(roots, 'output', '/' + outside)).toMatchObject({ ok: false });
  });

  test('gallery sources are addressed by id and confined to their folder', () => {
    expect(resolveMediaPath(roots, 'source', 'src1/holiday.webp')).toMatchObject({ ok: true });
    expect(resolveMediaPath(roots, 'source', 'src1/../out/2026-11-22/flux_20261122_101010_42.jpg')).toMatchObject({ ok: false, status: 403 });
    expect(resolveMediaPath(roots, 'source', 'nope/holiday.webp')).toMatchObject({ ok: false, status: 404 });
    expect(resolveMediaPath(roots, 'source', '__proto__/holiday.webp')).toMatchObject({ ok: false, status: 404 });
    expect(resolveMediaPath(roots, 'source', 'src1')).toMatchObject({ ok: false });
  });

  test('unknown roots are refused', () => {
    expect(resolveMediaPath(roots, 'home', 'x.jpg')).toMatchObject({ ok: false, status: 404 });
    expect(resolveMediaPath(roots, '__proto__', 'x.jpg')).toMatchObject({ ok: false, status: 404 });
  });
});
