#!/usr/bin/env node
// `npm run bench:pods`: RunPod pods against the local RunPod server (test/helpers/runpod-server)
// with loopback pods (real sshd, fresh host keys printed to the pod log), measured, not asserted.
// Ends with the line
//   pods: start-to-ssh-ready <ms> ms, address refresh <ms> ms, idle stop within <s> s of the deadline
// Start-to-ssh-ready and address refresh are medians over BENCH_STARTS (3) starts; the server
// starts a pod in BENCH_START_MS (500) ms and keeps reporting the old address for
// BENCH_STALE_MS (1000) ms. Needs /usr/sbin/sshd and the pod venv (scripts/pod-venv.sh).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
if (!fs.existsSync('/usr/sbin/sshd')) {
  console.error('bench:pods needs an OpenSSH server (/usr/sbin/sshd).');
  process.exit(1);
}
const venv = execFileSync('bash', [path.join(root, 'scripts', 'pod-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
// Three folders below the root, like test/helpers/runpod-server/: the test server finds the
// spec from its own folder (__dirname or import.meta.url, defined below: a CJS bundle lacks it).
const outfile = path.join(root, 'out', 'bench-pods', 'bundle', 'harness.cjs');
const specValidation = pathToFileURL(path.join(root, 'test', 'helpers', 'runpod-server', 'spec-validation.ts')).href;
await build({
  entryPoints: [path.join(root, 'bench', 'pods-harness.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  outfile,
  logLevel: 'error',
  define: { 'import.meta.url': JSON.stringify(specValidation) },
});
const { runPodsBench } = require(outfile);
const delays = { provisionMs: 200, startMs: Number(process.env.BENCH_START_MS ?? 500), staleAddressMs: Number(process.env.BENCH_STALE_MS ?? 1000) };
const r = await runPodsBench({ root, python: path.join(venv, 'bin', 'python'), starts: Number(process.env.BENCH_STARTS ?? 3), delays, idleSeconds: 5, log: (l) => console.log(l) });
console.log(`local server: pod start ${delays.startMs} ms, old address reported for ${delays.staleAddressMs} ms; watchdog countdown 5 s`);
console.log(`of start-to-ssh-ready, the server took a median ${Math.round(r.serverRunningMs)} ms to run the pod (its delay, fresh host keys, sshd)`);
console.log(`pods: start-to-ssh-ready ${Math.round(r.startMs)} ms, address refresh ${Math.round(r.refreshMs)} ms, idle stop within ${Math.abs(r.idleLateS).toFixed(1)} s of the deadline`);
