import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, TOKEN_COOKIE, type RunningServer } from '../../src-main/serve';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';

let studio: Studio;
let server: RunningServer;
let rendererDir: string;

beforeAll(async () => {
  studio = await makeStudio();
  rendererDir = tempDir('renderer-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Flux Studio</title>');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(path.dirname(rendererDir), 'outside.js'), 'nope');
  server = await startServer({ studio, rendererDir, port: 0 });
  const out = studio.settings.get().outputDir;
  fs.mkdirSync(path.join(out, '2026-11-22'), { recursive: true });
  fs.writeFileSync(path.join(out, '2026-11-22', 'flux_1.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
});
afterAll(async () => {
  await server.close();
  await studio.close();
});

/** Raw HTTP (fetch would normalise ../ and refuse to set Host/Origin). */
function raw(method: string, p: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: p, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const auth = () => ({ Authorization: `Bearer ${server.token}` });
const json = { 'Content-Type': 'application/json' };

describe('serve', () => {
  test('prints a loopback URL with a long random token', () => {
    expect(server.openUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32,}$/);
  });

  test('everything needs the token: 401 without it or with a wrong one', async () => {
    for (const p of ['/', '/index.html', '/assets/app.js', '/media/output/2026-11-22/flux_1.jpg']) {
      expect((await raw('GET', p)).status).toBe(401);
    }
    expect((await raw('POST', '/api/call/settings.get', json, '{}')).status).toBe(401);
    expect((await raw('POST', '/api/call/settings.get', { ...json, Authorization: 'Bearer wrong' }, '{}')).status).toBe(401);
    expect((await raw('GET', '/', { Cookie: `${TOKEN_COOKIE}=wrong` })).status).toBe(401);
  });

  test('opening the page with ?token sets an HttpOnly SameSite=Strict cookie that then authenticates', async () => {
    const first = await raw('GET', `/?token=${server.token}`);
    expect(first.status).toBe(200);
    expect(first.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = first.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const cookieHeader = cookie.split(';')[0] ?? '';
    const reload = await raw('GET', '/', { Cookie: cookieHeader });
    expect(reload.status).toBe(200);
    expect(reload.body).toContain('Flux Studio');
    const call = await raw('POST', '/api/call/settings.get', { ...json, Cookie: cookieHeader }, '{}');
    expect(JSON.parse(call.body)).toMatchObject({ ok: true, data: { defaultRuntime: 'remote' } });
  });

  test('calls go through the same contract dispatcher', async () => {
    const ok = await raw('POST', '/api/call/settings.update', { ...json, ...auth() }, JSON.stringify({ defaultRuntime: 'local' }));
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, data: { defaultRuntime: 'local' } });
    const bad = await raw('POST', '/api/call/settings.update', { ...json, ...auth() }, JSON.stringify({ defaultRuntime: 7 }));
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'defaultRuntime' } });
    const garbage = await raw('POST', '/api/call/settings.update', { ...json, ...auth() }, '{not json');
    expect(JSON.parse(garbage.body)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const unknown = await raw('POST', '/api/call/nope', { ...json, ...auth() }, '{}');
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    // Form posts (no JSON content type) are refused before dispatch.
    expect((await raw('POST', '/api/call/settings.get', { 'Content-Type': 'text/plain', ...auth() }, '{}')).status).toBe(415);
    expect((await raw('GET', '/api/call/settings.get', auth())).status).toBe(405);
  });

  test('cross-origin and foreign-Host requests are refused even with the token', async () => {
    expect((await raw('POST', '/api/call/settings.get', { ...json, ...auth(), Origin: 'https://evil.example' }, '{}')).status).toBe(403);
    expect((await raw('POST', '/api/call/settings.get', { ...json, ...auth(), 'Sec-Fetch-Site': 'cross-site' }, '{}')).status).toBe(403);
    expect((await raw('GET', '/', { ...auth(), Host: 'evil.example' })).status).toBe(403);
    expect((await raw('GET', '/', { ...auth(), Host: `attacker.test:${server.port}` })).status).toBe(403);
    // Same-origin is fine.
    const same = await raw('POST', '/api/call/settings.get', { ...json, ...auth(), Origin: `http://127.0.0.1:${server.port}`, 'Sec-Fetch-Site': 'same-origin' }, '{}');
    expect(same.status).toBe(200);
  });

  test('static files stay inside the renderer folder; client routes fall back to the shell', async () => {
    expect((await raw('GET', '/assets/app.js', auth())).body).toBe('console.log(1)');
    expect((await raw('GET', '/../outside.js', auth())).status).not.toBe(200);
    // The URL parser folds %2e%2e into "..", so this asks for /outside.js inside the folder: absent.
    const encoded = await raw('GET', '/%2e%2e/outside.js', auth());
    expect(encoded.status).toBe(404);
    expect(encoded.body).not.toContain('nope');
    expect((await raw('GET', '/assets/missing.js', auth())).status).toBe(404);
    expect((await raw('GET', '/settings', auth())).body).toContain('Flux Studio');
  });

  test('media comes only from allow-listed roots', async () => {
    const img = await raw('GET', '/media/output/2026-11-22/flux_1.jpg', auth());
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect((await raw('GET', '/media/output/..%2f..%2fstudio.db', auth())).status).toBe(403);
    // Folded by the URL parser to /media/logs/studio.log: "logs" is not a media root.
    expect((await raw('GET', '/media/output/%2e%2e/logs/studio.log', auth())).status).toBe(404);
    expect((await raw('GET', '/media/output/..%5c..%5cstudio.db', auth())).status).toBe(403);
    expect((await raw('GET', '/media/output/' + encodeURIComponent(studio.info.dataDir + '/studio.db'), auth())).status).not.toBe(200);
    expect((await raw('GET', '/media/nowhere/x.jpg', auth())).status).toBe(404);
  });

  test('WebSocket events need the token and a same-site origin; events arrive as {event, payload}', async () => {
    const url = `ws://127.0.0.1:${server.port}/api/events`;
    const refused = (headers: Record<string, string>, u = url) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(u, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => undefined);
      });
    expect(await refused({})).toBe(401);
    expect(await refused({ Origin: 'https://evil.example', ...auth() })).toBe(403);
    expect(await refused(auth(), `ws://127.0.0.1:${server.port}/api/other`)).toBe(403);

    const ws = new WebSocket(url, { headers: { ...auth(), Origin: `http://127.0.0.1:${server.port}` } });
    await new Promise((r) => ws.on('open', r));
    const got = new Promise<unknown>((resolve) => ws.on('message', (m: Buffer) => {
      const msg = JSON.parse(m.toString()) as { event: string; payload: unknown };
      if (msg.event === 'settings.changed') resolve(msg);
    }));
    await raw('POST', '/api/call/settings.update', { ...json, ...auth() }, JSON.stringify({ openAfterGenerate: false }));
    expect(await got).toMatchObject({ event: 'settings.changed', payload: { openAfterGenerate: false } });
    ws.close();
  });
});
