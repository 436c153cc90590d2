// Claude vision captioning through the real @anthropic-ai/sdk against the local Messages
// API stand-in (test/helpers/fake-anthropic.ts), with a real studio. The fake answers from
// the image it receives (decoded with sharp), so concurrent requests in any order get the
// right reply: the test proves each caption belongs to its image. Rate limits (429 with
// retry-after), overloads (529), server errors, a per-image permanent error, a rejected key
// and the cost estimate.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import type { CallName, Envelope, Job } from '@shared/contract';
import type { CostEstimate, TaggingResults } from '@shared/contract/tagging';
import { readCaption, writeCaption } from '../../../src-main/datasets/captions';
import { backoffMs, retryAfterMs } from '../../../src-main/datasets/tagging/claude-captioner';
import type { Studio } from '../../../src-main/studio';
import { FakeAnthropic, type FakeReply, type FakeRequest } from '../../helpers/fake-anthropic';
import { makeStudio, REPO_ROOT, tempDir } from '../../helpers/studio';
import { solid } from './tiny-tagger';

const KEY = `sk-ant-api03-${'tagging'.repeat(6)}-SECRET`;
const COLOURS: Record<string, readonly [number, number, number]> = {
  red: [230, 20, 20],
  green: [20, 230, 20],
  blue: [20, 20, 230],
  yellow: [230, 230, 20],
  black: [10, 10, 10],
  white: [245, 245, 245],
};

let fake: FakeAnthropic;
let studio: Studio;
let dataDir: string;
let dir: string;
let logged: string;

async function ok<T>(name: CallName, payload: unknown): Promise<T> {
  const env = (await studio.dispatch(name, payload)) as Envelope<T>;
  if (!env.ok) throw new Error(`${name}: ${env.error.code}: ${env.error.message}`);
  return env.data;
}

async function finished(job: Job): Promise<Job> {
  await studio.jobs.whenIdle();
  return ok<Job>('jobs.get', { id: job.id });
}

/** The colour name of the image a request carries (nearest of COLOURS), and its size. */
async function imageOf(req: FakeRequest): Promise<{ colour: string; width: number; height: number; mediaType: string; text: string }> {
  const content = req.body?.messages[0]?.content as Array<{ type: string; text?: string; source?: { media_type: string; data: string } }>;
  const image = content.find((b) => b.type === 'image')!;
  const text = content.find((b) => b.type === 'text')?.text ?? '';
  const buf = Buffer.from(image.source!.data, 'base64');
  const meta = await sharp(buf).metadata();
  const stats = await sharp(buf).stats();
  const mean = stats.channels.slice(0, 3).map((c) => c.mean);
  let best = '';
  let bestD = Infinity;
  for (const [name, rgb] of Object.entries(COLOURS)) {
    const d = rgb.reduce((s, v, i) => s + (v - mean[i]!) ** 2, 0);
    if (d < bestD) [best, bestD] = [name, d];
  }
  return { colour: best, width: meta.width!, height: meta.height!, mediaType: image.source!.media_type, text };
}

function writeConfig(patch: (c: Record<string, Record<string, unknown>>) => void): void {
  const c = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'configs', 'tagging.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
  c.claude!.backoffBaseMs = 20;
  c.claude!.backoffMaxMs = 100;
  patch(c);
  fs.writeFileSync(path.join(dataDir, 'tagging.yaml'), YAML.stringify(c));
}

beforeAll(async () => {
  fake = await FakeAnthropic.start({ apiKey: KEY });
});
afterAll(async () => {
  await fake?.close();
});

beforeEach(async () => {
  dataDir = tempDir('flux-claude-tag-');
  logged = '';
  studio = await makeStudio({
    dataDir,
    env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url },
    consoleLevel: 'debug',
    consoleWrite: (t) => (logged += t),
  });
  writeConfig(() => undefined);
  dir = tempDir('flux-claude-ds-');
  for (const [name, rgb] of Object.entries(COLOURS)) await solid(path.join(dir, `${name}.png`), rgb, 96, 64);
  studio.datasets.create({ name: 'swatches', folder: dir, trigger: 'zxq' });
  fake.requests.length = 0;
});

