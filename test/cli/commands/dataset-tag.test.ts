// `flux-studio dataset tag` / `dataset untag` through the real commander program (in
// process, so the local Messages API stand-in keeps answering), over a real data dir.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import YAML from 'yaml';
import { buildProgram } from '../../../src-main/cli/main';
import { CliError } from '../../../src-main/cli/cli-kit';
import { readCaption } from '../../../src-main/datasets/captions';
import { FakeAnthropic } from '../../helpers/fake-anthropic';
import { makeStudio, REPO_ROOT, tempDir } from '../../helpers/studio';
import { solid, tinyTaggerDir, TINY_TAGGER_TIMEOUT_MS } from '../../datasets/tagging/tiny-tagger';

const KEY = `sk-ant-api03-${'clitag'.repeat(6)}-SECRET`;
let taggerDir: string;
let fake: FakeAnthropic;
let dataDir: string;
let dir: string;
const saved = { key: process.env.ANTHROPIC_API_KEY, url: process.env.ANTHROPIC_BASE_URL };

async function run(args: string[]): Promise<{ stdout: string; stderr: string; error: unknown }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  let error: unknown = null;
  try {
    await buildProgram().parseAsync(['node', 'flux-studio', ...args, '--data-dir', dataDir]);
  } catch (e) {
    error = e;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr, error };
}

beforeAll(async () => {
  taggerDir = tinyTaggerDir();
  fake = await FakeAnthropic.start({ apiKey: KEY });
  process.env.ANTHROPIC_API_KEY = KEY;
  process.env.ANTHROPIC_BASE_URL = fake.url;
}, TINY_TAGGER_TIMEOUT_MS);
afterAll(async () => {
  await fake?.close();
  if (saved.key === undefined) delete process.env.ANTHROPIC_API_KEY;
  else process.env.ANTHROPIC_API_KEY = saved.key;
  if (saved.url === undefined) delete process.env.ANTHROPIC_BASE_URL;
  else process.env.ANTHROPIC_BASE_URL = saved.url;
});

beforeEach(async () => {
  dataDir = tempDir('flux-tag-cli-');
  dir = tempDir('flux-tag-cli-ds-');
  await solid(path.join(dir, 'red.png'), [255, 0, 0]);
  await solid(path.join(dir, 'white.png'), [255, 255, 255]);
  const studio = await makeStudio({ dataDir });
  studio.datasets.create({ name: 'cli set', folder: dir, trigger: 'zxq' });
  await studio.close();
});
afterEach(() => {
  fake.respondWith(null);
  expect(fake.pending).toBe(0);
});

describe('flux-studio dataset tag', () => {
  test('--tagger with thresholds prints a summary; untag puts the old captions back', async () => {
    const r = await run(['dataset', 'tag', 'cli set', '--tagger', taggerDir, '--general', '0.6', '--blacklist', '^_^']);
    expect(r.error).toBeNull();
    expect(r.stdout).toMatch(/^cli set: 2 written, 0 unchanged, 0 skipped, 0 failed \(tagger .*, fill\)/);
    const jobId = /dataset untag (\S+)/.exec(r.stdout)?.[1];
    expect(jobId).toBeTruthy();
    expect(readCaption(path.join(dir, 'red.png'))).toBe('red background');
    expect(readCaption(path.join(dir, 'white.png'))).toBe('white background');
    // Not a terminal: progress as lines on stderr.
    expect(r.stderr).toMatch(/^0 \/ 2\n1 \/ 2 red\.png\n2 \/ 2 white\.png\n/m);

    const again = await run(['dataset', 'tag', 'cli set', '--tagger', taggerDir, '--json']);
    const json = JSON.parse(again.stdout) as { counts: { skipped: number; written: number } };
    expect(json.counts).toMatchObject({ skipped: 2, written: 0 });

    const u = await run(['dataset', 'untag', jobId!]);
    expect(u.error).toBeNull();
    expect(u.stdout).toBe('cli set: 2 captions put back\n');
    expect(readCaption(path.join(dir, 'red.png'))).toBeNull();

    // MCut: red's general tags split at 0.9975|0.5; the one likely character (0.73) clears max(0.15, mcut).
    const m = await run(['dataset', 'tag', 'cli set', '--tagger', taggerDir, '--mcut', '--mode', 'overwrite']);
    expect(m.error).toBeNull();
    expect(readCaption(path.join(dir, 'red.png'))).toBe('red background, ^_^, kagamine rin');
  });

  test('flag errors are usage errors', async () => {
    const both = await run(['dataset', 'tag', 'cli set', '--tagger', taggerDir, '--claude']);
    expect(both.error).toBeInstanceOf(CliError);
    expect((both.error as CliError).exitCode).toBe(2);
    const bad = await run(['dataset', 'tag', 'cli set', '--tagger', taggerDir, '--general', '1.5']);
    expect((bad.error as Error).message).toMatch(/--general: 1.5 is not a number from 0 to 1/);
  });

  test('--claude shows the estimate, asks for --yes above the threshold, then captions', async () => {
    const c = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'configs', 'tagging.yaml'), 'utf8')) as Record<string, unknown>;
    c.confirmAboveUsd = 0.001;
    fs.writeFileSync(path.join(dataDir, 'tagging.yaml'), YAML.stringify(c));

    const refused = await run(['dataset', 'tag', 'cli set', '--claude', '--instruction', 'Describe [trigger].']);
    expect(refused.stderr).toMatch(/Claude claude-sonnet-4-6: 2 images to caption \(0 skipped\), \d+ input tokens, up to 600 output tokens: about \$0\.009\d at most/);
    expect(refused.error).toBeInstanceOf(CliError);
    expect((refused.error as CliError).exitCode).toBe(3);
    expect((refused.error as Error).message).toMatch(/run again with --yes/);
    expect(fake.messageRequests).toHaveLength(0);

    fake.reply({ kind: 'message', text: 'zxq in a plain room.' }, { kind: 'message', text: 'zxq in a plain room.' });
    const r = await run(['dataset', 'tag', 'cli set', '--claude', '--instruction', 'Describe [trigger].', '--yes', '--concurrency', '1']);
    expect(r.error).toBeNull();
    expect(r.stdout).toMatch(/cli set: 2 written.*\(claude claude-sonnet-4-6, fill\)\n {2}tokens: \d+ in, \d+ out \(\$0\.\d{4}\)/);
    expect(readCaption(path.join(dir, 'red.png'))).toBe('zxq in a plain room.');
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });
});
