#!/usr/bin/env node
// `npm run bench:serve`: serve under attack and under load (issue 17), measured against the
// built `flux-studio serve` running as its own process (bench/serve-process.mjs):
//   - fuzzed requests: generated payloads for every contract call over HTTP, and malformed
//     raw requests and WebSocket upgrades with and without the token (the generators of
//     test/serve/serve-fuzz.test.ts, more of them). Counted: crashes (the process exited or
//     refused connections), 5xx answers, and requests that got no answer at all;
//   - the server's resident memory (VmRSS) after a warm-up round (a tenth of the requests,
//     also counted) and after the fuzzing, which runs in three thirds (each third's RSS is
//     shown, to tell a leak from the heap settling at its working size);
//   - upload throughput: ≥ 100 MB of photo-sized JPEGs (bench/real-photos.mjs) through the
//     browser's route, raw chunks of MAX_UPLOAD_CHUNK_BYTES one after another as the page
//     sends them, over loopback.
// Prints one line: `serve: <n> fuzzed requests, <c> crashes, <k> 5xx, rss growth <MB> MB, upload <MB>/s`
// (details on stderr). BENCH_SERVE_CALLS / BENCH_SERVE_RAW set the counts (5,000 each).
// Needs `npm run build`. The TypeScript generators are bundled on the fly with esbuild.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { realPhotos } from './real-photos.mjs';
import { startServe, stopServe } from './serve-process.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(1);
}
const require = createRequire(import.meta.url);
const esbuild = require('esbuild');
const CALLS = Number(process.env.BENCH_SERVE_CALLS ?? 5000);
const RAW = Number(process.env.BENCH_SERVE_RAW ?? 5000);
const UPLOAD_BYTES = 100 * 1e6;

// Generators: bundled whole (fast-check and zod are plain JS), so the bundle loads from a temp folder.
const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-serve-bench-build-'));
const genFile = path.join(buildDir, 'generators.cjs');
esbuild.buildSync({
  entryPoints: [path.join(root, 'bench', 'serve-bench-generators.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  alias: { '@shared': path.join(root, 'src-shared') },
  outfile: genFile,
  logLevel: 'error',
});
const gen = require(genFile);

const rssMB = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

/** Sends raw bytes; resolves with the status code, 0 when nothing came back, -1 when the connection was refused. */
function rawRequest(port, bytes) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    let settled = false;
    const done = (v) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)), 5000);
    s.on('data', (c) => {
      got += c.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      // An accepted upgrade stays open: its status line is the answer.
      if (m && m[1] === '101') done(101);
    });
    s.on('end', () => done(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)));
    s.on('error', (err) => done(err.code === 'ECONNREFUSED' ? -1 : Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)));
    s.write(bytes);
  });
}

async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-serve-bench-'));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-serve-bench-paths-'));
const photos = await realPhotos(20);
const { child, url } = await startServe(dataDir);
const token = url.searchParams.get('token');
const port = Number(url.port);
const auth = { Authorization: `Bearer ${token}` };
let exited = false;
child.on('exit', () => (exited = true));

try {
  const tally = { requests: 0, fiveXX: 0, unanswered: 0, refused: 0, statuses: new Map() };
  const count = (status) => {
    tally.requests++;
    if (status === -1) tally.refused++;
    else if (status === 0) tally.unanswered++;
    else if (status >= 500) tally.fiveXX++;
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
  };
  const fuzzRound = async (calls, raws, seed) => {
    await pool(gen.contractCallSamples(calls, seed, scratch), 8, async ([name, body]) => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/call/${encodeURIComponent(name)}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body });
        await res.arrayBuffer();
        count(res.status);
      } catch (err) {
        count(err?.cause?.code === 'ECONNREFUSED' ? -1 : 0);
      }
    });
    await pool(gen.rawRequestSamples(raws, seed + 1, port, token), 16, async (bytes) => count(await rawRequest(port, bytes)));
  };
  // A tenth first, as warm-up (the heap grows to its working size), then the baseline.
  await fuzzRound(Math.ceil(CALLS / 10), Math.ceil(RAW / 10), 1000);
  const rssBefore = rssMB(child.pid);
  const t0 = performance.now();
  const rounds = [];
  for (let r = 0; r < 3; r++) {
    await fuzzRound(Math.ceil(CALLS / 3), Math.ceil(RAW / 3), 2000 + r * 10);
    rounds.push(rssMB(child.pid).toFixed(1));
  }
  const fuzzS = (performance.now() - t0) / 1000;
  const rssAfter = rssMB(child.pid);
  const crashes = (exited ? 1 : 0) + (tally.refused > 0 ? 1 : 0);

  // Upload: whole photos until ≥ 100 MB, chunk by chunk, as the page does.
  const chosen = [];
  let bytes = 0;
  for (const p of photos) {
    if (bytes >= UPLOAD_BYTES) break;
    chosen.push(p);
    bytes += fs.statSync(p).size;
  }
  const buffers = chosen.map((p) => fs.readFileSync(p));
  const t1 = performance.now();
  for (const [i, buf] of buffers.entries()) {
    for (let offset = 0; offset < buf.length; offset += gen.MAX_UPLOAD_CHUNK_BYTES) {
      const chunk = buf.subarray(offset, offset + gen.MAX_UPLOAD_CHUNK_BYTES);
      const res = await fetch(`http://127.0.0.1:${port}/api/upload/up-bench-0001?file=${encodeURIComponent(path.basename(chosen[i]))}&offset=${offset}`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/octet-stream' },
        body: chunk,
      });
      const env = await res.json();
      if (!env.ok) throw new Error(`upload failed: ${JSON.stringify(env.error)}`);
    }
  }
  const uploadS = (performance.now() - t1) / 1000;
  const mbps = bytes / 1e6 / uploadS;

  console.error(
    `  fuzz: ${CALLS} contract calls + ${RAW} raw requests (+ a tenth as warm-up) in ${fuzzS.toFixed(1)} s; statuses ${JSON.stringify([...tally.statuses].sort((a, b) => a[0] - b[0]))}; ` +
      `unanswered ${tally.unanswered}; rss ${rssBefore.toFixed(1)} MB after warm-up → ${rounds.join(' → ')} MB after each third\n` +
      `  upload: ${chosen.length} photos, ${(bytes / 1e6).toFixed(1)} MB in ${uploadS.toFixed(2)} s (chunks of ${gen.MAX_UPLOAD_CHUNK_BYTES / 2 ** 20} MiB)`,
  );
  console.log(`serve: ${tally.requests} fuzzed requests, ${crashes} crashes, ${tally.fiveXX} 5xx, rss growth ${(rssAfter - rssBefore).toFixed(1)} MB, upload ${mbps.toFixed(0)} MB/s`);
  if (crashes > 0 || tally.fiveXX > 0 || tally.unanswered > 0) process.exitCode = 1;
} finally {
  await stopServe(child);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(buildDir, { recursive: true, force: true });
}
