// `flux-studio generate` flag parsing through the real built CLI (npm test builds first).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { draftFromOptions, parseSize } from '../../src-main/presets/generate-command';
import { REPO_ROOT, tempDir } from '../helpers/studio';

const BIN = path.join(REPO_ROOT, 'bin', 'flux-studio.cjs');
const dataDir = tempDir();
function generate(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'generate', ...args, '--data-dir', dataDir], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) as Record<string, unknown> };
}

describe('generate flags', () => {
  test('sizes parse as WxH with x, X or ×', () => {
    expect(parseSize('1344x768')).toEqual({ width: 1344, height: 768 });
    expect(parseSize(' 800 × 600 ')).toEqual({ width: 800, height: 600 });
    expect(() => parseSize('1344')).toThrow(/WIDTHxHEIGHT/);
    expect(() => parseSize('-5x100')).toThrow();
  });

  test('flags map onto a draft', () => {
    expect(draftFromOptions('p', { hd: true, strict: true, seed: 5, fast: true, cpuOffload: false })).toEqual({
      prompt: 'p', quality: 'fast', size: 'hd', guidance: 'strict', seed: 5, cpuOffload: false,
    });
    expect(draftFromOptions('p', { custom: { width: 1000, height: 700 }, guidance: 2.5, randomSeed: true })).toEqual({
      prompt: 'p', size: 'custom', width: 1000, height: 700, guidance: 'custom', guidanceValue: 2.5, seed: null,
    });
  });

  test('--dry-run prints the fully resolved request', () => {
    const r = generate('a lighthouse at dusk', '--landscape', '--quality', '--seed', '4294967295', '--creative', '--jpeg-quality', '80', '--no-cpu-offload', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ prompt: 'a lighthouse at dusk', width: 1216, height: 832, steps: 50, seed: 4294967295, seedWasRandom: false, guidance: 1.5, jpegQuality: 80, cpuOffload: false, model: 'flux-dev' });
    const random = generate('x', '--random-seed', '--dry-run').json();
    expect(random.seedWasRandom).toBe(true);
    expect(typeof random.seed).toBe('number');
    expect(generate('x', '--4k', '--dry-run').json().warnings).toEqual([expect.stringMatching(/7\.9×/)]);
  });

  test.each([
    [['--fast', '--quality'], /cannot be used with/],
    [['--square', '--custom', '800x600'], /cannot be used with/],
    [['--seed', '12', '--random-seed'], /cannot be used with/],
    [['--seed', 'abc'], /--seed must be a whole number/],
    [['--seed', '4294967296'], /--seed must be between 0 and 4294967295/],
    [['--jpeg-quality', '101'], /--jpeg-quality must be between 1 and 100/],
    [['--guidance', 'lots'], /--guidance must be a number/],
    [['--guidance', '9'], /--guidance: must be 1\.0–7\.0/],
    [['--custom', '100x100'], /--custom: 100 px \(96 after rounding\) is under the minimum of 256 px/],
    [['--custom', '5000x1000'], /--custom: 5000 px \(5008 after rounding\) is over the maximum of 4096 px/],
    [['--custom', 'big'], /WIDTHxHEIGHT/],
    [['--model', 'sdxl'], /Allowed choices are flux-dev, flux-schnell/],
  ])('%j is refused with a clear message (exit 2)', (args, message) => {
    const r = generate('x', ...args, '--dry-run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  test('without --dry-run it says plainly that no runtime is connected yet', () => {
    const r = generate('x');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No GPU runtime is connected/);
  });

  test('--help lists the flags of the original workflow', () => {
    const r = spawnSync(process.execPath, [BIN, 'generate', '--help'], { encoding: 'utf8' });
    for (const flag of ['--fast', '--balanced', '--quality', '--square', '--portrait', '--landscape', '--hd', '--4k', '--custom <WxH>', '--seed <n>', '--random-seed', '--creative', '--guidance <x>', '--strict', '--jpeg-quality <n>', '--enhance-ai', '--dry-run']) {
      expect(r.stdout).toContain(flag);
    }
  });
});
