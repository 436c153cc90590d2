// The app:// and app-media:// handlers, driven with Node's Request/Response exactly as
// protocol.handle would call them (the electron registration itself is one line each).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LogSink } from '../../src-main/logging/logger';
import type { MediaRoots } from '../../src-main/media/media-roots';
import { contentTypeFor, resolveAppAsset } from '../../src-main/app/app-assets';
import { PRODUCTION_CSP, devCsp } from '../../src-main/app/app-csp';
import { createAppHandler, createMediaHandler, fsFetchFile } from '../../src-main/app/protocol-handlers';
import { tempDir } from '../helpers/studio';

const log = new LogSink({ file: null, consoleLevel: 'silent', fileLevel: 'debug', maxBytes: 1e6, maxFiles: 2, redactions: () => [] }).logger('t');

let base: string;
let renderer: string;
let roots: MediaRoots;
const symlinks = process.platform !== 'win32';

beforeAll(() => {
  base = tempDir('flux-studio-app-');
  renderer = path.join(base, 'out', 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>studio</title>');
  fs.writeFileSync(path.join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(renderer, 'assets', 'index-abc.css'), 'body{}');
  fs.writeFileSync(path.join(renderer, 'assets', 'with space.svg'), '<svg/>');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'top secret');
  fs.mkdirSync(path.join(renderer, 'dir.js'));
  if (symlinks) {
    fs.symlinkSync(path.join(base, 'secret.txt'), path.join(renderer, 'assets', 'leak.js'));
    fs.symlinkSync(base, path.join(renderer, 'up'));
  }
  roots = {
    output: path.join(base, 'outputs'),
    thumbs: path.join(base, 'thumbs'),
    datasets: path.join(base, 'datasets'),
    sources: {},
  };
  for (const r of [roots.output, roots.thumbs, roots.datasets]) fs.mkdirSync(r, { recursive: true });
  fs.mkdirSync(path.join(roots.output, '2025-01-02'));
  fs.writeFileSync(path.join(roots.output, '2025-01-02', 'flux 1.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  fs.writeFileSync(path.join(base, 'outside.png'), Buffer.from([0x89, 0x50]));
  if (symlinks) fs.symlinkSync(path.join(base, 'outside.png'), path.join(roots.output, 'link.png'));
});

afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('resolveAppAsset', () => {
  test('serves index.html for / and files under the renderer with their content types', () => {
    const index = resolveAppAsset(renderer, 'app://studio/');
    expect(index).toMatchObject({ ok: true, contentType: 'text/html; charset=utf-8' });
    expect(resolveAppAsset(renderer, 'app://studio/index.html')).toMatchObject({ ok: true });
    expect(resolveAppAsset(renderer, 'app://studio/assets/index-abc.js')).toMatchObject({ ok: true, contentType: 'text/javascript; charset=utf-8' });
    expect(resolveAppAsset(renderer, 'app://studio/assets/index-abc.css')).toMatchObject({ ok: true, contentType: 'text/css; charset=utf-8' });
    expect(resolveAppAsset(renderer, 'app://studio/assets/with%20space.svg')).toMatchObject({ ok: true, contentType: 'image/svg+xml' });
  });

  test('an extension-less unknown path is a client route: index.html', () => {
    const r = resolveAppAsset(renderer, 'app://studio/gallery/recent');
    expect(r.ok && path.basename(r.file)).toBe('index.html');
  });

  test.each([
    ['app://studio/assets/missing.js', 404],
    ['app://studio/dir.js', 404],
    ['app://studio/%2e%2e/secret.txt', 404], // the URL parser already turns %2e%2e into .. and drops it
    ['app://studio/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt', 403],
    ['app://studio/assets/..%5c..%5c..%5csecret.txt', 403],
    ['app://studio/C:%5cWindows%5cwin.ini', 403],
    ['app://studio/index.html%00.js', 400],
    ['app://studio/%E0%A4%A', 400],
    ['app://other/index.html', 404],
    ['app-media://studio/index.html', 404],
    ['file:///etc/passwd', 404],
    ['not a url', 400],
  ])('%s → %i', (url, status) => {
    expect(resolveAppAsset(renderer, url)).toMatchObject({ ok: false, status });
  });

  test('dot segments the URL parser normalises away cannot climb out either', () => {
    const r = resolveAppAsset(renderer, 'app://studio/../../secret.txt');
    expect(r.ok).toBe(false);
  });

  test.skipIf(!symlinks)('symlinks leading out of the renderer are refused after realpath', () => {
    expect(resolveAppAsset(renderer, 'app://studio/assets/leak.js')).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppAsset(renderer, 'app://studio/up/secret.txt')).toMatchObject({ ok: false, status: 403 });
  });

  test('only GET and HEAD', () => {
    expect(resolveAppAsset(renderer, 'app://studio/', 'POST')).toMatchObject({ ok: false, status: 405 });
    expect(resolveAppAsset(renderer, 'app://studio/', 'HEAD')).toMatchObject({ ok: true });
  });

  test('a renderer that is not built answers 404', () => {
    expect(resolveAppAsset(path.join(base, 'nope'), 'app://studio/')).toMatchObject({ ok: false, status: 404 });
  });

  test('unknown extensions are served as bytes, not sniffed', () => {
    expect(contentTypeFor('x.bin')).toBe('application/octet-stream');
    expect(contentTypeFor('X.HTML')).toBe('text/html; charset=utf-8');
  });
});

describe('app:// handler', () => {
  const handler = () => createAppHandler(renderer, log);

  test('answers files with the CSP and nosniff headers', async () => {
    const res = await handler()(new Request('app://studio/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(PRODUCTION_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>studio</title>');
  });

  test('refusals carry the CSP too and no file content', async () => {
    const res = await handler()(new Request('app://studio/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt'));
    expect(res.status).toBe(403);
    expect(res.headers.get('content-security-policy')).toBe(PRODUCTION_CSP);
    expect(await res.text()).not.toContain('top secret');
  });

  test('HEAD has no body; POST is 405', async () => {
    const head = await handler()(new Request('app://studio/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await handler()(new Request('app://studio/index.html', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('app-media:// handler', () => {
  const handler = () => createMediaHandler(() => roots, fsFetchFile, log);

  test('serves an image under a root with its type', async () => {
    const res = await handler()(new Request('app-media://output/2025-01-02/flux%201.jpg'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
  });

  test.each([
    ['app-media://output/2025-01-02/missing.jpg', 404],
    ['app-media://nowhere/a.jpg', 404],
    ['app-media://output/%2e%2e/outside.png', 404], // normalised by the URL parser to /outside.png
    ['app-media://output/2025-01-02/%2e%2e%2f%2e%2e%2foutside.png', 403],
    ['app-media://output/..%2foutside.png', 403],
    ['app-media://output/2025-01-02/notes.txt', 403],
    ['app-media://output/%E0%A4%A.png', 400],
  ])('%s → %i', async (url, status) => {
    const res = await handler()(new Request(url));
    expect(res.status).toBe(status);
  });

  test.skipIf(!symlinks)('a symlink out of the root is refused', async () => {
    const res = await handler()(new Request('app-media://output/link.png'));
    expect(res.status).toBe(403);
  });

  test('roots are read per request (a changed output folder applies at once)', async () => {
    let current = roots;
    const h = createMediaHandler(() => current, fsFetchFile, log);
    expect((await h(new Request('app-media://output/2025-01-02/flux%201.jpg'))).status).toBe(200);
    current = { ...roots, output: path.join(base, 'thumbs') };
    expect((await h(new Request('app-media://output/2025-01-02/flux%201.jpg'))).status).toBe(404);
  });

  test('a failing file read is a 404, not a crash', async () => {
    const h = createMediaHandler(() => roots, () => Promise.reject(new Error('boom')), log);
    expect((await h(new Request('app-media://output/2025-01-02/flux%201.jpg'))).status).toBe(404);
  });

  test('only GET and HEAD', async () => {
    const res = await handler()(new Request('app-media://output/2025-01-02/flux%201.jpg', { method: 'DELETE' }));
    expect(res.status).toBe(405);
    const head = await handler()(new Request('app-media://output/2025-01-02/flux%201.jpg', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('CSP', () => {
  test('production policy: own scripts only, images from app-media, no network, no framing', () => {
    const directives = new Map(PRODUCTION_CSP.split('; ').map((d) => [d.split(' ')[0], d] as const));
    expect(directives.get('default-src')).toBe("default-src 'self'");
    expect(directives.get('script-src')).toBe("script-src 'self'");
    expect(directives.get('img-src')).toBe("img-src 'self' app-media: data: blob:");
    expect(directives.get('connect-src')).toBe("connect-src 'self'");
    expect(directives.get('object-src')).toBe("object-src 'none'");
    expect(directives.get('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(PRODUCTION_CSP).not.toContain('unsafe-eval');
    expect(directives.get('script-src')).not.toContain('unsafe-inline');
  });

  test('dev policy adds the dev server and its HMR websocket, nothing else', () => {
    const csp = devCsp('http://localhost:5173');
    expect(csp).toContain('connect-src \'self\' http://localhost:5173 ws://localhost:5173');
    expect(csp).not.toContain('*');
    expect(csp).not.toContain('unsafe-eval');
  });
});
