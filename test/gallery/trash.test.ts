// The pending trash on its own: the freedesktop trash layout, name collisions, deletes left
// behind by a studio that crashed, and the FTS query builder's quoting.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ftsQuery } from '../../src-main/gallery/index-repo';
import { freedesktopTrash, PendingTrash } from '../../src-main/gallery/trash';
import { LogSink } from '../../src-main/logging/logger';
import { makeStudio, tempDir } from '../helpers/studio';
import { writeImage } from './helpers';

const log = new LogSink({ file: null, consoleLevel: 'silent', fileLevel: 'error', maxBytes: 1, maxFiles: 1, redactions: () => [] }).logger('test');

describe('trash', () => {
  test.runIf(process.platform === 'linux')('freedesktop trash: files/ + info/*.trashinfo, colliding names get a number', () => {
    const xdg = tempDir();
    const dir = tempDir();
    for (let k = 0; k < 2; k++) {
      const f = path.join(dir, `${k}.tmp-stash`);
      fs.writeFileSync(f, `copy ${k}`);
      expect(freedesktopTrash(f, '/home/me/Pictures/my pic.jpg', { XDG_DATA_HOME: xdg })).toBe(true);
    }
    expect(fs.readdirSync(path.join(xdg, 'Trash', 'files')).sort()).toEqual(['my pic.1.jpg', 'my pic.jpg']);
    const info = fs.readFileSync(path.join(xdg, 'Trash', 'info', 'my pic.1.jpg.trashinfo'), 'utf8');
    expect(info.split('\n')[0]).toBe('[Trash Info]');
    expect(info).toContain('Path=/home/me/Pictures/my%20pic.jpg\n');
    expect(fs.readFileSync(path.join(xdg, 'Trash', 'files', 'my pic.1.jpg'), 'utf8')).toBe('copy 1');
  });

  test('stash and restore by token; unknown or malformed tokens restore nothing', () => {
    const data = tempDir();
    const trash = new PendingTrash(data, log);
    const f = path.join(tempDir(), 'a.jpg');
    fs.writeFileSync(f, 'x');
    const token = trash.newToken();
    expect(trash.stash(token, [{ imageId: 7, path: f }])).toHaveLength(1);
    expect(fs.existsSync(f)).toBe(false);
    expect(trash.restore('../../etc')).toEqual([]);
    expect(trash.restore(token)).toEqual([7]);
    expect(fs.readFileSync(f, 'utf8')).toBe('x');
    expect(trash.tokens()).toEqual([]);
  });

  test('deletes left by a crashed studio are finished by the next long-lived studio, not by a CLI command', async () => {
    const dataDir = tempDir();
    const xdg = tempDir();
    const first = await makeStudio({ dataDir, env: { XDG_DATA_HOME: xdg } });
    const out = first.settings.get().outputDir;
    await writeImage(path.join(out, 'gone.jpg'));
    await writeImage(path.join(out, 'kept.jpg'), { seed: 2 });
    first.gallery.rescan();
    await first.jobs.whenIdle();
    const gone = first.gallery.search({ text: undefined }).items.find((i) => i.fileName === 'gone.jpg');
    const { undoToken } = first.gallery.delete([gone?.id as string]);
    // "Crash": no close(), so the delete stays pending on disk and in the undo table.
    first.db.close();

    const cli = await makeStudio({ dataDir, env: { XDG_DATA_HOME: xdg } });
    await cli.close();
    expect(fs.existsSync(path.join(dataDir, 'trash-pending', undoToken))).toBe(true);

    const app = await makeStudio({ dataDir, env: { XDG_DATA_HOME: xdg }, watchGallery: true });
    await app.jobs.whenIdle();
    for (let k = 0; k < 50 && fs.existsSync(path.join(dataDir, 'trash-pending', undoToken)); k++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(path.join(dataDir, 'trash-pending', undoToken))).toBe(false);
    if (process.platform === 'linux') expect(fs.readdirSync(path.join(xdg, 'Trash', 'files'))).toEqual(['gone.jpg']);
    expect(app.gallery.search({}).items.map((i) => i.fileName)).toEqual(['kept.jpg']);
    expect((app.db.prepare('SELECT count(*) AS n FROM images_trash').get() as { n: number }).n).toBe(0);
    await app.close();
  });

  test('ftsQuery quotes every word and prefix-matches it', () => {
    expect(ftsQuery('red car')).toBe('"red"* "car"*');
    expect(ftsQuery('say "hi" NEAR(x)')).toBe('"say"* "hi"* "NEAR(x)"*');
    expect(ftsQuery('  -- ** ')).toBeNull();
    expect(ftsQuery('東京')).toBe('"東京"*');
  });
});
