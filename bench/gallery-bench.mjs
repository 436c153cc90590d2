#!/usr/bin/env node
// `npm run bench:gallery`: the gallery's performance targets, measured (not asserted).
//   (a) a 100,000-row index with synthetic prompts (models, runtimes, dates, favourites, tags)
//   (b) search latency, p50/p95 over 200 varied queries (with and without filters), as a
//       client sees it: POST /api/call/gallery.search over loopback HTTP to `serve`
//   (c) thumbnail throughput: 100 distinct 1024×1024 JPEGs through ThumbnailService (both sizes)
//   (d) first page: gallery.search limit 100 + the 100 small thumbnails from /media/thumbs/,
//       six requests at a time like a browser, on a freshly started `serve`
// Targets: search p95 ≤ 20 ms, thumbnails ≥ 40/s, first page ≤ 300 ms.
// Needs `npm run build` (uses out/main/cli.js and out/main/gallery-thumbnails.js).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const bin = path.join(root, 'bin', 'flux-studio.cjs');
const thumbsModule = path.join(root, 'out', 'main', 'gallery-thumbnails.js');
if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js')) || !fs.existsSync(thumbsModule)) {
  console.error('Run `npm run build` first.');
  process.exit(1);
}
const Database = require('better-sqlite3');
const sharp = require('sharp');
const { ThumbnailService } = require(thumbsModule);

const ROWS = 100_000;
const THUMB_IMAGES = 100;
const QUERIES = 200;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x) => x.toFixed(x < 10 ? 2 : 1);

// Deterministic PRNG so runs compare.
let seed = 0x9e3779b9;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-gallery-bench-'));
const thumbsDir = path.join(dataDir, 'thumbs');
const quietLog = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLog };

