#!/usr/bin/env node
// `npm run bench:training`: training's performance targets, measured (not asserted).
// Progress latency (a bar line written by the process on the host → the studio's event),
// p50/p95, and incremental re-sync of 1,000 unchanged files. Over SSH to a real OpenSSH
// server on 127.0.0.1 when /usr/sbin/sshd exists (BENCH_LOCAL=1 forces LocalHost).
// Targets: p50 ≤ 1 s, re-sync ≤ 2 s. The TypeScript is bundled on the fly with esbuild.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const esbuild = require('esbuild');
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-training-bench-build-'));
const outfile = path.join(outDir, 'training-bench.cjs');
esbuild.buildSync({
  entryPoints: [path.join(root, 'bench', 'training-bench-main.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  outfile,
  logLevel: 'error',
});
const r = spawnSync(process.execPath, [outfile], {
  stdio: 'inherit',
  env: { ...process.env, FLUX_STUDIO_ROOT: root, NODE_PATH: path.join(root, 'node_modules') },
});
fs.rmSync(outDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
