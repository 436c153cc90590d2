#!/usr/bin/env node
// `npm run bench`: performance targets, measured (not asserted in tests).
//   serve start-up: process spawn → the URL line printed, target < 2000 ms (median of 10)
//   API round trip: POST /api/call/settings.get over loopback HTTP (median, p95 of 500)
// Needs `npm run build`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'flux-studio.cjs');
if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(1);
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function startServe(dataDir) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /http:\/\/\S+\?token=\S+/.exec(out);
      if (m) resolve({ child, url: m[0], ms: performance.now() - t0 });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

const stop = (child) => new Promise((r) => { child.on('exit', r); child.kill('SIGTERM'); });

const startups = [];
for (let i = 0; i < 10; i++) {
  // Half fresh data dirs (migrations run), half reused (already migrated).
  const dir = i % 2 === 0 ? fs.mkdtempSync(path.join(os.tmpdir(), 'fs-bench-')) : startups.dir;
  startups.dir = dir;
  const { child, ms } = await startServe(dir);
  startups.push(ms);
  await stop(child);
}
const med = quantile(startups, 0.5);
console.log(`serve start-up: median ${med.toFixed(0)} ms, max ${Math.max(...startups).toFixed(0)} ms over 10 (target < 2000 ms) ${med < 2000 ? 'OK' : 'MISSED'}`);

const { child, url } = await startServe(fs.mkdtempSync(path.join(os.tmpdir(), 'fs-bench-')));
const u = new URL(url);
const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${u.searchParams.get('token')}` };
const times = [];
for (let i = 0; i < 550; i++) {
  const t0 = performance.now();
  const r = await fetch(new URL('/api/call/settings.get', u), { method: 'POST', headers, body: '{}' });
  await r.json();
  if (i >= 50) times.push(performance.now() - t0); // after warm-up
}
console.log(`API round trip (settings.get over HTTP): median ${quantile(times, 0.5).toFixed(2)} ms, p95 ${quantile(times, 0.95).toFixed(2)} ms over ${times.length}`);
await stop(child);