function startServe() {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /http:\/\/\S+\?token=\S+/.exec(out);
      if (m) resolve({ child, url: new URL(m[0]) });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err.slice(-2000)}`)));
  });
}
const stop = (child) => new Promise((r) => {
  child.removeAllListeners('exit');
  child.on('exit', r);
  child.kill('SIGTERM');
});

try {
  // ---------- (c) thumbnails ----------
  const inputs = path.join(dataDir, 'bench-src');
  const originals = path.join(dataDir, 'bench-originals');
  fs.mkdirSync(inputs, { recursive: true });
  fs.mkdirSync(originals, { recursive: true });
  const jpegs = [];
  for (let i = 0; i < THUMB_IMAGES; i++) {
    // Colour fields built from a dozen random waves up to ~80 cycles across: textured like a
    // generated picture. (Per-pixel random grain, which no model output has, encodes ~4×
    // slower in WebP; flat colour would flatter the number.)
    const w = 1024;
    const data = Buffer.alloc(w * w * 3);
    const waves = Array.from({ length: 12 }, (_, k) => ({
      fx: (rand() - 0.5) * (k < 4 ? 6 : 80) * 2 * Math.PI / w,
      fy: (rand() - 0.5) * (k < 4 ? 6 : 80) * 2 * Math.PI / w,
      ph: rand() * 6.28,
      amp: k < 4 ? 50 : 10,
      ch: k % 3,
    }));
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        const c = [128, 128, 128];
        for (const wv of waves) c[wv.ch] += wv.amp * Math.sin(x * wv.fx + y * wv.fy + wv.ph);
        data[o] = Math.max(0, Math.min(255, c[0]));
        data[o + 1] = Math.max(0, Math.min(255, c[1]));
        data[o + 2] = Math.max(0, Math.min(255, c[2]));
      }
    }
    const file = path.join(originals, `img-${String(i).padStart(3, '0')}.jpg`);
    await sharp(data, { raw: { width: w, height: w, channels: 3 } }).jpeg({ quality: 90 }).toFile(file);
    jpegs.push({ file, hash: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') });
  }
  const svc = new ThumbnailService({ thumbsDir, log: quietLog });
  const load = os.loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const made = await Promise.all(jpegs.map((j) => svc.ensure(j.hash, j.file)));
  const thumbSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerImage = (cpu.user + cpu.system) / 1000 / THUMB_IMAGES;
  await svc.close();
  const broken = made.filter((r) => 'broken' in r);
  if (broken.length > 0) throw new Error(`thumbnails broken: ${JSON.stringify(broken[0])}`);
  const thumbsPerSec = THUMB_IMAGES / thumbSeconds;
  console.log(
    `thumbnails: ${THUMB_IMAGES} × 1024×1024 JPEG → WebP 256 + 1024 px in ${thumbSeconds.toFixed(2)} s = ${thumbsPerSec.toFixed(1)}/s on ${os.availableParallelism()} cores (target ≥ 40/s) ${thumbsPerSec >= 40 ? 'OK' : 'MISSED'}`,
  );
  // Wall-clock throughput drops when other work shares the cores; CPU time per image does not.
  console.log(
    `  CPU ${cpuMsPerImage.toFixed(1)} ms an image, so ${((os.availableParallelism() * 1000) / cpuMsPerImage).toFixed(1)}/s on ${os.availableParallelism()} idle cores; load average ${load.toFixed(2)} when it started`,
  );

  // ---------- (a) the index ----------
  // `serve` once to create and migrate the database, then rows straight into the gallery
  // index tables (migration 4); the FTS table fills through its insert trigger.
  await stop((await startServe()).child);
  const db = new Database(path.join(dataDir, 'studio.db'));
  db.pragma('journal_mode = WAL');
  const hasIndex = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'images'").get();
  if (!hasIndex) throw new Error('no gallery index tables (images) in the database yet');

  const subjects = ['portrait of an old fisherman', 'a red fox', 'cyberpunk city street', 'mountain lake at dawn', 'a bowl of ramen', 'astronaut riding a horse', 'victorian library', 'desert caravan', 'koi pond', 'lighthouse in a storm', 'a tabby cat', 'medieval castle', 'robot gardener', 'neon diner', 'snowy forest cabin', 'underwater coral reef', 'steam locomotive', 'samurai in rain', 'floating islands', 'street market in Marrakesh', 'a vintage camera', 'dragon over the sea', 'bonsai tree', 'sunflower field', 'jazz club', 'abandoned greenhouse', 'arctic fox', 'hot air balloons', 'cathedral interior', 'tea ceremony'];
  const styles = ['photorealistic', 'oil painting', 'watercolor', 'studio ghibli style', 'cinematic', 'film noir', 'isometric 3d render', 'pencil sketch', 'ukiyo-e woodblock', 'art nouveau', 'low poly', 'analog film photo', 'baroque', 'pixel art', 'impressionist', 'concept art'];
  const details = ['golden hour', 'volumetric light', 'soft focus', 'dramatic shadows', 'bokeh', 'overcast', 'moonlight', 'rim lighting', 'fog', 'high contrast', 'pastel palette', 'wide angle', 'macro', '35mm', 'ultra detailed', 'muted colors', 'vivid colors', 'long exposure', 'symmetrical', 'minimalist'];
  const negatives = ['blurry', 'lowres, watermark', 'extra fingers', 'jpeg artifacts', 'text, signature', 'oversaturated', null, null];
  const models = ['flux1-dev', 'flux1-schnell', 'flux1-dev-fp8', 'flux1-krea-dev', 'flux-kontext-dev', 'sdxl-base-1.0'];
  const tagPool = ['keeper', 'wip', 'client', 'portfolio', 'print', 'reference', 'moody', 'colour-test', 'lora-test', 'wallpaper', 'family', 'series-a', 'series-b', 'rejected', 'favourite-style'];
  const runtimes = ['local', 'local', 'remote', null];
  const sizes = [[1024, 1024], [1024, 1024], [832, 1216], [1216, 832], [1344, 768], [768, 1344], [1536, 1536], [2048, 2048]];

  db.prepare("INSERT OR IGNORE INTO gallery_sources (id, path, kind, created_at) VALUES ('bench', ?, 'folder', ?)").run(inputs, new Date().toISOString());
  const insert = db.prepare(`INSERT INTO images (id, source_id, path, rel_path, file_name, format, size_bytes, mtime_ms, width, height, content_hash,
      created_at, indexed_at, favourite, broken_reason, thumb_small, thumb_large, params_json, prompt, negative_prompt, enhanced_from, model, runtime, seed, tags_text)
    VALUES (@id, 'bench', @path, @rel, @name, 'jpeg', @size, @mtime, @w, @h, @hash, @created, @created, @fav, NULL, @small, @large, @params, @prompt, @neg, @enh, @model, @runtime, @seed, @tags)`);
  const insertTag = db.prepare('INSERT INTO image_tags (image_id, tag) VALUES (?, ?)');
  const end = Date.parse('2026-11-01T00:00:00Z');
  const stats = jpegs.map((j) => fs.statSync(j.file));
  const span = 2 * 365 * 86_400_000;
  const t1 = performance.now();
  const madeDirs = new Set();
  db.transaction(() => {
    for (let id = 1; id <= ROWS; id++) {
      // Oldest first, so the newest 100 rows are the last ids: they get the 100 real thumbnails.
      const created = new Date(end - span + Math.floor((id / ROWS) * span) - Math.floor(rand() * 60_000)).toISOString();
      const prompt = `${pick(subjects)}, ${pick(styles)}, ${pick(details)}, ${pick(details)}${rand() < 0.3 ? `, ${pick(subjects)}` : ''}`;
      const neg = pick(negatives);
      const enh = rand() < 0.2 ? pick(subjects) : null;
      const model = pick(models);
      const runtime = pick(runtimes);
      const [w, h] = pick(sizes);
      const tags = rand() < 0.25 ? [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(tagPool)))] : [];
      const j = jpegs[id % THUMB_IMAGES];
      const seedValue = Math.floor(rand() * 2 ** 31);
      const params = { prompt, negativePrompt: neg, enhancedFrom: enh, model, seed: seedValue, steps: 20 + Math.floor(rand() * 30), guidance: 3.5, sampler: 'euler', width: w, height: h, jpegQuality: 95, loras: [], runtime, pod: runtime === 'remote' ? 'pod-abc' : null, loadSeconds: null, genSeconds: rand() * 20, source: 'studio', parametersText: null };
      // Every row is a real file (a hard link to one of the 100 JPEGs, so size and mtime match
      // what the start-up scan stats): `serve` scans its sources and drops rows whose file is gone.
      const rel = `${created.slice(0, 7)}/img-${id}.jpg`;
      const abs = path.join(inputs, rel);
      if (!madeDirs.has(created.slice(0, 7))) {
        fs.mkdirSync(path.dirname(abs), { recursive: true });
        madeDirs.add(created.slice(0, 7));
      }
      fs.linkSync(j.file, abs);
      const st = stats[id % THUMB_IMAGES];
      const thumbs = thumbPathsOf(j.hash);
      insert.run({ id, path: abs, rel, name: `img-${id}.jpg`, size: st.size, mtime: st.mtimeMs, w, h, hash: j.hash, created, fav: rand() < 0.05 ? 1 : 0, small: thumbs.small, large: thumbs.large, params: JSON.stringify(params), prompt, neg, enh, model, runtime, seed: seedValue, tags: tags.join(' ') });
      for (const t of tags) insertTag.run(id, t);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  console.log(`index: ${ROWS.toLocaleString('en')} rows written in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  // ---------- (d) first page, then (b) search ----------
  const serveStarted = Date.now() - 1000;
  const { child, url } = await startServe();
  try {
    const token = url.searchParams.get('token');
    const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
    const call = async (name, body) => {
      const r = await fetch(new URL(`/api/call/${name}`, url), { method: 'POST', headers, body: JSON.stringify(body) });
      const env = await r.json();
      if (!env.ok) throw new Error(`${name} ${JSON.stringify(body)}: ${JSON.stringify(env.error)}`);
      return env.data;
    };
    const itemsOf = (data) => data.items;

    const firstPage = async () => {
      const t = performance.now();
      const page = itemsOf(await call('gallery.search', { limit: 100 }));
      const rels = page.map((it) => it.thumbSmall).filter((x) => typeof x === 'string');
      let next = 0;
      let bytes = 0;
      await Promise.all(Array.from({ length: 6 }, async () => {
        while (next < rels.length) {
          const rel = rels[next++];
          const r = await fetch(new URL(`/media/thumbs/${rel.split('/').map(encodeURIComponent).join('/')}`, url), { headers: { Authorization: `Bearer ${token}` } });
          if (r.status !== 200) throw new Error(`thumbnail ${rel}: HTTP ${r.status}`);
          const body = await r.arrayBuffer();
          bytes += body.byteLength;
        }
      }));
      return { ms: performance.now() - t, items: page.length, thumbs: rels.length, bytes };
    };
    // `serve` scans every source at start (stat only here: nothing changed). Measure once it is done.
    const scanT0 = performance.now();
    for (;;) {
      const sources = await call('gallery.sources', {});
      if (sources.every((src) => src.lastScanAt !== null && Date.parse(src.lastScanAt) >= serveStarted)) break;
      if (performance.now() - scanT0 > 300_000) throw new Error('start-up scan did not finish in 5 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The scan marks its sources done a little before serve is idle (watchers being set up
    // over the tree): let it settle so the numbers are the steady state a user browses in.
    await new Promise((r) => setTimeout(r, 5000));
    const total = (await call('gallery.search', { limit: 1 })).total;
    if (total !== ROWS) throw new Error(`index has ${total} rows after the start-up scan, expected ${ROWS}`);
    console.log(`serve start-up scan of ${ROWS.toLocaleString('en')} unchanged files: ${((performance.now() - scanT0) / 1000).toFixed(1)} s`);
    const cold = await firstPage();
    if (cold.items !== 100 || cold.thumbs !== 100) throw new Error(`first page had ${cold.items} items, ${cold.thumbs} thumbnails`);
    const warm = [];
    for (let i = 0; i < 5; i++) warm.push((await firstPage()).ms);

    const queries = [];
    const words = [...subjects.join(' ').split(/[\s,]+/), ...styles.join(' ').split(/[\s,]+/), ...details.join(' ').split(/[\s,]+/)].filter((w) => w.length > 2);
    for (let i = 0; i < QUERIES; i++) {
      const q = {};
      const kind = i % 4; // text only, text + filters, filters only, text + sort
      if (kind !== 2) q.text = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(words)).map((w) => (rand() < 0.25 ? w.slice(0, Math.max(3, w.length - 2)) : w)).join(' ');
      if (kind === 1 || kind === 2) {
        if (rand() < 0.5) q.models = [pick(models), ...(rand() < 0.3 ? [pick(models)] : [])];
        if (rand() < 0.3) q.runtimes = [pick(['local', 'remote', 'unknown'])];
        if (rand() < 0.25) q.favourite = true;
        if (rand() < 0.25) q.tags = [pick(tagPool)];
        if (rand() < 0.3) {
          const from = new Date(end - span + Math.floor(rand() * span));
          q.from = from.toISOString().slice(0, 10);
          q.to = new Date(from.getTime() + (7 + Math.floor(rand() * 120)) * 86_400_000).toISOString().slice(0, 10);
        }
        if (rand() < 0.2) q.minWidth = 1200;
        if (Object.keys(q).length === 0 || (kind === 2 && Object.keys(q).length === 0)) q.favourite = true;
      }
      if (kind === 3) q.sort = pick(['newest', 'oldest', 'relevance', 'largest']);
      if (rand() < 0.1) q.offset = 100 * (1 + Math.floor(rand() * 5));
      q.limit = 100;
      queries.push(q);
    }
    for (const q of queries.slice(0, 20)) await call('gallery.search', q); // warm-up
    const times = [];
    const perKind = [[], [], [], []];
    let hits = 0;
    for (let i = 0; i < queries.length; i++) {
      const t = performance.now();
      const data = await call('gallery.search', queries[i]);
      const dt = performance.now() - t;
      times.push(dt);
      perKind[i % 4].push(dt);
      hits += itemsOf(data).length > 0 ? 1 : 0;
    }
    const p50 = quantile(times, 0.5);
    const p95 = quantile(times, 0.95);
    console.log(`search: ${QUERIES} queries over ${ROWS.toLocaleString('en')} rows (limit 100; ${hits} with results): p50 ${ms(p50)} ms, p95 ${ms(p95)} ms, max ${ms(Math.max(...times))} ms (target p95 ≤ 20 ms) ${p95 <= 20 ? 'OK' : 'MISSED'}`);
    ['text only', 'text + filters', 'filters only', 'text + sort'].forEach((label, k) => console.log(`  ${label.padEnd(15)} p50 ${ms(quantile(perKind[k], 0.5))} ms, p95 ${ms(quantile(perKind[k], 0.95))} ms`));
    console.log(`first page: gallery.search (100) + 100 thumbnails (${(cold.bytes / 1024).toFixed(0)} KiB) over HTTP: ${cold.ms.toFixed(0)} ms first after start, then median ${quantile(warm, 0.5).toFixed(0)} ms (target ≤ 300 ms) ${cold.ms <= 300 ? 'OK' : 'MISSED'}`);
    console.log(`gallery: search p95 ${ms(p95)} ms, thumbs ${thumbsPerSec.toFixed(1)}/s, first page ${cold.ms.toFixed(0)} ms`);
  } finally {
    await stop(child);
  }
} finally {
  if (process.env.GALLERY_BENCH_KEEP) console.error(`kept ${dataDir}`);
  else fs.rmSync(dataDir, { recursive: true, force: true });
}

function thumbPathsOf(hash) {
  return { small: `${hash.slice(0, 2)}/${hash}-256.webp`, large: `${hash.slice(0, 2)}/${hash}-1024.webp` };
}
