// `flux-studio generate` flag parsing through the real built CLI (npm test builds first).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { draftFromOptions, parseSize } from '../../../src-main/cli/commands/generate';
import { FakeAnthropic } from '../../helpers/fake-anthropic';
import { REPO_ROOT, tempDir } from '../../helpers/studio';

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
    [['--seed', 'abc'], /^flux-studio: --seed: must be a whole number in 0…4294967295 \(0…2\^32−1\), got “abc”\./],
    [['--seed', '-1'], /^flux-studio: --seed: -1 is outside 0…4294967295 \(0…2\^32−1\)\./],
    [['--seed', '4294967296'], /^flux-studio: --seed: 4294967296 is outside 0…4294967295 \(0…2\^32−1\)\./],
    [['--jpeg-quality', '101'], /^flux-studio: --jpeg-quality: 101 is outside 1…100\./],
    [['--guidance', 'lots'], /^flux-studio: --guidance: must be a number, got “lots”/],
    [['--no-such-flag'], /^flux-studio: unknown option '--no-such-flag'/],
    [['--guidance', '9'], /--guidance: must be 1\.0–7\.0/],
    [['--custom', '100x100'], /--custom: 100 px \(96 after rounding\) is under the minimum of 256 px/],
    [['--custom', '5000x1000'], /--custom: 5000 px \(5008 after rounding\) is over the maximum of 4096 px/],
    [['--custom', 'big'], /WIDTHxHEIGHT/],
    [['--model', 'sdxl'], /--model: “sdxl” is not one of flux-dev, flux-schnell \(a model folder needs --local\)/],
  ])('%j is refused with a clear message (exit 2)', (args, message) => {
    const r = generate('x', ...args, '--dry-run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  test('without a runtime it says how to set one up: a pod, or --local with a model', () => {
    const r = generate('x');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^flux-studio: No GPU runtime is set up yet/);
    expect(r.stderr).toContain('flux-studio pods add NAME --from-ssh');
    expect(r.stderr).toContain('with --local');
    expect(r.stderr).toContain('flux-studio local add DIR');
    expect(r.stderr).not.toMatch(/next (update|release)/);
  });

  test('our errors and commander\'s read the same: one `flux-studio:` line, no `error:`', () => {
    for (const args of [['--seed', '-1'], ['--custom', '100x100'], ['--fast', '--quality']]) {
      const r = generate('x', ...args, '--dry-run');
      expect(r.stderr.split('\n')[0]).toMatch(/^flux-studio: /);
      expect(r.stderr).not.toMatch(/^error:/m);
    }
  });

  test('--help lists the flags of the original workflow', () => {
    const r = spawnSync(process.execPath, [BIN, 'generate', '--help'], { encoding: 'utf8' });
    for (const flag of ['--fast', '--balanced', '--quality', '--square', '--portrait', '--landscape', '--hd', '--4k', '--custom <WxH>', '--seed <n>', '--random-seed', '--creative', '--guidance <x>', '--strict', '--jpeg-quality <n>', '--enhance-ai', '--dry-run']) {
      expect(r.stdout).toContain(flag);
    }
  });
});

describe('generate --enhance-ai', () => {
  // Async spawn: the fake API server runs in this process and must keep answering.
  function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, 'generate', ...args, '--data-dir', tempDir()], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  test('expands the prompt with Claude, trims it to CLIP, and records the original', async () => {
    const key = 'sk-ant-test-generate-0123456789';
    const fake = await FakeAnthropic.start({ apiKey: key });
    const long = Array.from({ length: 60 }, (_, i) => `detail${i}`).join(', ');
    fake.reply({ kind: 'message', text: `"A lighthouse at dusk, ${long}"` });
    try {
      const r = await run(['a lighthouse', '--enhance-ai', '--dry-run', '--seed', '7'], { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: fake.url });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/Sending the prompt to Anthropic/);
      const out = JSON.parse(r.stdout) as { prompt: string; enhancedFrom: string; seed: number };
      expect(out.enhancedFrom).toBe('a lighthouse');
      expect(out.prompt.startsWith('A lighthouse at dusk, detail0')).toBe(true);
      expect(out.prompt.length).toBeLessThan(`A lighthouse at dusk, ${long}`.length); // cut to CLIP's 75 tokens
      expect(out.seed).toBe(7);
      expect(fake.messageRequests[0]?.body?.messages[0]).toMatchObject({ role: 'user' });
      expect(r.stdout + r.stderr).not.toContain(key);
    } finally {
      await fake.close();
    }
  });

  test('without a key it fails before resolving, saying where to set one', async () => {
    const r = await run(['a lighthouse', '--enhance-ai', '--dry-run'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--enhance-ai: No Anthropic API key/);
    expect(r.stdout).toBe('');
  });
});
