// Issue 17's attacks from outside, without a token: requests that used to crash the server
// or answer 500 with a stack, and a flood of refused requests that used to flush the log.
import fs from 'node:fs';
import type { LogLine } from '@shared/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { raw, rawSocket, startHarness, type Harness } from './serve-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const upgrade = (target: string, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${h.server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;
const errors = () => h.studio.logs.recentLines(1000).filter((l) => l.level === 'error');
const alive = async () => (await raw(h.server.port, 'GET', '/')).status === 200;

describe('serve under attack', () => {
  test('upgrades to "//", with a malformed cookie or a junk target get a short 4xx, and the server lives on', async () => {
    const cases = [
      upgrade('//'),
      upgrade('///'),
      upgrade('/\\'),
      upgrade('/api/events', 'Cookie: flux_studio_token=%E0%A4%A\r\n'),
      upgrade('/api/events', `Origin: http://127.0.0.1:1\r\nCookie: flux_studio_token=%E0%A4%A\r\n`),
      upgrade('/api/events', 'Sec-WebSocket-Protocol: flux-studio.events.v1, flux-studio.auth.%%%\r\n'),
      upgrade('*'),
      upgrade('http://127.0.0.1/api/events'),
    ];
    for (const c of cases) {
      const reply = await rawSocket(h.server.port, c);
      expect(reply, c).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(await alive()).toBe(true);
    }
    expect(errors()).toEqual([]);
  });

  test('"//", "///", "/\\", malformed cookies and a malformed call name: 400 or 401 with one short line, never 500', async () => {
    const port = h.server.port;
    for (const p of ['//', '///', '/\\', '//evil.example/x', '/api/call/%E0%A4%A', '/media/%E0%A4%A', '/%E0%A4%A']) {
      for (const method of ['GET', 'POST']) {
        const res = await raw(port, method, p, { Cookie: 'flux_studio_token=%E0%A4%A', 'Content-Type': 'application/json' }, method === 'POST' ? '{}' : undefined);
        expect(res.status, `${method} ${p}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${method} ${p}`).toBeLessThan(500);
        expect(res.body).not.toMatch(/\n\s+at /);
      }
    }
    const named = await raw(port, 'POST', '/api/call/%E0%A4%A', { Authorization: `Bearer ${h.server.token}`, 'Content-Type': 'application/json' }, '{}');
    expect(named.status).toBe(400);
    expect(named.body).toMatch(/malformed percent-encoding/);
    // A request line no client sends: Node's parser answers 400 itself.
    expect(await rawSocket(port, 'GET /\x00 HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(errors()).toEqual([]);
    expect(await alive()).toBe(true);
  });

  test('a flood of refused requests with long paths: the log grows by a few lines, and open pages see at most those', async () => {
    const lines: LogLine[] = [];
    const off = h.studio.logs.subscribe((l) => lines.push(l));
    const logFile = h.studio.logs.file as string;
    const before = fs.statSync(logFile).size;
    const long = '/api/' + 'A'.repeat(8000);
    await Promise.all(Array.from({ length: 300 }, (_, i) => raw(h.server.port, 'GET', `${long}${i}`, i % 2 ? { Origin: 'https://evil.example' } : {})));
    off();
    const grew = fs.statSync(logFile).size - before;
    // 20 lines a minute of at most ~400 bytes each; unlimited, this was 300 × 8 KB.
    expect(grew).toBeLessThan(20 * 600);
    const refusals = lines.filter((l) => l.message.startsWith('refused'));
    expect(refusals.length).toBeLessThanOrEqual(20);
    expect(Math.max(...refusals.map((l) => l.message.length))).toBeLessThan(400);
    expect(await alive()).toBe(true);
  });
});
