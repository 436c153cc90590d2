import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { ResolvedGeneration } from '@shared/contract';
import { loadPresets, PresetsService } from '../../src-main/generation/presets-service';
import { loadDefaultSettings } from '../../src-main/settings/settings-service';
import type { Studio } from '../../src-main/studio';
import { REPO_ROOT, makeStudio } from '../helpers/studio';

const configs = path.join(REPO_ROOT, 'configs');
const presetsFile = loadPresets(configs);
const baseSettings = loadDefaultSettings(configs, '/tmp/x');

function service(overrides: Partial<typeof baseSettings> = {}, seed = 777) {
  return new PresetsService(presetsFile, () => ({ ...baseSettings, ...overrides }), () => seed);
}

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.close();
  studio = null;
});

describe('presets.yaml', () => {
  test('ships the documented presets', () => {
    const v = service().view();
    expect(v.quality.map((q) => [q.id, q.steps])).toEqual([['fast', 4], ['balanced', 20], ['quality', 50]]);
    expect(v.guidance.map((g) => [g.id, g.value])).toEqual([['creative', 1.5], ['default', 3.5], ['strict', 5]]);
    expect(v.sizes.find((s) => s.id === 'square')).toMatchObject({ width: 1024, height: 1024 });
    for (const s of v.sizes) {
      expect(s.width % 16, s.id).toBe(0);
      expect(s.height % 16, s.id).toBe(0);
    }
    expect(v.sizes.find((s) => s.id === 'hd')).toMatchObject({ width: 1920, height: 1088 });
    expect(v.guidanceRange).toEqual([1, 7]);
    expect(v.defaults).toMatchObject({ model: 'flux-dev', quality: 'balanced', size: 'square', jpegQuality: 95, cpuOffload: true });
    expect(v.models.find((m) => m.id === 'flux-schnell')).toMatchObject({ usesGuidance: false, fixedSteps: 4, maxSequenceLength: 256 });
    expect(v.models.find((m) => m.id === 'flux-dev')).toMatchObject({ usesGuidance: true, maxSequenceLength: 512 });
  });
});

