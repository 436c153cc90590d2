import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mediaExpiry, mediaKey, signMediaPath } from '@shared/media-signature';
import { authProtocol, EVENTS_PROTOCOL } from '@shared/serve-protocol';
import { raw as rawAt, startHarness, type Harness } from './serve-harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const out = h.studio.settings.get().outputDir;
  fs.mkdirSync(path.join(out, '2026-11-22'), { recursive: true });
  fs.writeFileSync(path.join(out, '2026-11-22', 'flux_1.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  // A real file whose name starts with two dots is inside the folder (issue 17, item 10).
  fs.writeFileSync(path.join(out, '..dots.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
});
afterAll(async () => {
  await h.close();
});

const raw = (method: string, p: string, headers: Record<string, string> = {}, body?: string) => rawAt(h.server.port, method, p, headers, body);
const auth = () => ({ Authorization: `Bearer ${h.server.token}` });
const json = { 'Content-Type': 'application/json' };
const nowS = () => Math.floor(Date.now() / 1000);
const signed = (pathname: string, exp = mediaExpiry(nowS()), token = h.server.token) => `${pathname}?exp=${exp}&sig=${signMediaPath(mediaKey(token), pathname, exp)}`;

describe('serve', () => {
  test('prints a loopback URL with a long random token', () => {
    expect(h.server.openUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32,}$/);
  });

  test('the API and media need the token; the renderer files are public and hold no data', async () => {
    expect((await raw('GET', '/media/output/2026-11-22/flux_1.jpg')).status).toBe(401);
    expect((await raw('POST', '/api/call/settings.get', json, '{}')).status).toBe(401);
    expect((await raw('POST', '/api/call/settings.get', { ...json, Authorization: 'Bearer wrong' }, '{}')).status).toBe(401);
    expect((await raw('POST', '/api/upload/up-12345678?file=a.jpg&offset=0', { 'Content-Type': 'application/octet-stream' }, 'x')).status).toBe(401);
    const shell = await raw('GET', '/');
    expect(shell.status).toBe(200);
    expect(shell.body).toContain('Flux Studio');
    expect((await raw('GET', '/assets/app.js')).body).toBe('console.log(1)');
  });

  test('no credential in any cookie: none is set, an old token cookie is ignored and expired, ?token authenticates nothing', async () => {
    const first = await raw('GET', `/?token=${h.server.token}`);
    expect(first.status).toBe(200);
    expect(first.headers['content-security-policy']).toContain("script-src 'self'");
    expect(first.headers['set-cookie']).toBeUndefined();
    const old = await raw('GET', '/', { Cookie: `flux_studio_token=${h.server.token}` });
    expect(old.headers['set-cookie']?.[0]).toMatch(/^flux_studio_token=; Max-Age=0/);
    expect((await raw('POST', '/api/call/settings.get', { ...json, Cookie: `flux_studio_token=${h.server.token}` }, '{}')).status).toBe(401);
    expect((await raw('POST', `/api/call/settings.get?token=${h.server.token}`, json, '{}')).status).toBe(401);
    expect((await raw('GET', `/media/output/2026-11-22/flux_1.jpg?token=${h.server.token}`)).status).toBe(401);
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

  test('a JSON body over the limit gets a readable 413, not a reset connection', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) });
    const res = await raw('POST', '/api/call/settings.get', { ...json, ...auth() }, big);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/over 1 MiB/) as unknown as string } });
  });

  test('cross-origin, foreign-Host and same-site (another port) requests are refused even with the token', async () => {
    expect((await raw('POST', '/api/call/settings.get', { ...json, ...auth(), Origin: 'https://evil.example' }, '{}')).status).toBe(403);
    expect((await raw('POST', '/api/call/settings.get', { ...json, ...auth(), Origin: 'http://127.0.0.1:1' }, '{}')).status).toBe(403);
    expect((await raw('POST', '/api/call/settings.get', { ...json, ...auth(), 'Sec-Fetch-Site': 'cross-site' }, '{}')).status).toBe(403);
    expect((await raw('GET', '/', { ...auth(), Host: 'evil.example' })).status).toBe(403);
    expect((await raw('GET', '/', { ...auth(), Host: `attacker.test:${h.server.port}` })).status).toBe(403);
    // An <img> on a page at another 127.0.0.1 port: same-site, no-cors. Refused even with a valid signature.
    const img = signed('/media/output/2026-11-22/flux_1.jpg');
    expect((await raw('GET', img, { 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image' })).status).toBe(403);
    expect((await raw('GET', '/media/output/2026-11-22/flux_1.jpg', { 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors' })).status).toBe(403);
    // A link from another local page to the studio (top-level navigation) still opens it.
    expect((await raw('GET', '/', { 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'navigate' })).status).toBe(200);
    // Same-origin is fine.
    const same = await raw('POST', '/api/call/settings.get', { ...json, ...auth(), Origin: `http://127.0.0.1:${h.server.port}`, 'Sec-Fetch-Site': 'same-origin' }, '{}');
    expect(same.status).toBe(200);
  });

  test('static files stay inside the renderer folder; client routes fall back to the shell', async () => {
    expect((await raw('GET', '/../outside.js')).status).not.toBe(200);
    // The URL parser folds %2e%2e into "..", so this asks for /outside.js inside the folder: absent.
    const encoded = await raw('GET', '/%2e%2e/outside.js');
    expect(encoded.status).toBe(404);
    expect(encoded.body).not.toContain('nope');
    expect((await raw('GET', '/assets/missing.js')).status).toBe(404);
    expect((await raw('GET', '/settings')).body).toContain('Flux Studio');
    expect((await raw('POST', '/')).status).toBe(405);
  });

  test('media: Bearer or a signed URL for that path, not expired and not too far ahead', async () => {
    const p = '/media/output/2026-11-22/flux_1.jpg';
    const img = await raw('GET', p, auth());
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect(img.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect((await raw('GET', signed(p))).status).toBe(200);
    expect((await raw('GET', signed(p), { 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Dest': 'image' })).status).toBe(200);
    // Another path's signature, a wrong key, an expired or far-future expiry, junk: 401.
    expect((await raw('GET', signed('/media/output/2026-11-22/other.jpg').replace('other.jpg', 'flux_1.jpg'))).status).toBe(401);
    expect((await raw('GET', signed(p, mediaExpiry(nowS()), 'another-token-of-some-length'))).status).toBe(401);
    expect((await raw('GET', signed(p, nowS() - 1))).status).toBe(401);
    expect((await raw('GET', signed(p, nowS() + 10 * 24 * 3600))).status).toBe(401);
    expect((await raw('GET', `${p}?exp=abc&sig=zz`)).status).toBe(401);
    const tampered = signed(p).replace(/sig=([0-9a-f])/, (_m, c: string) => `sig=${c === '0' ? '1' : '0'}`);
    expect((await raw('GET', tampered)).status).toBe(401);
    // "..dots.png" is a file in the folder, not a way out of it.
    expect((await raw('GET', '/media/output/..dots.png', auth())).status).toBe(200);
  });

  test('media comes only from allow-listed roots', async () => {
    expect((await raw('GET', '/media/output/..%2f..%2fstudio.db', auth())).status).toBe(403);
    // Folded by the URL parser to /media/logs/studio.log: "logs" is not a media root.
    expect((await raw('GET', '/media/output/%2e%2e/logs/studio.log', auth())).status).toBe(404);
    expect((await raw('GET', '/media/output/..%5c..%5cstudio.db', auth())).status).toBe(403);
    expect((await raw('GET', '/media/output/' + encodeURIComponent(h.studio.info.dataDir + '/studio.db'), auth())).status).not.toBe(200);
    expect((await raw('GET', '/media/nowhere/x.jpg', auth())).status).toBe(404);
  });

  test('WebSocket events: the token as a subprotocol (or Bearer), a same-site origin; events arrive as {event, payload}', async () => {
    const url = `ws://127.0.0.1:${h.server.port}/api/events`;
    const origin = `http://127.0.0.1:${h.server.port}`;
    const attempt = (protocols: string[], headers: Record<string, string>, u = url) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(u, protocols, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => resolve(-1));
      });
    expect(await attempt([EVENTS_PROTOCOL], { Origin: origin })).toBe(401);
    expect(await attempt([EVENTS_PROTOCOL, authProtocol('wrong-token-wrong-token')], { Origin: origin })).toBe(401);
    expect(await attempt([EVENTS_PROTOCOL], { Origin: origin, Cookie: `flux_studio_token=${h.server.token}` })).toBe(401);
    expect(await attempt([EVENTS_PROTOCOL, authProtocol(h.server.token)], { Origin: 'https://evil.example' })).toBe(403);
    expect(await attempt([EVENTS_PROTOCOL, authProtocol(h.server.token)], { Origin: 'http://127.0.0.1:1' })).toBe(403);
    expect(await attempt([EVENTS_PROTOCOL, authProtocol(h.server.token)], { Origin: origin }, `ws://127.0.0.1:${h.server.port}/api/other`)).toBe(404);

    const ws = new WebSocket(url, [EVENTS_PROTOCOL, authProtocol(h.server.token)], { headers: { Origin: origin } });
    await new Promise((r) => ws.on('open', r));
    // The server picks the events protocol, never echoing the token back.
    expect(ws.protocol).toBe(EVENTS_PROTOCOL);
    const got = new Promise<unknown>((resolve) =>
      ws.on('message', (m: Buffer) => {
        const msg = JSON.parse(m.toString()) as { event: string; payload: unknown };
        if (msg.event === 'settings.changed') resolve(msg);
      }),
    );
    await raw('POST', '/api/call/settings.update', { ...json, ...auth() }, JSON.stringify({ openAfterGenerate: false }));
    expect(await got).toMatchObject({ event: 'settings.changed', payload: { openAfterGenerate: false } });
    ws.close();
    // A non-browser client may use the header instead.
    expect(await attempt([], { ...auth(), Origin: origin })).toBe(101);
  });
});
