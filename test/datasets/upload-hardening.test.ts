// Issue 17, items 6, 7, 8 and 10: what a client could do to the data dir through imports
// and uploads — leftovers after a kill, zip bombs made of many small entries, Windows-style
// paths on Linux, garbage base64.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { extractZip, ZIP_LIMITS } from '../../src-main/datasets/zip-extract';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';
import { storedZip } from './fixtures';

let studio: Studio | undefined;
afterEach(async () => {
  await studio?.close();
  studio = undefined;
});

describe('upload and import hardening', () => {
  test('start-up removes import folders left by a killed process, not those of a live one', async () => {
    const dataDir = tempDir();
    const staging = path.join(dataDir, 'tmp', 'datasets');
    // A dead pid (far above pid_max), a legacy name, and a live process (this one's parent).
    for (const n of ['import-999999999-abcdef', 'import-Xy12Zq', `import-${process.ppid}-keep01`]) {
      fs.mkdirSync(path.join(staging, n, 'zip-1'), { recursive: true });
      fs.writeFileSync(path.join(staging, n, 'zip-1', '000001.jpg'), Buffer.alloc(1024));
    }
    studio = await makeStudio({ dataDir });
    expect(fs.readdirSync(staging)).toEqual([`import-${process.ppid}-keep01`]);
  });

  test('a zip of many small entries of zeros is refused once it expands past its ratio, not after writing a gigabyte', async () => {
    const dir = tempDir();
    const zero = Buffer.alloc(1024 * 1024);
    // 200 × 1 MiB of zeros, each exactly at the per-entry size where the entry ratio check starts.
    const zipPath = path.join(dir, 'bomb.zip');
    fs.writeFileSync(zipPath, storedZip(Array.from({ length: 200 }, (_, i) => ({ name: `z/${i}.jpg`, data: zero, deflate: true }))));
    expect(fs.statSync(zipPath).size).toBeLessThan(500 * 1024);
    const dest = path.join(dir, 'out');
    const { entries } = await extractZip(zipPath, dest, 'bomb.zip');
    const written = fs.readdirSync(dest).reduce((n, f) => n + fs.statSync(path.join(dest, f)).size, 0);
    expect(written).toBeLessThanOrEqual(ZIP_LIMITS.totalRatioAllowanceBytes);
    expect(entries.filter((e) => e.file === null).length).toBeGreaterThan(100);
    expect(entries.find((e) => e.file === null)?.reason).toMatch(/possible zip bomb/);
  });

  test('Windows-style paths are not absolute on Linux and the message does not show the working directory', async () => {
    studio = await makeStudio();
    for (const p of ['C:/Users/me/photos', 'C:\\Users\\me\\photos', '\\\\server\\share\\photos']) {
      const res = await studio.dispatch('datasets.import', { name: 'win', sources: [p] });
      expect(res, p).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'sources[0]' } });
      if (!res.ok) expect(res.error.message).not.toContain(process.cwd());
      // And the service itself, for callers that skip the contract (CLI, tests).
      await expect(studio.datasets.importNow({ name: 'win', sources: [p] })).rejects.toThrow(/is not an absolute path on this system/);
      const made = await studio.dispatch('datasets.create', { name: 'win', folder: p });
      expect(made, p).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'folder' } });
      // Every absolute-path field of the contract checks for the platform main runs on.
      const setting = await studio.dispatch('settings.update', { outputDir: p });
      expect(setting, p).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'outputDir', message: expect.stringMatching(/absolute path on this system/) as unknown as string } });
      if (!setting.ok) expect(setting.error.message).not.toContain(process.cwd());
    }
    expect(fs.readdirSync(process.cwd()).filter((f) => f.startsWith('C:') || f.startsWith('\\'))).toEqual([]);
  });

  test('datasets.upload refuses base64 that is not base64, and chunks over its own limit', async () => {
    studio = await makeStudio();
    for (const junk of ['not base64!', 'AAA', 'AA=A', '====', 'QUJD\nRA==']) {
      const res = await studio.dispatch('datasets.upload', { uploadId: 'up-b64-00001', file: 'a.jpg', offset: 0, dataBase64: junk });
      expect(res, junk).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'dataBase64' } });
    }
    const big = await studio.dispatch('datasets.upload', { uploadId: 'up-b64-00001', file: 'a.jpg', offset: 0, dataBase64: Buffer.alloc(600 * 1024).toString('base64') });
    expect(big).toMatchObject({ ok: false, error: { field: 'dataBase64' } });
    const ok = await studio.dispatch('datasets.upload', { uploadId: 'up-b64-00001', file: 'a.jpg', offset: 0, dataBase64: 'QUJDRA==' });
    expect(ok).toEqual({ ok: true, data: { received: 4 } });
  });
});
