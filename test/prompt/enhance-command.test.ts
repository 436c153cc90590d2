// `flux-studio enhance` as a user runs it: the built CLI (bin/flux-studio.cjs →
// out/main/cli.js, so `npm run build` first; npm test does) with ANTHROPIC_API_KEY and
// ANTHROPIC_BASE_URL pointing the real SDK at the local Messages API stand-in.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { EnhanceResult } from '@shared/contract';
import { MISSING_KEY_MESSAGE } from '../../src-main/prompt/enhance-service';
import { FakeAnthropic } from '../helpers/fake-anthropic';
import { REPO_ROOT, tempDir } from '../helpers/studio';

const BIN = path.join(REPO_ROOT, 'bin', 'flux-studio.cjs');
const KEY = `sk-ant-api03-${'cli'.repeat(12)}-TEST`;
const MODEL = 'claude-haiku-4-5';

let fake: FakeAnthropic;
let dataDir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Asynchronous on purpose: the fake server lives in this process and must keep answering.
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FLUX_STUDIO_DATA_DIR: dataDir, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', 'cli.js'))) {
    throw new Error('out/main/cli.js is missing: run `npm run build` (npm test does) before the CLI tests');
  }
  fake = await FakeAnthropic.start({ apiKey: KEY });
  dataDir = tempDir();
  // A current model: the SDK prints a deprecation notice on stderr for the shipped default.
  const set = await cli(['settings', 'set', 'enhanceModel', MODEL]);
  expect(set.code, set.stderr).toBe(0);
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  expect(fake.pending).toBe(0);
  fake.requests.length = 0;
});

describe('flux-studio enhance', () => {
  test('--help documents the flags', async () => {
    const r = await cli(['enhance', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--json', '--mode', 'focused', 'imaginative', '--no-trim', '--data-dir']) expect(r.stdout).toContain(flag);
  });

  test('--json prints exactly the EnhanceResult; stderr says once that the prompt goes to Anthropic', async () => {
    fake.replyText('Here is your prompt: "A paper boat on a rain puddle, city lights reflected, macro lens"');
    const r = await cli(['enhance', 'a paper boat', '--json', '--mode', 'imaginative']);
    expect(r.code, r.stderr).toBe(0);

    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = EnhanceResult.strict().parse(JSON.parse(lines[0]!));
    expect(result).toMatchObject({
      original: 'a paper boat',
      enhanced: 'A paper boat on a rain puddle, city lights reflected, macro lens',
      trimmed: 'A paper boat on a rain puddle, city lights reflected, macro lens',
      wasTrimmed: false,
      model: MODEL,
      mode: 'imaginative',
    });
    expect(result.tokenCount).toBeGreaterThan(5);
    expect(r.stderr.match(/Anthropic/g)).toHaveLength(1);
    expect(r.stderr).toContain(`Sending the prompt to Anthropic (model ${MODEL})`);

    expect(fake.messageRequests).toHaveLength(1);
    const sent = fake.messageRequests[0]!;
    expect(sent.apiKey).toBe(KEY);
    expect(sent.body).toMatchObject({ model: MODEL, temperature: 0.7, max_tokens: 120, messages: [{ role: 'user', content: 'a paper boat' }] });
    expect(sent.body?.system).toContain('Mode: imaginative.');
  });

  test('human output shows the original, the enhanced text and the trim; --no-trim keeps it whole', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `glowing lantern number ${i}`).join(', ');
    fake.replyText(long);
    const trimmed = await cli(['enhance', 'lanterns', 'on', 'a', 'river']);
    expect(trimmed.code, trimmed.stderr).toBe(0);
    expect(trimmed.stdout).toContain('original: lanterns on a river\n');
    expect(trimmed.stdout).toContain(`enhanced: ${long}\n`);
    const cut = /^trimmed: {2}(.+)$/m.exec(trimmed.stdout)?.[1];
    expect(cut).toBeDefined();
    expect(long.startsWith(cut!)).toBe(true);
    expect(cut!.length).toBeLessThan(long.length);
    expect(trimmed.stdout).toMatch(/CLIP tokens: cut to the first 75, which is all CLIP reads\)/);

    fake.replyText(long);
    const whole = await cli(['enhance', 'lanterns', '--no-trim', '--json']);
    expect(whole.code, whole.stderr).toBe(0);
    expect(JSON.parse(whole.stdout)).toMatchObject({ enhanced: long, trimmed: long, wasTrimmed: false });
  });

  test('failures exit 1 with the message, and never print the key', async () => {
    const wrong = 'sk-ant-api03-wrong-key-0000000000000000';
    const r = await cli(['enhance', 'a cat', '--json'], { ANTHROPIC_API_KEY: wrong });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/flux-studio: Anthropic rejected the API key \(401\): invalid x-api-key\./);
    expect(r.stderr).not.toContain(wrong);
    expect(fake.messageRequests).toHaveLength(1);

    fake.replyError(500, `server trouble ${KEY}`);
    fake.replyError(500, `server trouble ${KEY}`);
    fake.replyError(500, `server trouble ${KEY}`);
    const upstream = await cli(['enhance', 'a cat']);
    expect(upstream.code).toBe(1);
    expect(upstream.stderr).toMatch(/flux-studio: Anthropic had a server error \(500 api_error\): server trouble \[redacted\]/);
    expect(upstream.stderr + upstream.stdout).not.toContain(KEY);
    const log = fs.readFileSync(path.join(dataDir, 'logs', 'studio.log'), 'utf8');
    expect(log).not.toContain(KEY);
  });

  test('no key: says where to set it; nothing is sent and no notice is printed', async () => {
    const r = await cli(['enhance', 'a cat'], { ANTHROPIC_API_KEY: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`flux-studio: ${MISSING_KEY_MESSAGE}`);
    expect(r.stderr).not.toContain('Sending the prompt');
    expect(fake.requests).toHaveLength(0);
  });

  test('bad input is a usage error (exit 2) before anything is sent', async () => {
    const blank = await cli(['enhance', '   ']);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(/prompt: must not be empty/);
    expect(blank.stderr).not.toContain('Sending the prompt');

    const mode = await cli(['enhance', 'a cat', '--mode', 'wild']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/--mode.*wild/);
    expect(fake.requests).toHaveLength(0);
  });
});
