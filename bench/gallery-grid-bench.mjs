#!/usr/bin/env node
// `npm run bench:gallery-grid`: is the Gallery's virtualized grid smooth at 100,000 images?
// Measured (not asserted): the synthetic 100,000-row index (bench/gallery-index.mjs, with
// real WebP thumbnails of 100 textured JPEGs) is written into a running `serve`'s database,
// the Gallery is opened in Chromium (the system one, as the browser specs use), and the grid
// is scrolled programmatically, one scroll step per animation frame:
//   fling: top to bottom in 600 frames (~5,000 px a frame: every frame a new window of tiles)
//   wheel: 100 px a frame for 600 frames from the middle (rows enter a few at a time)
// For each, the page records requestAnimationFrame deltas (p50/p95/max and the share of frames
// over 50 ms), the most tiles rendered at once (VirtualGrid's data-rendered) and the most DOM
// elements in the document. Needs `npm run build` (out/main/cli.js, out/renderer).
// GRID_BENCH_ROWS overrides the row count; GRID_BENCH_KEEP=1 keeps the data dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServe, stopServe } from './serve-process.mjs';
import { buildSyntheticIndex, createRand, makeTexturedJpegs } from './gallery-index.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The studio's pool size, as its entry files set it before sharp loads (src-main/platform/thread-pool.ts).
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '8';
const thumbsModule = path.join(root, 'out', 'main', 'gallery-thumbnails.js');
if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js')) || !fs.existsSync(thumbsModule) || !fs.existsSync(path.join(root, 'out', 'renderer', 'index.html'))) {
  console.error('Run `npm run build` first.');
  process.exit(1);
}
const Database = require('better-sqlite3');
const sharp = require('sharp');
const { chromium } = require('@playwright/test');
const { ThumbnailService } = require(thumbsModule);

const ROWS = Number(process.env.GRID_BENCH_ROWS ?? 100_000);
const FRAMES = 600;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const quietLog = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLog };

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-grid-bench-'));


/* global document, MutationObserver, requestAnimationFrame -- scrollRun runs in the page */
/** Runs in the page: scrolls the grid `frames` times, one step a frame, and measures. */
function scrollRun({ frames, from, step }) {
  const el = document.querySelector('[data-testid="gallery-grid"]');
  if (!el) throw new Error('no grid');
  const max = el.scrollHeight - el.clientHeight;
  el.scrollTop = Math.min(max, from * max);
  // Elements created while scrolling (tiles mounted, remounted, their children): the DOM work
  // a frame costs, counted exactly whatever the machine's load.
  let added = 0;
  const mo = new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) added += 1 + n.getElementsByTagName('*').length;
  });
  mo.observe(el, { childList: true, subtree: true });
  return new Promise((resolve) => {
    const deltas = [];
    let maxRendered = 0;
    let maxElements = 0;
    let last = 0;
    let i = 0;
    const tick = (t) => {
      deltas.push(t - last);
      last = t;
      maxRendered = Math.max(maxRendered, Number(el.dataset.rendered));
      if (i % 5 === 0) maxElements = Math.max(maxElements, document.getElementsByTagName('*').length);
      if (++i > frames) {
        mo.disconnect();
        resolve({ deltas, maxRendered, maxElements, added, end: el.scrollTop, max });
        return;
      }
      el.scrollTop = Math.min(max, el.scrollTop + (step === 'fling' ? max / frames : step));
      requestAnimationFrame(tick);
    };
    // Two frames to settle, then measure from a frame boundary.
    requestAnimationFrame(() =>
      requestAnimationFrame((t) => {
        last = t;
        requestAnimationFrame(tick);
      }),
    );
  });
}

/** The renderer's own accounting (CDP Performance metrics), in seconds. */
async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

