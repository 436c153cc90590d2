import { describe, expect, test } from 'vitest';
import { formatParameters, parseParameters, quoteValue } from '../../src-main/metadata/a1111';
import { emptyParameters } from '../../src-main/metadata/params';

const EXAMPLE = [
  'portrait of p3r5on, soft window light, 85mm',
  'Negative prompt: blurry',
  'Steps: 28, Sampler: Euler, Schedule type: Simple, CFG scale: 1, Distilled CFG Scale: 3.5, Seed: 1234567890, Size: 1024x1024, Model hash: 0123456789, Model: flux1-dev, Lora hashes: "p3r5on_v1: 0123456789ab", Version: flux-studio 0.1.0',
].join('\n');

describe('A1111 parameters', () => {
  test('parses the reference example exactly', () => {
    const p = parseParameters(EXAMPLE);
    expect(p.prompt).toBe('portrait of p3r5on, soft window light, 85mm');
    expect(p.negativePrompt).toBe('blurry');
    expect(p.steps).toBe(28);
    expect(p.sampler).toBe('Euler');
    expect(p.guidance).toBe(3.5);
    expect(p.seed).toBe(1234567890);
    expect(p.width).toBe(1024);
    expect(p.height).toBe(1024);
    expect(p.model).toBe('flux1-dev');
    expect(p.loras).toEqual([{ name: 'p3r5on_v1', scale: 1, sha256: '0123456789ab' }]);
    expect(p.source).toBe('a1111');
    expect(p.parametersText).toBe(EXAMPLE);
    expect(p.fields).toEqual({
      Steps: '28',
      Sampler: 'Euler',
      'Schedule type': 'Simple',
      'CFG scale': '1',
      'Distilled CFG Scale': '3.5',
      Seed: '1234567890',
      'Size-1': '1024',
      'Size-2': '1024',
      'Model hash': '0123456789',
      Model: 'flux1-dev',
      'Lora hashes': 'p3r5on_v1: 0123456789ab',
      Version: 'flux-studio 0.1.0',
    });
  });

  test('formatParameters reproduces the reference text exactly', () => {
    const text = formatParameters({
      ...emptyParameters(),
      prompt: 'portrait of p3r5on, soft window light, 85mm',
      negativePrompt: 'blurry',
      steps: 28,
      guidance: 3.5,
      seed: 1234567890,
      width: 1024,
      height: 1024,
      model: 'flux1-dev',
      loras: [{ name: 'p3r5on_v1', scale: 0.8, sha256: '0123456789ab' + 'cd'.repeat(26) }],
      modelSha256: '0123456789' + 'ef'.repeat(27),
      version: '0.1.0',
    });
    expect(text).toBe(EXAMPLE);
  });

  test('omits the negative line when empty and drops unknown values', () => {
    const text = formatParameters({ prompt: 'a cat', negativePrompt: '', steps: 4, seed: 7, guidance: null, model: null, version: null });
    expect(text).toBe('a cat\nSteps: 4, Sampler: Euler, Schedule type: Simple, CFG scale: 1, Seed: 7');
    expect(parseParameters(text).negativePrompt).toBeNull();
  });

  test('quotes values with , : or newline as JSON and reads them back', () => {
    expect(quoteValue('a,b')).toBe('"a,b"');
    expect(quoteValue('x: y')).toBe('"x: y"');
    expect(quoteValue('l1\nl2')).toBe('"l1\\nl2"');
    expect(quoteValue('plain')).toBe('plain');
    const text = formatParameters({ prompt: 'multi\nline, "quoted" 🎨', negativePrompt: 'bad: hands\nugly', steps: 20, seed: 3, model: 'my, model: v2', sampler: 'Euler "a"' });
    const p = parseParameters(text);
    expect(p.prompt).toBe('multi\nline, "quoted" 🎨');
    expect(p.negativePrompt).toBe('bad: hands\nugly');
    expect(p.model).toBe('my, model: v2');
    expect(p.sampler).toBe('Euler "a"');
    expect(p.steps).toBe(20);
  });

  test('a last line with fewer than 3 key: value pairs is prompt, not parameters', () => {
    const p = parseParameters('a photo\nstyle: noir, mood: dark');
    expect(p.prompt).toBe('a photo\nstyle: noir, mood: dark');
    expect(p.steps).toBeNull();
    expect(p.fields).toEqual({});
  });

  test('CFG scale is the guidance when there is no Distilled CFG Scale; <lora:> tags give scales', () => {
    const p = parseParameters('a dog <lora:furry:0.7>\nSteps: 30, Sampler: DPM++ 2M, CFG scale: 7, Seed: 42, Size: 512x768, Lora hashes: "furry: abcdef012345"');
    expect(p.guidance).toBe(7);
    expect(p.width).toBe(512);
    expect(p.height).toBe(768);
    expect(p.loras).toEqual([{ name: 'furry', scale: 0.7, sha256: 'abcdef012345' }]);
  });
});
