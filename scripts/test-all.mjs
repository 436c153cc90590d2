#!/usr/bin/env node
// `npm test`: builds, then runs every suite — vitest (unit, integration, type-level),
// pytest for native/pod in the pinned venv, and Playwright (browser specs against
// `serve` in Debian Chromium; Electron specs skip where no Electron binary exists) —
// and ends with one line: "N passed, N failed[, N skipped]".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(label, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${label}: ${[path.basename(cmd), ...args].join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) process.stdout.write(`${label}: could not start: ${r.error.message}\n`);
  return r.status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const tally = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

// 1. Build: the browser specs serve out/renderer, and the CLI tests run out/main/cli.js.
if (run('build', bin('electron-vite'), ['build']) !== 0) problems.push('build failed');

// 2. vitest (runtime tests and *.test-d.ts type tests).
const vitestJson = path.join(results, 'vitest.json');
fs.rmSync(vitestJson, { force: true });
const vitestCode = run('vitest', bin('vitest'), ['run', '--typecheck', '--reporter=default', '--reporter=json', `--outputFile=${vitestJson}`]);
const v = readJson(vitestJson);
if (v) {
  tally.passed += v.numPassedTests;
  tally.failed += v.numFailedTests;
  tally.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  if (vitestCode !== 0 && v.numFailedTests === 0) problems.push(`vitest exited ${vitestCode} (a suite failed to load?)`);
} else problems.push('vitest produced no report');

// 3. pytest: the pod-side code (worker, bootstrap, protocol) and the ONNX fixtures' own checks.
const junit = path.join(results, 'pytest.xml');
fs.rmSync(junit, { force: true });
const pyCode = run('pytest', 'bash', [path.join(root, 'scripts', 'pytest-pod.sh'), 'native/pod/tests', 'native/fixtures/onnx/tests', `--junitxml=${junit}`]);
if (fs.existsSync(junit)) {
  const xml = fs.readFileSync(junit, 'utf8');
  const attr = (name) => [...xml.matchAll(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`, 'g'))].reduce((s, m) => s + Number(m[1]), 0);
  const total = attr('tests');
  const failed = attr('failures') + attr('errors');
  const skipped = attr('skipped');
  tally.passed += total - failed - skipped;
  tally.failed += failed;
  tally.skipped += skipped;
  if (pyCode !== 0 && failed === 0) problems.push(`pytest exited ${pyCode}`);
} else problems.push('pytest produced no report');

// 4. Playwright.
const pwJson = path.join(results, 'playwright.json');
fs.rmSync(pwJson, { force: true });
const pwCode = run('playwright', bin('playwright'), ['test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
const p = readJson(pwJson);
if (p?.stats) {
  tally.passed += p.stats.expected + (p.stats.flaky ?? 0);
  tally.failed += p.stats.unexpected;
  tally.skipped += p.stats.skipped;
  if (pwCode !== 0 && p.stats.unexpected === 0) problems.push(`playwright exited ${pwCode}`);
} else problems.push('playwright produced no report');

for (const problem of problems) process.stdout.write(`problem: ${problem}\n`);
const failed = tally.failed + problems.length;
process.stdout.write(`\n${tally.passed} passed, ${failed} failed, ${tally.skipped} skipped\n`);
process.exit(failed > 0 ? 1 : 0);
