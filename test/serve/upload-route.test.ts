// The browser's upload route (issue 17, item 3 and 7): raw chunks up to the shared
// constant, a 413 the client can read past it, names and quotas checked, quotas kept
// across a restart, and an upload that imports like a dropped folder.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_OPEN_UPLOADS, MAX_UPLOAD_CHUNK_BYTES } from '@shared/contract/datasets';
import { startServer } from '../../src-main/serve/server';
import { makeStudio, tempDir } from '../helpers/studio';
import { patterned } from '../datasets/fixtures';
import { raw, startHarness, type Harness } from './serve-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const octet = () => ({ 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${h.server.token}` });
const put = (id: string, file: string, offset: number, body: Buffer, headers = octet()) =>
  raw(h.server.port, 'POST', `/api/upload/${id}?file=${encodeURIComponent(file)}&offset=${offset}`, headers, body);

describe('the binary upload route', () => {
  test('a chunk of exactly the limit is stored; one byte more is a 413 that fetch reads as a reply', async () => {
    const full = Buffer.alloc(MAX_UPLOAD_CHUNK_BYTES, 7);
    const ok = await put('up-limit-0001', 'big.bin.jpg', 0, full);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, data: { received: MAX_UPLOAD_CHUNK_BYTES } });
    // fetch (undici), like a browser: the reply arrives, not "connection reset".
    const res = await fetch(`http://127.0.0.1:${h.server.port}/api/upload/up-limit-0002?file=a.jpg&offset=0`, {
      method: 'POST',
      headers: octet(),
      body: Buffer.alloc(MAX_UPLOAD_CHUNK_BYTES + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ ok: false, error: { message: `upload: a chunk is at most ${MAX_UPLOAD_CHUNK_BYTES / 2 ** 20} MiB (send the file in slices of that size)` } });
    expect(fs.existsSync(path.join(h.studio.info.dataDir, 'tmp', 'uploads', 'up-limit-0002'))).toBe(false);
  });

  test('bad requests are 4xx with the field named', async () => {
    const one = Buffer.from('x');
    expect((await put('up-bad-0001', 'a.jpg', 0, one, { ...octet(), 'Content-Type': 'application/json' })).status).toBe(415);
    expect((await raw(h.server.port, 'GET', '/api/upload/up-bad-0001?file=a.jpg&offset=0', octet())).status).toBe(405);
    expect(JSON.parse((await put('short', 'a.jpg', 0, one)).body)).toMatchObject({ error: { field: 'uploadId' } });
    expect(JSON.parse((await put('up-bad-0001', 'a.jpg', -1, one)).body)).toMatchObject({ error: { field: 'offset' } });
    expect(JSON.parse((await raw(h.server.port, 'POST', '/api/upload/up-bad-0001?file=a.jpg&offset=1e3', octet(), one)).body)).toMatchObject({ error: { field: 'offset' } });
    expect(JSON.parse((await raw(h.server.port, 'POST', '/api/upload/up-bad-0001?offset=0', octet(), one)).body)).toMatchObject({ error: { field: 'file' } });
    expect(JSON.parse((await put('up-bad-0001', 'a.jpg', 5, one)).body)).toMatchObject({ ok: false, error: { code: 'conflict', field: 'offset' } });
    // Names: traversal, bidi override, trailing space or dot, device names, control characters.
    for (const name of ['../evil.jpg', 'a/../../b.jpg', 'gpj\u202Eexe.jpg', 'photo.jpg ', ' photo.jpg', 'photo.', 'CON.png', 'lpt1', 'a\u0007.jpg', 'a\\b.jpg', 'C:x.jpg']) {
      const res = JSON.parse((await put('up-bad-0002', name, 0, one)).body) as unknown;
      expect(res, name).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'file' } });
    }
    expect(fs.existsSync(path.join(h.studio.info.dataDir, 'tmp', 'uploads', 'up-bad-0002'))).toBe(false);
  });

  test('an upload of real photos imports into a dataset; a top-level hidden file is skipped like one in a folder', async () => {
    const a = await patterned(640, 480, 3);
    const b = await patterned(640, 480, 4);
    const id = 'up-photos-0001';
    // a.jpg in two chunks, b.jpg in a folder, and a hidden file at the top.
    const half = Math.floor(a.length / 2);
    expect(JSON.parse((await put(id, 'a.jpg', 0, a.subarray(0, half))).body)).toEqual({ ok: true, data: { received: half } });
    expect(JSON.parse((await put(id, 'a.jpg', half, a.subarray(half))).body)).toEqual({ ok: true, data: { received: a.length } });
    expect(JSON.parse((await put(id, 'trip/b.jpg', 0, b)).body)).toMatchObject({ ok: true });
    expect(JSON.parse((await put(id, '.hidden.jpg', 0, b)).body)).toMatchObject({ ok: true });
    const report = await h.studio.datasets.importNow({ name: 'uploaded', uploadId: id });
    expect(report.entries.map((e) => [e.source, e.outcome])).toEqual([
      ['.hidden.jpg', 'ignored'],
      ['a.jpg', 'accepted'],
      ['trip/b.jpg', 'accepted'],
    ]);
    expect(fs.readFileSync(path.join(h.studio.datasets.dirOf('uploaded'), 'a.jpg')).equals(a)).toBe(true);
  });

  test(`at most ${MAX_OPEN_UPLOADS} uploads wait to be imported, and a restart does not reset that`, async () => {
    const dataDir = tempDir();
    const studio = await makeStudio({ dataDir });
    for (let i = 0; i < MAX_OPEN_UPLOADS; i++) studio.datasets.uploads.receive(`up-quota-${i}000`, 'a.jpg', 0, Buffer.from('x'));
    expect(() => studio.datasets.uploads.receive('up-quota-extra', 'a.jpg', 0, Buffer.from('x'))).toThrow(/uploads are already waiting/);
    await studio.close();
    const again = await makeStudio({ dataDir });
    const server = await startServer({ studio: again, rendererDir: tempDir(), port: 0 });
    try {
      const res = await raw(server.port, 'POST', '/api/upload/up-quota-extra?file=a.jpg&offset=0', { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${server.token}` }, Buffer.from('x'));
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'conflict', field: 'uploadId' } });
      // Existing uploads continue where they were.
      expect(again.datasets.uploads.receive('up-quota-0000', 'a.jpg', 1, Buffer.from('y'))).toEqual({ received: 2 });
    } finally {
      await server.close();
      await again.close();
    }
  });
});
