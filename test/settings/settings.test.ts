import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { Studio } from '../../src-main/studio';
import { loadDefaultSettings } from '../../src-main/settings/settings-service';
import { REPO_ROOT, makeStudio, tempDir } from '../helpers/studio';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.close();
  studio = null;
});

describe('settings', () => {
  test('defaults come from configs/settings.yaml with {dataDir} expanded', () => {
    const d = loadDefaultSettings(path.join(REPO_ROOT, 'configs'), '/data/here');
    expect(d).toMatchObject({ outputDir: '/data/here/outputs', defaultRuntime: 'remote', openAfterGenerate: true, defaultModel: 'flux-dev', jpegQuality: 95, clipTokenizerDir: null });
  });

  test('changes persist across restarts of the studio', async () => {
    const dataDir = tempDir();
    studio = await makeStudio({ dataDir });
    const out = path.join(tempDir(), 'my images');
    const updated = await studio.dispatch('settings.update', { outputDir: out, defaultRuntime: 'local', openAfterGenerate: false });
    expect(updated).toMatchObject({ ok: true, data: { outputDir: out, defaultRuntime: 'local', openAfterGenerate: false } });
    expect(fs.statSync(out).isDirectory()).toBe(true);
    await studio.close();
    studio = await makeStudio({ dataDir });
    expect(await studio.dispatch('settings.get', {})).toMatchObject({ ok: true, data: { outputDir: out, defaultRuntime: 'local', openAfterGenerate: false } });
    const reset = await studio.dispatch('settings.reset', { keys: ['defaultRuntime'] });
    expect(reset).toMatchObject({ ok: true, data: { defaultRuntime: 'remote', outputDir: out } });
  });

  test('an unwritable output folder is refused and nothing changes', async () => {
    studio = await makeStudio();
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    const before = await studio.dispatch('settings.get', {});
    const r = await studio.dispatch('settings.update', { outputDir: path.join(file, 'sub'), defaultRuntime: 'local' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'outputDir' } });
    expect(await studio.dispatch('settings.get', {})).toEqual(before);
  });

  test('a corrupt stored value falls back to the default instead of crashing', async () => {
    studio = await makeStudio();
    studio.db.prepare(`INSERT INTO settings VALUES ('defaultRuntime', '"quantum"', 'x'), ('openAfterGenerate', 'not json', 'x')`).run();
    expect(await studio.dispatch('settings.get', {})).toMatchObject({ ok: true, data: { defaultRuntime: 'remote', openAfterGenerate: true } });
  });

  test('every change is announced as a settings.changed event', async () => {
    studio = await makeStudio();
    const seen: unknown[] = [];
    studio.events.subscribe((name, payload) => {
      if (name === 'settings.changed') seen.push(payload);
    });
    await studio.dispatch('settings.update', { openAfterGenerate: false });
    expect(seen).toEqual([expect.objectContaining({ openAfterGenerate: false })]);
  });
});