describe('resolving a draft', () => {
  test('defaults: FLUX.1-dev, balanced, square, guidance 3.5, a drawn seed that is reported', () => {
    const r = service().resolve({ prompt: 'a cat' });
    expect(r).toEqual<ResolvedGeneration>({
      prompt: 'a cat', model: 'flux-dev', steps: 20, quality: 'balanced', width: 1024, height: 1024, size: 'square',
      guidance: 3.5, seed: 777, seedWasRandom: true, jpegQuality: 95, cpuOffload: true, maxSequenceLength: 512, notes: [], warnings: [],
    });
    expect(service().resolve({ prompt: 'a', seed: 42 })).toMatchObject({ seed: 42, seedWasRandom: false });
  });

  test('random seeds are drawn in the full 32-bit range', () => {
    const real = new PresetsService(presetsFile, () => baseSettings);
    const seeds = new Set(Array.from({ length: 200 }, () => real.resolve({ prompt: 'x' }).seed));
    expect(seeds.size).toBeGreaterThan(195);
    expect([...seeds].every((s) => Number.isInteger(s) && s >= 0 && s <= 4294967295)).toBe(true);
    expect([...seeds].some((s) => s > 2 ** 31)).toBe(true);
  });

  test('quality, size and guidance presets map to their numbers', () => {
    expect(service().resolve({ prompt: 'x', quality: 'quality', size: 'portrait', guidance: 'strict' })).toMatchObject({ steps: 50, width: 832, height: 1216, guidance: 5 });
    expect(service().resolve({ prompt: 'x', quality: 'fast', size: 'landscape', guidance: 'creative' })).toMatchObject({ steps: 4, width: 1216, height: 832, guidance: 1.5 });
    expect(service().resolve({ prompt: 'x', steps: 33 })).toMatchObject({ steps: 33, quality: null });
  });

  test('FLUX.1-schnell is a 4-step model with no guidance', () => {
    const r = service().resolve({ prompt: 'x', model: 'flux-schnell', quality: 'quality', guidance: 'strict' });
    expect(r).toMatchObject({ steps: 4, guidance: null, quality: null, maxSequenceLength: 256 });
    expect(r.notes.join(' ')).toMatch(/4-step model/);
    expect(r.notes.join(' ')).toMatch(/no guidance input/);
    expect(service().resolve({ prompt: 'x', model: 'flux-schnell', steps: 30 }).warnings.join(' ')).toMatch(/distilled for 4 steps/);
  });

  test('FLUX.1-dev at 4 steps is allowed with a warning', () => {
    expect(service().resolve({ prompt: 'x', quality: 'fast' }).warnings.join(' ')).toMatch(/20–50 steps/);
  });

  test('custom sizes round to the nearest multiple of 16 and say so', () => {
    const r = service().resolve({ prompt: 'x', size: 'custom', width: 1000, height: 700 });
    expect(r).toMatchObject({ width: 1008, height: 704, size: 'custom' });
    expect(r.notes).toEqual(['1000 × 700 rounded to 1008 × 704 (FLUX needs multiples of 16)']);
    expect(service().resolve({ prompt: 'x', width: 1024, height: 768 })).toMatchObject({ size: 'custom', notes: [] });
  });

  test.each([
    [{ size: 'custom' as const, height: 512 }, 'width', /needs a width and a height/],
    [{ size: 'custom' as const, width: 100, height: 512 }, 'width', /under the minimum of 256/],
    [{ size: 'custom' as const, width: 1024, height: 5000 }, 'height', /over the maximum of 4096/],
    [{ guidance: 'custom' as const }, 'guidanceValue', /needs a value/],
  ])('rejects %j naming %s', (draft, field, message) => {
    expect(() => service().resolve({ prompt: 'x', ...draft })).toThrow(message);
    try {
      service().resolve({ prompt: 'x', ...draft });
    } catch (err) {
      expect((err as { field?: string }).field).toBe(field);
    }
  });

  test('warns far outside the training size, in both directions', () => {
    expect(service().resolve({ prompt: 'x', size: '4k' }).warnings.join(' ')).toMatch(/7\.9× the ~1\.0 MP/);
    expect(service().resolve({ prompt: 'x', width: 256, height: 256 }).warnings.join(' ')).toMatch(/far below/);
    expect(service().resolve({ prompt: 'x', size: 'hd' }).warnings).toEqual([]);
  });

  test('Settings overrides change preset numbers and defaults', () => {
    const s = service({ presetOverrides: { qualitySteps: { balanced: 28 }, guidanceValues: { default: 3 } }, defaultSize: 'landscape', jpegQuality: 80, cpuOffload: false });
    expect(s.resolve({ prompt: 'x' })).toMatchObject({ steps: 28, guidance: 3, width: 1216, height: 832, jpegQuality: 80, cpuOffload: false });
    expect(s.view().quality.find((q) => q.id === 'balanced')?.steps).toBe(28);
  });
});

describe('through the contract', () => {
  test('generation.resolve validates, and presets.get reflects saved overrides', async () => {
    studio = await makeStudio();
    expect(await studio.dispatch('generation.resolve', { prompt: 'x', width: 100, height: 100 })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'width' } });
    expect(await studio.dispatch('generation.resolve', { prompt: 'x', seed: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'seed' } });
    expect(await studio.dispatch('generation.resolve', { prompt: 'x', guidance: 'custom', guidanceValue: 9 })).toMatchObject({ ok: false, error: { field: 'guidanceValue' } });
    await studio.dispatch('settings.update', { presetOverrides: { qualitySteps: { quality: 40 } } });
    const view = await studio.dispatch('presets.get', {});
    expect(view.ok && (view.data as { quality: { id: string; steps: number }[] }).quality.find((q) => q.id === 'quality')?.steps).toBe(40);
  });
});
