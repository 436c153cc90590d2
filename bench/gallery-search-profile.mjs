#!/usr/bin/env node
// `npm run bench:gallery-search-profile`: where a gallery.search's time goes, in-process (no
// HTTP, no serve), on the same 100,000-row synthetic index and the same 200 queries as
// `npm run bench:gallery`. Each query runs through what the `gallery.search` call does:
//   sql   GalleryRepo.search (FTS temp table fill, the page, the exact count)
//   map   rows → GalleryImage (parameters JSON, tags, media) as GalleryService.search does
//   zod   dispatch's response check (calls['gallery.search'].response.safeParse)
//   json  the envelope serialised as serve sends it
// and every SQL statement is timed on its own. Absolute numbers move with the machine's load:
// compare runs made under the same conditions (PROFILE_ROUNDS, default 5; the per-query
// median of the rounds is used). Bundles src-main with esbuild on the fly; no build needed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { benchQueries, buildSyntheticIndex, createRand } from './gallery-index.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const esbuild = require('esbuild');
const ROWS = Number(process.env.PROFILE_ROWS ?? 100_000);
const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 5);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-search-profile-'));
const entry = `
export { openDatabase } from './src-main/db/open-database';
export { GalleryService } from './src-main/gallery/gallery-service';
export { GalleryRepo } from './src-main/gallery/index-repo';
export { calls } from '@shared/contract';
`;
const bundles = [];
/** Bundles src-main/src-preload of `srcRoot` next to the app's build (so it resolves node_modules). */
async function load(srcRoot, tag) {
  const bundle = path.join(root, 'out', 'bench', `gallery-search-profile-${tag}-${process.pid}.cjs`);
  bundles.push(bundle);
  await esbuild.build({
    stdin: { contents: entry, resolveDir: srcRoot, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    packages: 'external',
    logLevel: 'error',
  });
  return require(bundle);
}
// PROFILE_SRC=DIR: also bundle another checkout's src-main/src-preload (e.g. `git archive`
// of an earlier commit) and run each query through both, alternating, so the comparison
// shares the machine's load query by query.
const mine = await load(root, 'this');
const other = process.env.PROFILE_SRC ? await load(path.resolve(process.env.PROFILE_SRC), 'other') : null;
const { openDatabase } = mine;

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs) => quantile(xs, 0.5);

