// Kill the studio (SIGKILL) in the middle of a scan of 5,000 files, then scan again: the
// database is intact, the scan completes, every file is indexed exactly once, and the
// temp file of an interrupted atomic write is never indexed. Runs the built CLI
// (bin/flux-studio.cjs → out/main/cli.js): `npm run build` first (npm test does).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/studio';

const BIN = path.join(REPO_ROOT, 'bin', 'flux-studio.cjs');
const FILES = 5000;

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', 'cli.js'))) {
    throw new Error('out/main/cli.js is missing: run `npm run build` (npm test does) before this test');
  }
});

async function makeFiles(dir: string, n: number): Promise<void> {
  const batch = 64;
  for (let start = 0; start < n; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - start) }, async (_, k) => {
        const i = start + k;
        const bytes = await sharp({
          create: { width: 64, height: 64, channels: 3, background: { r: i % 256, g: Math.floor(i / 256) % 256, b: (i * 7) % 256 } },
        })
          .jpeg({ quality: 70 })
          .toBuffer();
        const sub = path.join(dir, `d${String(Math.floor(i / 500)).padStart(2, '0')}`);
        fs.mkdirSync(sub, { recursive: true });
        fs.writeFileSync(path.join(sub, `img_${String(i).padStart(5, '0')}.jpg`), bytes);
      }),
    );
  }
}

function countRows(dbFile: string): number {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created or not migrated yet
  }
}

describe('reliability', () => {
  test(`SIGKILL during a scan of ${FILES} files, then scan again`, async () => {
    const images = tempDir('flux-rel-images-');
    const dataDir = tempDir('flux-rel-data-');
    const madeStart = performance.now();
    await makeFiles(images, FILES);
    const made = performance.now() - madeStart;
    // An interrupted atomic write (writeFileAtomic's temp name), with a whole image inside.
    const some = fs.readFileSync(path.join(images, 'd00', 'img_00000.jpg'));
    fs.writeFileSync(path.join(images, 'd01', `.img_99999.jpg.${process.pid}.${Date.now()}.tmp`), some);

    const env = { PATH: process.env.PATH, HOME: dataDir, XDG_DATA_HOME: path.join(dataDir, 'xdg') };
    const dbFile = path.join(dataDir, 'studio.db');
    const child = spawn(process.execPath, [BIN, 'gallery', 'add-folder', images, '--data-dir', dataDir], { cwd: REPO_ROOT, env, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    const started = performance.now();
    let before = 0;
    while (before < 400) {
      await new Promise((r) => setTimeout(r, 50));
      before = countRows(dbFile);
      if (performance.now() - started > 60_000) throw new Error('the scan did not start');
    }
    const firstRate = before / ((performance.now() - started) / 1000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = countRows(dbFile);
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(FILES); // killed mid-scan

    const check = new Database(dbFile);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    // Restart: the same command again resumes (files already indexed are skipped).
    const t0 = performance.now();
    const again = spawnSync(process.execPath, [BIN, 'gallery', 'add-folder', images, '--data-dir', dataDir, '--json'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      timeout: 180_000,
    });
    const resumeSecs = (performance.now() - t0) / 1000;
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ path: images, kind: 'folder', imageCount: FILES });

    const db = new Database(dbFile);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("INSERT INTO images_fts(images_fts) VALUES('integrity-check')").run()).toBeTruthy();
    const rows = db.prepare('SELECT path FROM images').all() as { path: string }[];
    expect(rows).toHaveLength(FILES);
    expect(new Set(rows.map((r) => r.path)).size).toBe(FILES);
    expect(rows.some((r) => r.path.endsWith('.tmp'))).toBe(false);
    const broken = db.prepare('SELECT count(*) AS n FROM images WHERE broken_reason IS NOT NULL').get() as { n: number };
    expect(broken.n).toBe(0);
    const jobs = db.prepare("SELECT state FROM jobs WHERE kind = 'gallery.scan' ORDER BY seq").all() as { state: string }[];
    expect(jobs.map((j) => j.state)).toEqual(['interrupted', 'succeeded']);
    db.close();

    // And one more time: nothing changes.
    const search = spawnSync(process.execPath, [BIN, 'gallery', 'search', '', '--json', '--limit', '3', '--data-dir', dataDir], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    expect(search.status, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout)).toMatchObject({ total: FILES });

    const rest = FILES - atKill;
    console.log(
      `reliability: made ${FILES} files in ${(made / 1000).toFixed(1)} s; first scan ~${firstRate.toFixed(0)} files/s (incl. start-up); ` +
        `killed at ${atKill}; resume indexed ${rest} more in ${resumeSecs.toFixed(1)} s (${(rest / resumeSecs).toFixed(0)} files/s incl. start-up)`,
    );
  }, 240_000);
});