async function measured(page, cdp, label, args) {
  const before = await metrics(cdp);
  const r = await page.evaluate(scrollRun, args);
  const after = await metrics(cdp);
  const d = r.deltas;
  const over = d.filter((x) => x > 50).length;
  // Main-thread CPU (ThreadTime) and where it went, per frame: frame deltas swing with whatever
  // else shares the cores; the work the page does for each frame does not.
  const per = (name) => (name in after ? (((after[name] - before[name]) * 1000) / d.length).toFixed(2) : 'n/a');
  console.log(
    `  ${label.padEnd(5)} frames p50 ${quantile(d, 0.5).toFixed(1)} ms, p95 ${quantile(d, 0.95).toFixed(1)} ms, max ${Math.max(...d).toFixed(1)} ms, ` +
      `over 50 ms ${((100 * over) / d.length).toFixed(1)}% (${over}/${d.length}); tiles rendered ≤ ${r.maxRendered}, DOM elements ≤ ${r.maxElements}`,
  );
  console.log(
    `        per frame: main-thread CPU ${per('ThreadTime')} ms (script ${per('ScriptDuration')}, style ${per('RecalcStyleDuration')}, layout ${per('LayoutDuration')}, tasks ${per('TaskDuration')} ms); ` +
      `${(r.added / d.length).toFixed(1)} elements created`,
  );
  return { p95: quantile(d, 0.95), over: over / d.length, maxRendered: r.maxRendered, maxElements: r.maxElements, cpu: 'ThreadTime' in after ? ((after.ThreadTime - before.ThreadTime) * 1000) / d.length : NaN };
}

let browser;
let serve;
try {
  const { rand } = createRand(0x51de);
  const originals = path.join(dataDir, 'bench-originals');
  const jpegs = await makeTexturedJpegs({ dir: originals, count: 100, size: 512, rand, sharp });
  const svc = new ThumbnailService({ thumbsDir: path.join(dataDir, 'thumbs'), log: quietLog });
  await Promise.all(jpegs.map((j) => svc.ensure(j.hash, j.file)));
  await svc.close();

  serve = await startServe(dataDir);
  const t0 = performance.now();
  const db = new Database(path.join(dataDir, 'studio.db'));
  db.pragma('busy_timeout = 10000');
  // Into the running serve's database (no files: nothing rescans the 'bench' source).
  buildSyntheticIndex({ db, inputs: path.join(dataDir, 'not-scanned'), jpegs, rows: ROWS, rand, links: false });
  db.exec('ANALYZE');
  db.close();
  console.log(`index: ${ROWS.toLocaleString('en')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} cores`);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${serve.url.href}#/gallery`);
  await page.waitForSelector('[data-testid="gallery-tile"] img', { timeout: 60_000 });
  const count = await page.textContent('[data-testid="gallery-count"]');
  const cols = await page.getAttribute('[data-testid="gallery-grid"]', 'data-cols');
  console.log(`grid: ${count}, ${cols} columns at 1280×800; ${FRAMES} frames a run, one scroll step a frame`);

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const runs = [];
  runs.push(await measured(page, cdp, 'fling', { frames: FRAMES, from: 0, step: 'fling' }));
  runs.push(await measured(page, cdp, 'wheel', { frames: FRAMES, from: 0.5, step: 100 }));
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  const p95 = Math.max(...runs.map((r) => r.p95));
  const over = Math.max(...runs.map((r) => r.over));
  const tiles = Math.max(...runs.map((r) => r.maxRendered));
  const els = Math.max(...runs.map((r) => r.maxElements));
  const cpu = Math.max(...runs.map((r) => r.cpu));
  console.log(`gallery-grid: frame p95 ${p95.toFixed(1)} ms, over 50 ms ${(100 * over).toFixed(1)}%, main-thread CPU ${cpu.toFixed(2)} ms a frame, tiles ≤ ${tiles}, DOM elements ≤ ${els}`);
} finally {
  await browser?.close();
  if (serve) await stopServe(serve.child);
  if (process.env.GRID_BENCH_KEEP) console.error(`kept ${dataDir}`);
  else fs.rmSync(dataDir, { recursive: true, force: true });
}
