import { afterEach, describe, expect, test } from 'vitest';
import type { PromptTemplate } from '@shared/contract';
import { applyTemplate } from '../../src-main/templates/templates-service';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.close();
  studio = null;
});

const data = <T>(r: { ok: boolean; data?: unknown }) => {
  expect(r.ok).toBe(true);
  return r.data as T;
};

describe('prompt templates', () => {
  test('applying fills the {prompt} slot and tidies an empty one', () => {
    expect(applyTemplate('cinematic still of {prompt}, film grain', ' a fox ')).toBe('cinematic still of a fox, film grain');
    expect(applyTemplate('{prompt}, photo, {prompt}', 'x')).toBe('x, photo, x');
    expect(applyTemplate('{prompt}, professional photograph, natural light', '')).toBe('professional photograph, natural light');
  });

  test('applying a style twice does not double it (idempotent); another style still wraps', () => {
    const photo = '{prompt}, professional photograph, natural light';
    const once = applyTemplate(photo, 'a fox');
    expect(once).toBe('a fox, professional photograph, natural light');
    expect(applyTemplate(photo, once)).toBe(once);
    expect(applyTemplate(photo, ` ${once} `)).toBe(once);
    const both = '{prompt}, photo, {prompt}';
    expect(applyTemplate(both, applyTemplate(both, 'x'))).toBe('x, photo, x');
    // A prompt that only looks similar is still wrapped.
    expect(applyTemplate(photo, 'a fox, professional photograph')).toBe('a fox, professional photograph, professional photograph, natural light');
    expect(applyTemplate('cinematic still of {prompt}, film grain', once)).toBe(`cinematic still of ${once}, film grain`);
  });

  test('shipped templates are listed, read-only and undeletable', async () => {
    studio = await makeStudio();
    const list = data<PromptTemplate[]>(await studio.dispatch('templates.list', {}));
    expect(list.length).toBeGreaterThanOrEqual(4);
    expect(list.every((t) => t.builtin && t.text.includes('{prompt}'))).toBe(true);
    const first = list[0] as PromptTemplate;
    expect(await studio.dispatch('templates.delete', { id: first.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await studio.dispatch('templates.save', { id: first.id, name: 'Mine', text: '{prompt}!' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(data<{ text: string }>(await studio.dispatch('templates.apply', { id: 'builtin-cinematic', prompt: 'a fox' })).text).toMatch(/^cinematic film still of a fox,/);
  });

  test('user templates: create, edit, apply, delete — and they survive a restart', async () => {
    const dataDir = tempDir();
    studio = await makeStudio({ dataDir });
    const created = data<PromptTemplate>(await studio.dispatch('templates.save', { name: 'Moody', text: 'moody photo of {prompt}, low key' }));
    expect(created).toMatchObject({ name: 'Moody', builtin: false });
    await studio.close();
    studio = await makeStudio({ dataDir });
    const edited = data<PromptTemplate>(await studio.dispatch('templates.save', { id: created.id, name: 'Moody 2', text: 'dark photo of {prompt}' }));
    expect(edited).toMatchObject({ id: created.id, name: 'Moody 2' });
    expect(data<{ text: string }>(await studio.dispatch('templates.apply', { id: created.id, prompt: 'a fox' })).text).toBe('dark photo of a fox');
    expect(await studio.dispatch('templates.delete', { id: created.id })).toEqual({ ok: true, data: { deleted: true } });
    expect(await studio.dispatch('templates.delete', { id: created.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  test('validation: {prompt} required, names unique (case-insensitive), unknown ids', async () => {
    studio = await makeStudio();
    expect(await studio.dispatch('templates.save', { name: 'No slot', text: 'a photo' })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'text' } });
    expect(await studio.dispatch('templates.save', { name: '   ', text: '{prompt}' })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'name' } });
    data(await studio.dispatch('templates.save', { name: 'Mine', text: '{prompt}' }));
    expect(await studio.dispatch('templates.save', { name: 'MINE', text: '{prompt}, x' })).toMatchObject({ ok: false, error: { code: 'conflict', field: 'name' } });
    expect(await studio.dispatch('templates.save', { name: 'photograph', text: '{prompt}' })).toMatchObject({ ok: false, error: { code: 'conflict', field: 'name' } });
    expect(await studio.dispatch('templates.save', { id: 'nope', name: 'X', text: '{prompt}' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await studio.dispatch('templates.apply', { id: 'nope', prompt: 'x' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