try {
  // PROFILE_DB=FILE keeps the index (and its queries) there and reuses it on the next run.
  const dbFile = process.env.PROFILE_DB ? path.resolve(process.env.PROFILE_DB) : path.join(tmp, 'studio.db');
  const queriesFile = `${dbFile}.queries.json`;
  const reuse = fs.existsSync(dbFile) && fs.existsSync(queriesFile);
  const db = openDatabase(dbFile);
  let queries;
  if (reuse) {
    queries = JSON.parse(fs.readFileSync(queriesFile, 'utf8'));
    console.log(`index: reusing ${dbFile}; load average ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} cores`);
  } else {
    // The same rand sequence as bench:gallery after its 100 JPEGs (which draw their own).
    const { rand } = createRand(0x9e3779b9);
    for (let k = 0; k < 100 * 12 * 3; k++) rand(); // what the bench's 100 JPEGs draw first
    const t0 = performance.now();
    buildSyntheticIndex({ db, inputs: path.join(tmp, 'none'), rows: ROWS, rand });
    db.exec('ANALYZE');
    console.log(`index: ${ROWS.toLocaleString('en')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} cores`);
    queries = benchQueries({ rand, count: 200 });
    fs.writeFileSync(queriesFile, JSON.stringify(queries));
  }

  // Time every statement of this checkout: wrap prepare so each run/get/all is measured under its SQL text.
  const perSql = new Map();
  const realPrepare = db.prepare.bind(db);
  let timing = false;
  db.prepare = (sql) => {
    const stmt = realPrepare(sql);
    const key = sql.replace(/\s+/g, ' ').replace(/@model\d+|@rt\d+|@tag\d+|@src\d+/g, '@x').replace(/(\?, )+\?/g, '?…').slice(0, 140);
    for (const m of ['run', 'get', 'all']) {
      const fn = stmt[m].bind(stmt);
      stmt[m] = (...args) => {
        if (!timing) return fn(...args);
        const t = performance.now();
        try {
          return fn(...args);
        } finally {
          const e = perSql.get(key) ?? { n: 0, ms: 0 };
          e.n++;
          e.ms += performance.now() - t;
          perSql.set(key, e);
        }
      };
    }
    return stmt;
  };

  /** What the gallery.search call does, stage by stage, with a checkout's modules on a connection. */
  const runner = (mod, conn) => {
    const repo = new mod.GalleryRepo(conn);
    // GalleryService.search without the rest of the service (scanner, watchers, thumbnails).
    const svc = Object.create(mod.GalleryService.prototype);
    svc.repo = repo;
    const response = mod.calls['gallery.search'].response;
    const request = mod.calls['gallery.search'].request;
    return (raw) => {
      const q = request.parse(raw);
      const a = performance.now();
      const found = repo.search(q);
      const b = performance.now();
      const sources = new Map(repo.sources().map((x) => [x.id, x]));
      const items = typeof svc.toImages === 'function' ? svc.toImages(found.rows, sources) : found.rows.map((r) => svc.toImage(r, sources));
      const data = { items, total: found.total, offset: found.offset };
      const c = performance.now();
      const checked = response.safeParse(data);
      if (!checked.success) throw new Error(`response outside the contract: ${checked.error.message}`);
      const d = performance.now();
      const body = JSON.stringify({ ok: true, data: checked.data });
      const e = performance.now();
      return { sql: b - a, map: c - b, zod: d - c, json: e - d, total: e - a, found: found.total, ids: items.map((i) => i.id).join(','), bytes: body.length };
    };
  };
  const run = runner(mine, db);
  const otherDb = other ? openDatabase(dbFile) : null;
  const runOther = other && otherDb ? runner(other, otherDb) : null;

  const stages = ['sql', 'map', 'zod', 'json'];
  const samples = queries.map(() => Object.fromEntries(stages.map((k) => [k, []])));
  const totals = queries.map(() => []);
  const otherTotals = queries.map(() => []);
  const results = [];
  let differ = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    timing = round > 0; // round 0 warms the page cache
    queries.forEach((raw, i) => {
      // Alternate which goes first, so neither always meets a warmer cache.
      let r;
      let o = null;
      if (runOther && (round + i) % 2 === 0) {
        timing = false;
        o = runOther(raw);
        timing = round > 0;
        r = run(raw);
      } else {
        r = run(raw);
        if (runOther) {
          const was = timing;
          timing = false;
          o = runOther(raw);
          timing = was;
        }
      }
      if (round === 0) {
        results.push(r);
        // Same answers: the same total and the same page, in the same order.
        if (o && (o.found !== r.found || o.ids !== r.ids)) {
          differ++;
          const same = r.ids.split(',').filter((id, k) => o.ids.split(',')[k] === id).length;
          console.log(`  differs: ${JSON.stringify(raw)}: total ${r.found} vs ${o.found}, ${same} of ${r.ids.split(',').length} page positions equal, same set: ${[...r.ids.split(',')].sort().join() === [...o.ids.split(',')].sort().join()}`);
        }
      } else {
        for (const k of stages) samples[i][k].push(r[k]);
        totals[i].push(r.total);
        if (o) otherTotals[i].push(o.total);
      }
    });
  }
  if (runOther) console.log(`answers: ${queries.length - differ} of ${queries.length} queries give the same total and page in both checkouts`);
  const med = samples.map((x) => Object.fromEntries(stages.map((k) => [k, median(x[k])])));
  const tot = totals.map(median);
  const ms = (x) => x.toFixed(2);
  console.log(`search (in-process, median of ${ROUNDS} rounds per query): p50 ${ms(quantile(tot, 0.5))} ms, p95 ${ms(quantile(tot, 0.95))} ms, max ${ms(Math.max(...tot))} ms`);
  if (runOther) {
    const ot = otherTotals.map(median);
    const ratios = tot.map((t, i) => t / ot[i]);
    console.log(`  PROFILE_SRC, same queries interleaved: p50 ${ms(quantile(ot, 0.5))} ms, p95 ${ms(quantile(ot, 0.95))} ms, max ${ms(Math.max(...ot))} ms; this/that per query: median ${quantile(ratios, 0.5).toFixed(2)}×`);
  }
  const sum = (k) => med.reduce((x, m) => x + m[k], 0);
  const all = tot.reduce((x, y) => x + y, 0);
  console.log(`  share of the time: ${stages.map((k) => `${k} ${((100 * sum(k)) / all).toFixed(0)}%`).join(', ')}; mean ${stages.map((k) => `${k} ${ms(sum(k) / med.length)}`).join(', ')} ms`);
  ['text only', 'text + filters', 'filters only', 'text + sort'].forEach((label, k) => {
    const idx = tot.map((_, i) => i).filter((i) => i % 4 === k);
    console.log(`  ${label.padEnd(15)} p50 ${ms(quantile(idx.map((i) => tot[i]), 0.5))} ms, p95 ${ms(quantile(idx.map((i) => tot[i]), 0.95))} ms`);
  });
  console.log('slowest queries (median ms: sql / map / zod / json; total matches):');
  const order = tot.map((t, i) => [t, i]).sort((a, b) => b[0] - a[0]).slice(0, 12);
  for (const [t, i] of order) {
    const m = med[i];
    console.log(`  ${ms(t).padStart(6)}  ${ms(m.sql)} / ${ms(m.map)} / ${ms(m.zod)} / ${ms(m.json)}  total ${String(results[i].found).padStart(6)}  ${JSON.stringify(queries[i])}`);
  }
  console.log('statements by time (all rounds):');
  for (const [sql, e] of [...perSql].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) {
    console.log(`  ${e.ms.toFixed(0).padStart(6)} ms ${String(e.n).padStart(6)}×  ${sql}`);
  }
  db.close();
  otherDb?.close();
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const b of bundles) fs.rmSync(b, { force: true });
}
