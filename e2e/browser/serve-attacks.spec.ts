// Issue 17 in a real browser: a page on another 127.0.0.1 port (another local app, or a
// page a local dev server serves) tries what used to work against `flux-studio serve`:
// crash it with a WebSocket to "//" or a malformed token cookie planted for /api/events,
// collect the token from cookies (cookies are not scoped by port), and load the studio's
// images. All of it fails, and the studio keeps working for its own page.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, expect, watchPage } from './serve-fixture';
import { api, TINY_JPEG } from './e2e-kit';

interface Attacker {
  origin: string;
  cookies: string[];
  close(): Promise<void>;
}

/** Another local web server: serves an empty page and records the Cookie header of every request. */
async function startAttacker(): Promise<Attacker> {
  const cookies: string[] = [];
  const server = http.createServer((req, res) => {
    cookies.push(req.headers.cookie ?? '');
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>another local app</title><body>hello</body>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cookies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test('a page on another local port cannot crash serve, read its token from cookies or load its images', async ({ page, context, served, pageErrors }) => {
  test.setTimeout(120_000);
  const attacker = await startAttacker();
  try {
    // The user's studio tab, with an image of its own (a dataset thumbnail).
    const photo = path.join(served.dataDir, 'cat.jpg');
    fs.writeFileSync(photo, TINY_JPEG);
    await page.goto(`${served.openUrl}#/datasets`);
    await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
    await api(page, served, 'datasets.import', { name: 'Cats', sources: [photo] });
    await expect(page.getByTestId('ds-list-item').filter({ hasText: 'Cats' })).toContainText('1 images', { timeout: 30_000 });
    await page.getByTestId('ds-list-item').filter({ hasText: 'Cats' }).click();
    const own = page.locator('[data-testid="ds-card"] img').first();
    await expect.poll(() => own.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), { timeout: 20_000 }).toBeGreaterThan(0);
    const signedSrc = (await own.getAttribute('src')) ?? '';
    expect(signedSrc).toMatch(/^\/media\/thumbs\/.+\?exp=\d+&sig=[0-9a-f]{64}$/);

    // No cookie carries a credential.
    expect((await context.cookies()).map((c) => c.name)).not.toContain('flux_studio_token');

    const evil = await context.newPage();
    const evilErrors: string[] = [];
    watchPage(evil, evilErrors);
    await evil.goto(`${attacker.origin}/`);
    const studioOrigin = served.origin;
    const results = await evil.evaluate(
      async ({ studioOrigin, signedSrc }) => {
        const ws = `ws${studioOrigin.slice(4)}`;
        const socket = (url: string) =>
          new Promise<string>((resolve) => {
            const s = new WebSocket(url);
            s.onopen = () => resolve('open');
            s.onclose = () => resolve('closed');
            setTimeout(() => resolve('timeout'), 5000);
          });
        // (This runs in the page: the DOM types are not in the specs' TypeScript lib.)
        const dom = globalThis as unknown as {
          Image: new () => { naturalWidth: number; src: string; onload: () => void; onerror: () => void };
          document: { cookie: string };
        };
        const image = (src: string) =>
          new Promise<string>((resolve) => {
            const img = new dom.Image();
            img.onload = () => resolve(`loaded ${img.naturalWidth}`);
            img.onerror = () => resolve('error');
            img.src = src;
          });
        // A cookie for 127.0.0.1 reaches every port: plant a malformed token for the event path.
        dom.document.cookie = 'flux_studio_token=%E0%A4%A; path=/api/events';
        const sockets = [];
        for (let i = 0; i < 3; i++) sockets.push(await socket(`${ws}//`), await socket(`${ws}/api/events`), await socket(`${ws}///`));
        const unsigned = await image(`${studioOrigin}/media/thumbs/x.webp`);
        const leaked = await image(`${studioOrigin}${signedSrc}`);
        let call = 'sent';
        try {
          await fetch(`${studioOrigin}/api/call/settings.get`, { method: 'POST', credentials: 'include', mode: 'no-cors', body: '{}' });
        } catch {
          call = 'failed';
        }
        // A request to its own server, to see which cookies the browser attaches there.
        await fetch('/collect', { credentials: 'include' });
        return { sockets, unsigned, leaked, call };
      },
      { studioOrigin, signedSrc },
    );
    expect(results.sockets.every((s) => s === 'closed')).toBe(true);
    expect(results.unsigned).toBe('error');
    expect(results.leaked).toBe('error');
    // The browser sent the other server no token (the old cookie went to every 127.0.0.1 port).
    expect(attacker.cookies.length).toBeGreaterThan(0);
    for (const c of attacker.cookies) expect(c).not.toContain(served.token);

    // Still up, still serving its own page: calls, the event socket (a settings change arrives), images.
    expect(served.output()).not.toMatch(/uncaught|unhandled|ERROR/);
    const settings = await api<{ openAfterGenerate: boolean }>(page, served, 'settings.get');
    expect(typeof settings.openAfterGenerate).toBe('boolean');
    await page.reload();
    await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
    // A dataset made by another client appears without a reload: the event socket is live.
    await expect(page.getByTestId('ds-list-item').filter({ hasText: 'Cats' })).toBeVisible();
    await api(page, served, 'datasets.create', { name: 'Dogs' });
    await expect(page.getByTestId('ds-list-item').filter({ hasText: 'Dogs' })).toBeVisible();
    await expect(page.getByTestId('connection-banner')).toHaveCount(0);
    await evil.close();
  } finally {
    await attacker.close();
  }
  expect(pageErrors).toEqual([]);
});
