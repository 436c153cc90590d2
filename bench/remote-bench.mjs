#!/usr/bin/env node
// `npm run bench:remote`: the warm remote path vs the original per-image workflow, measured
// (not asserted) on a loopback OpenSSH server with the stand-in pipeline, 20 images each.
// Prints the median per-image orchestration overhead (end-to-end minus the pipeline's own
// time) of both and their ratio, SFTP vs scp throughput, and ends with the line
//   remote overhead: warm <ms> ms, per-image <ms> ms, ratio <x>
// Target: warm ≤ 150 ms and at least 5× lower. Needs /usr/sbin/sshd, ssh, scp and the pod venv.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const images = Number(process.env.BENCH_IMAGES ?? 20);
const stepMs = Number(process.env.BENCH_STEP_MS ?? 25);
const steps = 4;

if (!fs.existsSync('/usr/sbin/sshd')) {
  console.error('bench:remote needs an OpenSSH server (/usr/sbin/sshd).');
  process.exit(1);
}
const venv = execFileSync('bash', [path.join(root, 'scripts', 'pod-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
// Bundled inside the checkout (out/ is build output) so the externals resolve from node_modules.
const outfile = path.join(root, 'out', 'bench-remote', 'harness.cjs');
await build({ entryPoints: [path.join(root, 'bench', 'remote-harness.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', outfile, logLevel: 'error' });
const { runBench } = require(outfile);
const r = await runBench({ root, python: path.join(venv, 'bin', 'python'), images, stepMs, steps, log: (l) => console.log(l) });
const f = (x) => x.toFixed(0);
console.log(`stand-in pipeline: ${steps} steps × ${stepMs} ms, 512×512 JPEG q95, ${images} images each way`);
console.log(`warm path:      median end-to-end ${f(r.warm.e2e)} ms, pipeline ${f(r.warm.pipeline)} ms, overhead ${f(r.warm.overhead)} ms`);
console.log(`per-image path: median end-to-end ${f(r.perImage.e2e)} ms, pipeline ${f(r.perImage.pipeline)} ms, overhead ${f(r.perImage.overhead)} ms (ssh + python start + scp)`);
console.log(`64 MiB fetch over loopback (${r.transfer.cipher}): SFTP 64×64 KiB (studio) ${r.transfer.tuned} MB/s, 128×32 KiB ${r.transfer.wide} MB/s, 64×32 KiB (ssh2 default) ${r.transfer.bigChunks} MB/s, 32×128 KiB ${r.transfer.huge} MB/s, 1×32 KiB ${r.transfer.serial} MB/s; scp ${r.transfer.scp} MB/s`);
console.log(`remote overhead: warm ${f(r.warm.overhead)} ms, per-image ${f(r.perImage.overhead)} ms, ratio ${(r.perImage.overhead / r.warm.overhead).toFixed(1)}x`);
