// Issue 17, item 3: importing real photos by the file chooser in the browser. Twenty
// 4000×3000 JPEGs of 3–8 MB each (bench/real-photos.mjs) go up as raw chunks on serve's
// upload route — the 1 MiB JSON limit and base64 chunks used to fail every file over
// ~786 KB — and all twenty land in the dataset byte for byte. A chunk over the route's
// limit gets a 413 that Chromium reads as a reply.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MAX_UPLOAD_CHUNK_BYTES } from '@shared/contract/datasets';
import { realPhotos } from '../../bench/real-photos.mjs';
import { test, expect } from './serve-fixture';

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

test('twenty real-size photos import through the file chooser, byte for byte', async ({ page, served, pageErrors }) => {
  test.setTimeout(300_000);
  const photos = await realPhotos(20);
  const chunks: number[] = [];
  const base64Calls: string[] = [];
  page.on('request', (req) => {
    if (req.url().includes('/api/upload/')) chunks.push(Number(req.headers()['content-length'] ?? req.postDataBuffer()?.length ?? 0));
    if (req.url().endsWith('/api/call/datasets.upload')) base64Calls.push(req.url());
  });

  await page.goto(`${served.openUrl}#/datasets`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('ds-pick-files').click();
  await (await chooser).setFiles(photos);
  await expect(page.getByTestId('ds-import-form')).toBeVisible();
  await page.getByTestId('ds-import-name').fill('Photos');
  await page.getByTestId('ds-import-start').click();
  await expect(page.getByTestId('ds-report-totals')).toContainText('20 accepted, 0 converted, 0 rejected', { timeout: 240_000 });
  await expect(page.getByTestId('ds-list-item').filter({ hasText: 'Photos' })).toContainText('20 images');

  const dir = path.join(served.dataDir, 'datasets', 'Photos');
  for (const p of photos) expect(sha(path.join(dir, path.basename(p))), path.basename(p)).toBe(sha(p));
  // Raw chunks no bigger than the shared limit; nothing went as base64 JSON.
  const total = photos.reduce((n, p) => n + fs.statSync(p).size, 0);
  expect(chunks.length).toBeGreaterThanOrEqual(20);
  expect(Math.max(...chunks)).toBeLessThanOrEqual(MAX_UPLOAD_CHUNK_BYTES);
  expect(base64Calls).toEqual([]);
  expect(total).toBeGreaterThan(20 * 3e6);
  // The staging folder is gone once imported.
  expect(fs.readdirSync(path.join(served.dataDir, 'tmp', 'uploads'))).toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('a chunk over the limit gets a 413 the page can read, not a dropped connection', async ({ page, served }) => {
  await page.goto(`${served.openUrl}#/datasets`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  const reply = await page.evaluate(
    async ({ limit, token }) => {
      const res = await fetch('/api/upload/up-too-big-0001?file=a.jpg&offset=0', {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${token}` },
        body: new Uint8Array(limit + 1024 * 1024),
      });
      return { status: res.status, body: (await res.json()) as { ok: boolean; error: { message: string } } };
    },
    { limit: MAX_UPLOAD_CHUNK_BYTES, token: served.token },
  );
  expect(reply.status).toBe(413);
  expect(reply.body.error.message).toMatch(/a chunk is at most 8 MiB/);
});
