#!/usr/bin/env node
// `npm run bench:datasets`: the dataset targets, measured (not asserted).
//   (a) import 1,000 1024×1024 JPEGs (each with a caption) through the real CLI
//       (`flux-studio dataset import`): sniffing, header check, full decode + dHash,
//       sha256 duplicate check, atomic copy, caption copy, both thumbnails (the gallery's
//       pool), near-duplicate and size warnings. Wall time of the whole command.
//   (b) caption save round trip as a client sees it: POST /api/call/datasets.setCaption to
//       `serve` over loopback, then the .txt read back from disk and compared; p50 / p95.
// Targets: import ≤ 60 s, caption save ≤ 50 ms.
// The 1,000 source JPEGs are generated once (not timed) into a cache folder and reused.
// Needs `npm run build` (uses out/main/cli.js via bin/flux-studio.cjs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServe, stopServe } from './serve-process.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const bin = path.join(root, 'bin', 'flux-studio.cjs');
if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(1);
}
const sharp = require('sharp');

const N = Number(process.env.BENCH_DATASET_IMAGES ?? 1000);
const SAVES = 100;
const cacheDir = path.join(os.tmpdir(), `flux-studio-bench-datasets-${N}`);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

let seed = 0x2545f491;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};

/** Textured colour fields (random waves) computed at 512², upscaled to 1024²: photo-like JPEGs, all distinct. */
async function generate() {
  const done = path.join(cacheDir, '.complete');
  if (fs.existsSync(done)) return;
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.mkdirSync(cacheDir, { recursive: true });
  const w = 512;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const data = Buffer.alloc(w * w * 3);
    const waves = Array.from({ length: 10 }, (_, k) => ({
      fx: ((rand() - 0.5) * (k < 4 ? 6 : 60) * 2 * Math.PI) / w,
      fy: ((rand() - 0.5) * (k < 4 ? 6 : 60) * 2 * Math.PI) / w,
      ph: rand() * 6.28,
      amp: k < 4 ? 50 : 12,
      ch: k % 3,
    }));
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        let r = 128;
        let g = 128;
        let b = 128;
        for (const wv of waves) {
          const v = wv.amp * Math.sin(x * wv.fx + y * wv.fy + wv.ph);
          if (wv.ch === 0) r += v;
          else if (wv.ch === 1) g += v;
          else b += v;
        }
        data[o] = r < 0 ? 0 : r > 255 ? 255 : r;
        data[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
        data[o + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
      }
    }
    const name = `img ${String(i).padStart(4, '0')}`;
    await sharp(data, { raw: { width: w, height: w, channels: 3 } }).resize(1024, 1024, { kernel: 'cubic' }).jpeg({ quality: 90 }).toFile(path.join(cacheDir, `${name}.jpg`));
    fs.writeFileSync(path.join(cacheDir, `${name}.txt`), `photo ${i}, textured, colourful`);
    if (i % 100 === 99) process.stderr.write(`generated ${i + 1}/${N} source images (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  fs.writeFileSync(done, '');
}

/** Runs the CLI; under /usr/bin/time when there is one, so CPU seconds (load-independent) are known. */
const timeBin = process.platform === 'linux' && fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
function run(args, cpuFile) {
  return new Promise((resolve, reject) => {
    const argv = timeBin && cpuFile ? [timeBin, ['-f', '%U %S', '-o', cpuFile, process.execPath, bin, ...args]] : [process.execPath, [bin, ...args]];
    const child = spawn(argv[0], argv[1], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err.slice(-2000)}`))));
  });
}


const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-datasets-bench-'));
let serve = null;
try {
  await generate();
  const load = os.loadavg()[0];
  // ---------- (a) import ----------
  const t0 = performance.now();
  const cpuFile = path.join(dataDir, 'import.cpu');
  const report = JSON.parse(await run(['dataset', 'import', cacheDir, '--name', 'bench', '--json', '--data-dir', dataDir], cpuFile));
  const importS = (performance.now() - t0) / 1000;
  const cpu = fs.existsSync(cpuFile) ? fs.readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number) : null;
  const cpuS = cpu && cpu.length === 2 && cpu.every(Number.isFinite) ? cpu[0] + cpu[1] : null;
  const t = report.totals;
  if (t.accepted !== N || t.caption !== N) throw new Error(`expected ${N} accepted + ${N} captions, got ${JSON.stringify(t)}`);
  const thumbs = fs.readdirSync(path.join(dataDir, 'thumbs'), { recursive: true }).filter((f) => String(f).endsWith('.webp')).length;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  console.log(`import: ${N} images + ${N} captions in ${importS.toFixed(1)} s (${(N / importS).toFixed(1)} images/s), ${thumbs} thumbnails, ${report.warnings.length} warnings; load average before ${load.toFixed(2)} on ${cores} cores`);
  if (cpuS !== null) console.log(`import CPU: ${cpuS.toFixed(1)} s user+sys (${((cpuS / N) * 1000).toFixed(0)} ms an image; ≈ ${(cpuS / cores).toFixed(1)} s wall on ${cores} idle cores)`);

  // ---------- (b) caption save round trip ----------
  serve = await startServe(dataDir);
  const token = serve.url.searchParams.get('token');
  const base = `${serve.url.protocol}//${serve.url.host}`;
  const dir = path.join(dataDir, 'datasets', 'bench');
  const times = [];
  for (let i = 0; i < SAVES + 5; i++) {
    const file = `img ${String(i % N).padStart(4, '0')}.jpg`;
    const text = `photo ${i}, edited at ${Date.now()}, ünïcødé`;
    const s = performance.now();
    const res = await fetch(`${base}/api/call/datasets.setCaption`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'bench', file, text }),
    });
    const env = await res.json();
    if (!env.ok) throw new Error(JSON.stringify(env.error));
    const back = fs.readFileSync(path.join(dir, file.replace(/\.jpg$/, '.txt')), 'utf8');
    const took = performance.now() - s;
    if (back !== text) throw new Error(`read back ${JSON.stringify(back)} for ${JSON.stringify(text)}`);
    if (i >= 5) times.push(took); // the first few warm the connection
  }
  const p50 = quantile(times, 0.5);
  const p95 = quantile(times, 0.95);
  console.log(`caption save round trip (call → .txt on disk → read back): p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${SAVES}`);
  console.log(`targets: import ≤ 60 s ${importS <= 60 ? 'met' : 'MISSED'}; caption save ≤ 50 ms ${p95 <= 50 ? 'met' : 'MISSED'} (p95)`);
  console.log(`datasets: import ${N} images in ${importS.toFixed(1)} s, caption save ${p50.toFixed(1)} ms`);
} finally {
  if (serve) await stopServe(serve.child);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
