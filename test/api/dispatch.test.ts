import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { StudioError } from '../../src-main/core/studio-error';
import type { Studio } from '../../src-main/studio';
import { makeStudio } from '../helpers/studio';

let studio: Studio;
beforeEach(async () => {
  studio = await makeStudio();
});
afterEach(async () => {
  await studio.close();
});

describe('dispatch', () => {
  test('unknown calls are a typed error, not a crash', async () => {
    expect(await studio.dispatch('nope.nothing', {})).toEqual({
      ok: false,
      error: { code: 'unknown_call', message: 'No such call: nope.nothing' },
    });
    expect(await studio.dispatch({ toString: () => 'x' }, {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    // Prototype keys are not calls.
    expect(await studio.dispatch('constructor', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await studio.dispatch('__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
  });

  test('invalid input names the bad field', async () => {
    const r = await studio.dispatch('settings.update', { defaultRuntime: 'gpu-of-dreams' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'defaultRuntime' } });
    const rel = await studio.dispatch('settings.update', { outputDir: 'relative/dir' });
    expect(rel).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'outputDir' } });
    expect(!rel.ok && rel.error.message).toContain('absolute');
    const extra = await studio.dispatch('settings.get', { sneaky: 1 });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const nested = await studio.dispatch('jobs.list', { states: ['running', 'bogus'] });
    expect(nested).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'states[1]' } });
    const notObject = await studio.dispatch('secrets.set', 'hello');
    expect(notObject).toMatchObject({ ok: false, error: { code: 'invalid_input', field: '(request)' } });
  });

  test('handler failures become typed errors; unexpected throws become internal without details', async () => {
    const original = studio.handlers['settings.get'];
    studio.handlers['settings.get'] = () => {
      throw new StudioError('conflict', 'busy');
    };
    expect(await studio.dispatch('settings.get', {})).toEqual({ ok: false, error: { code: 'conflict', message: 'busy' } });
    studio.handlers['settings.get'] = () => {
      throw new Error('/secret/internal/path exploded');
    };
    const r = await studio.dispatch('settings.get', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(r)).not.toContain('/secret/internal/path');
    studio.handlers['settings.get'] = original;
  });

  test('responses are checked against the contract and stripped of undeclared fields', async () => {
    const original = studio.handlers['settings.get'];
    studio.handlers['settings.get'] = () => ({ ...original({}), leaked: 'value' }) as never;
    const r = await studio.dispatch('settings.get', {});
    expect(r.ok).toBe(true);
    expect(JSON.stringify(r)).not.toContain('leaked');
    studio.handlers['settings.get'] = () => ({ outputDir: 42 }) as never;
    expect(await studio.dispatch('settings.get', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    studio.handlers['settings.get'] = original;
  });

  test('openExternal accepts only parsed https: URLs', async () => {
    for (const url of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', '/etc/passwd', 'https://user:pw@example.com', 'not a url']) {
      expect(await studio.dispatch('app.openExternal', { url })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'url' } });
    }
    // Headless: accepted but the browser opens it itself.
    expect(await studio.dispatch('app.openExternal', { url: 'https://github.com/ostris/ai-toolkit' })).toEqual({ ok: true, data: { opened: false } });
  });

  test('revealPath refuses paths outside the studio folders', async () => {
    expect(await studio.dispatch('app.revealPath', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await studio.dispatch('app.revealPath', { path: studio.info.dataDir + '/../../etc' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await studio.dispatch('app.revealPath', { path: studio.info.dataDir + '/logs' })).toEqual({ ok: true, data: { supported: false } });
  });
});