afterEach(async () => {
  fake.respondWith(null);
  await studio.close();
  // The key went to the server (x-api-key) and nowhere else.
  for (const r of fake.messageRequests) expect(r.apiKey).toBe(KEY);
  const logFile = fs.readFileSync(path.join(dataDir, 'logs', 'studio.log'), 'utf8');
  expect(logFile).not.toContain(KEY);
  expect(logged).not.toContain(KEY);
  const results = path.join(dataDir, 'tagging');
  for (const f of fs.existsSync(results) ? fs.readdirSync(results) : []) expect(fs.readFileSync(path.join(results, f), 'utf8')).not.toContain(KEY);
});

describe('Claude captioning', () => {
  test('every image gets its own caption, sent downscaled as JPEG with the instruction (trigger substituted), 4 at a time at most', async () => {
    await solid(path.join(dir, 'wide.png'), COLOURS.black!, 2000, 1000);
    writeCaption(path.join(dir, 'white.png'), 'kept as it is');
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: Array<{ colour: string; width: number; height: number; mediaType: string; text: string }> = [];
    fake.respondWith(async (req) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const img = await imageOf(req);
      seen.push(img);
      await new Promise((r) => setTimeout(r, 150));
      inFlight--;
      return { kind: 'message', text: `"zxq on a plain ${img.colour} background, ${img.width}x${img.height}."` };
    });
    const job = await ok<Job>('tagging.start', { dataset: 'swatches', mode: 'fill', source: { kind: 'claude', instruction: 'Caption [trigger] in one sentence.' } });
    const done = await finished(job);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');

    for (const name of ['red', 'green', 'blue', 'yellow', 'black']) {
      expect(readCaption(path.join(dir, `${name}.png`))).toBe(`zxq on a plain ${name} background, 96x64.`);
    }
    expect(readCaption(path.join(dir, 'wide.png'))).toBe('zxq on a plain black background, 768x384.');
    expect(readCaption(path.join(dir, 'white.png'))).toBe('kept as it is');
    expect(seen).toHaveLength(6);
    for (const s of seen) {
      expect(s.mediaType).toBe('image/jpeg');
      expect(s.text).toBe('Caption zxq in one sentence.');
    }
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThan(1);
    const body = fake.messageRequests[0]!.body!;
    expect(body).toMatchObject({ model: 'claude-sonnet-4-6', max_tokens: 300 });

    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(res).toMatchObject({ source: 'claude', sourceDetail: 'claude-sonnet-4-6' });
    expect(res.counts).toEqual({ written: 6, unchanged: 0, skipped: 1, failed: 0, undone: 0, pending: 0 });
    expect(res.usage!.inputTokens).toBeGreaterThan(0);
    expect(res.usage!.usd).toBeCloseTo((res.usage!.inputTokens * 3 + res.usage!.outputTokens * 15) / 1e6, 9);
    // Undo all: back to no captions (and the kept one untouched).
    expect((await ok<{ undone: number }>('tagging.undo', { jobId: job.id })).undone).toBe(6);
    expect(readCaption(path.join(dir, 'red.png'))).toBeNull();
    expect(readCaption(path.join(dir, 'white.png'))).toBe('kept as it is');
  });

  test('429 waits retry-after, 529 and 500 back off and retry, a 400 fails that image only', async () => {
    const attempts: Record<string, number[]> = {};
    fake.respondWith(async (req): Promise<FakeReply> => {
      const { colour } = await imageOf(req);
      const times = (attempts[colour] ??= []);
      times.push(Date.now());
      const n = times.length;
      if (colour === 'green' && n === 1) return { kind: 'error', status: 429, message: 'Number of request tokens has exceeded your per-minute rate limit', headers: { 'retry-after': '1' } };
      if (colour === 'yellow' && n <= 2) return { kind: 'error', status: 529, message: 'Overloaded' };
      // Error texts that echo the key: it must not reach a log line or the results.
      if (colour === 'black' && n === 1) return { kind: 'error', status: 500, message: `Internal server error (key ${KEY})` };
      if (colour === 'blue') return { kind: 'error', status: 400, message: `messages.0.content.0.image.source: image exceeds 5 MB maximum (key ${KEY})` };
      return { kind: 'message', text: `a ${colour} swatch` };
    });
    const job = await ok<Job>('tagging.start', { dataset: 'swatches', mode: 'overwrite', source: { kind: 'claude', concurrency: 2 } });
    const done = await finished(job);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');

    expect(attempts.green).toHaveLength(2);
    expect(attempts.green![1]! - attempts.green![0]!).toBeGreaterThanOrEqual(950); // retry-after: 1
    expect(attempts.yellow).toHaveLength(3);
    expect(attempts.black).toHaveLength(2);
    expect(attempts.blue).toHaveLength(1); // permanent: not retried
    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(res.counts).toMatchObject({ written: 5, failed: 1, pending: 0 });
    for (const c of ['red', 'green', 'yellow', 'black', 'white']) expect(readCaption(path.join(dir, `${c}.png`))).toBe(`a ${c} swatch`);
    expect(res.items.find((i) => i.file === 'blue.png')).toMatchObject({
      status: 'failed',
      after: null,
      error: expect.stringMatching(/refused this image \(400\): .*exceeds 5 MB maximum \(key \[redacted\]\)/),
    });
    expect(JSON.stringify(done)).not.toContain(KEY);
    expect(readCaption(path.join(dir, 'blue.png'))).toBeNull();
    expect(logged).toMatch(/rate limited \(429\).*retrying in 1\.0 s/);
    expect(logged).toMatch(/overloaded \(529\).*retrying/);
  });

  test('an image that stays overloaded gives up after the retry budget; the others finish', async () => {
    writeConfig((c) => (c.claude!.maxRetries = 2));
    const attempts: Record<string, number> = {};
    fake.respondWith(async (req): Promise<FakeReply> => {
      const { colour } = await imageOf(req);
      attempts[colour] = (attempts[colour] ?? 0) + 1;
      return colour === 'red' ? { kind: 'error', status: 529, message: 'Overloaded' } : { kind: 'message', text: `a ${colour} swatch` };
    });
    const job = await ok<Job>('tagging.start', { dataset: 'swatches', mode: 'overwrite', source: { kind: 'claude' } });
    expect((await finished(job)).state).toBe('succeeded');
    expect(attempts.red).toBe(3);
    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(res.items.find((i) => i.file === 'red.png')?.error).toMatch(/overloaded \(529\).*gave up after 3 attempts/);
    expect(res.counts).toMatchObject({ written: 5, failed: 1 });
  });

  test('a rejected key stops the batch with a message to act on; nothing else is sent', async () => {
    const wrongKey = `sk-ant-api03-${'wrong'.repeat(8)}`;
    await studio.close();
    studio = await makeStudio({ dataDir, env: { ANTHROPIC_API_KEY: wrongKey, ANTHROPIC_BASE_URL: fake.url }, consoleLevel: 'debug', consoleWrite: (t) => (logged += t) });
    fake.respondWith(() => ({ kind: 'message', text: 'never' }));
    const job = await ok<Job>('tagging.start', { dataset: 'swatches', mode: 'overwrite', source: { kind: 'claude', concurrency: 1 } });
    const done = await finished(job);
    expect(done.state).toBe('failed');
    expect(done.error?.message).toMatch(/rejected the API key \(401\).*Settings → API keys/);
    expect(JSON.stringify(done)).not.toContain(wrongKey);
    expect(fake.messageRequests).toHaveLength(1);
    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(res.counts).toMatchObject({ failed: 1, pending: 5, written: 0 });
    expect(logged).not.toContain(wrongKey);
    // afterEach checks requests against KEY: this one carried the wrong key on purpose.
    fake.requests.length = 0;
  });

  test('cancel while requests hang: the job ends cancelled, nothing half-written, undo still possible', async () => {
    let answered = 0;
    fake.respondWith(async (req): Promise<FakeReply> => {
      const { colour } = await imageOf(req);
      // Files go out in name order, two at a time: black ✓, blue hangs, green ✓, red ✓, white hangs.
      if (colour === 'black' || colour === 'red' || colour === 'green') {
        answered++;
        return { kind: 'message', text: `a ${colour} swatch` };
      }
      return { kind: 'hang' };
    });
    const job = await ok<Job>('tagging.start', { dataset: 'swatches', mode: 'overwrite', source: { kind: 'claude', concurrency: 2 } });
    await expect.poll(() => fake.messageRequests.length, { timeout: 20_000 }).toBe(5);
    await ok('jobs.cancel', { id: job.id });
    const done = await finished(job);
    expect(done.state).toBe('cancelled');
    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(answered).toBe(3);
    expect(res.counts).toMatchObject({ written: 3, pending: 3, failed: 0 });
    expect(readCaption(path.join(dir, 'blue.png'))).toBeNull();
    expect((await ok<{ undone: number }>('tagging.undo', { jobId: job.id })).undone).toBe(3);
  });

  test('retry timing rules: retry-after forms, exponential backoff with bounded jitter', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(1500);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000 + 3000).toUTCString() }), 10_000)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeNull();
    expect(retryAfterMs(new Headers())).toBeNull();
    // base 1000: attempt n lies in [cap/2, cap], cap = min(max, base·2^n)
    expect(backoffMs(0, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffMs(0, 1000, 30_000, () => 0.999999)).toBe(1000);
    expect(backoffMs(3, 1000, 30_000, () => 0.5)).toBe(6000);
    expect(backoffMs(10, 1000, 30_000, () => 0)).toBe(15_000);
  });

  test('cost estimate: image tokens after downscaling, instruction, output × the price table; confirmation threshold', async () => {
    for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
    await solid(path.join(dir, 'big.png'), [1, 2, 3], 2000, 1000);
    await solid(path.join(dir, 'small.png'), [1, 2, 3], 64, 64);
    await solid(path.join(dir, 'done.png'), [1, 2, 3], 64, 64);
    writeCaption(path.join(dir, 'done.png'), 'has one');
    const est = await ok<CostEstimate>('tagging.estimate', { dataset: 'swatches', mode: 'fill', source: { kind: 'claude', instruction: 'Caption [trigger] please.' } });
    // big: 768×384 → ceil(294912/750) = 394; small: ceil(4096/750) = 6.
    // "Caption zxq please." = 19 chars → 5 tokens + 10 framing, per image.
    expect(est).toEqual({
      model: 'claude-sonnet-4-6',
      images: 2,
      skipped: 1,
      imageTokens: 400,
      textTokens: 30,
      outputTokens: 600,
      inputPrice: 3,
      outputPrice: 15,
      usd: 0.01029, // (430 × 3 + 600 × 15) / 1e6
      confirmAboveUsd: 1,
      needsConfirmation: false,
    });
    writeConfig((c) => ((c as Record<string, unknown>).confirmAboveUsd = 0.01));
    const haiku = await ok<CostEstimate>('tagging.estimate', { dataset: 'swatches', mode: 'overwrite', source: { kind: 'claude', model: 'claude-haiku-4-5', maxTokens: 100, instruction: 'Caption [trigger] please.' } });
    // 3 images: 394 + 6 + 6 image tokens, 45 text, 300 out → (451 × 1 + 300 × 5) / 1e6
    expect(haiku).toMatchObject({ images: 3, skipped: 0, usd: 0.001951, needsConfirmation: false });
    const unpriced = await ok<CostEstimate>('tagging.estimate', { dataset: 'swatches', mode: 'overwrite', source: { kind: 'claude', model: 'claude-future-9' } });
    expect(unpriced).toMatchObject({ usd: null, inputPrice: null, needsConfirmation: true });
    const env = (await studio.dispatch('tagging.estimate', { dataset: 'swatches', source: { kind: 'tagger', dir: dir } })) as Envelope<unknown>;
    expect(env.ok).toBe(false);
    expect(fake.messageRequests).toHaveLength(0);
  });
});
