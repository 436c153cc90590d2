// EnhanceService through the REAL @anthropic-ai/sdk against a local HTTP server that
// speaks the Messages API (test/helpers/fake-anthropic.ts): real sockets, the SDK's own
// retries and timeouts, Anthropic's error bodies and headers.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import type { Settings } from '@shared/contract';
import { StudioError } from '../../src-main/core/studio-error';
import type { Logger } from '../../src-main/logging/logger';
import {
  buildSystemPrompt,
  cleanAnswer,
  EnhanceService,
  loadModes,
  MISSING_KEY_MESSAGE,
  promptFiles,
  SAMPLING_API_VERSION,
  clipTrimmer,
  type EnhanceServiceDeps,
} from '../../src-main/prompt/enhance-service';
import { TokenService } from '../../src-main/prompt/token-service';
import { loadDefaultSettings } from '../../src-main/settings/settings-service';
import { FakeAnthropic } from '../helpers/fake-anthropic';
import { REPO_ROOT, tempDir } from '../helpers/studio';

const KEY = `sk-ant-api03-${'k3y'.repeat(12)}-TEST`;
const CLIP_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'clip');

// The real CLIP tokenizer (OpenAI's merges from ../shared/data/clip), as the studio wires it.
const tokens = new TokenService(() => ({ clipTokenizerDir: CLIP_DIR, dataDir: null, resourcesDir: null }));
const trimToClip = clipTrimmer(tokens);
const noTokenizer = clipTrimmer(new TokenService(() => ({ clipTokenizerDir: null, dataDir: tempDir(), resourcesDir: null })));

interface Captured {
  lines: string[];
  log: Logger;
}
function captureLog(): Captured {
  const lines: string[] = [];
  const make = (scope: string): Logger => {
    const at = (level: string) => (message: string, detail?: unknown) =>
      lines.push(`${level} [${scope}] ${message}${detail === undefined ? '' : ` ${detail instanceof Error ? `${detail.message} ${detail.stack}` : JSON.stringify(detail)}`}`);
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (s) => make(`${scope}:${s}`) };
  };
  return { lines, log: make('enhance') };
}

let fake: FakeAnthropic;
const dataDir = tempDir();
const defaults: Settings = loadDefaultSettings(path.join(REPO_ROOT, 'configs'), dataDir);
const shippedSystem = fs.readFileSync(path.join(REPO_ROOT, 'configs', 'prompts', 'enhance.txt'), 'utf8').trim();
const shippedModes = loadModes(path.join(REPO_ROOT, 'configs', 'prompts', 'modes.yaml'));

beforeAll(async () => {
  fake = await FakeAnthropic.start({ apiKey: KEY });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  // A test that queued more replies than it used is wrong about the number of attempts.
  expect(fake.pending).toBe(0);
  fake.requests.length = 0;
});

// The shipped default model is one the SDK warns about on the console (deprecated); the
// tests use a current one unless they say otherwise.
const TEST_MODEL = 'claude-haiku-4-5';

function service(over: Partial<EnhanceServiceDeps> & { use?: Partial<Settings>; key?: string | null } = {}) {
  const captured = captureLog();
  const { use, key, ...deps } = over;
  const files = promptFiles(dataDir, REPO_ROOT);
  const svc = new EnhanceService({
    getKey: () => (key === undefined ? KEY : key),
    settings: () => ({ ...defaults, enhanceModel: TEST_MODEL, ...use }),
    systemPromptFile: files.systemPromptFile,
    modesFile: files.modesFile,
    trimToClip,
    baseURL: fake.url,
    timeoutMs: 5_000,
    maxRetries: 0,
    log: captured.log,
    ...deps,
  });
  return { svc, lines: captured.lines };
}

async function failure(p: Promise<unknown>): Promise<StudioError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(StudioError);
  return err as StudioError;
}

describe('the request', () => {
  test('system prompt from the file plus the mode text; settings give model, temperature and max_tokens', async () => {
    fake.replyText('A red fox in fresh snow at dawn, low golden side light, 85mm, shallow depth of field');
    const { svc } = service();
    const r = await svc.enhance({ prompt: 'a fox in snow' });

    expect(fake.messageRequests).toHaveLength(1);
    const req = fake.messageRequests[0]!;
    expect(req.apiKey).toBe(KEY);
    // The version that still takes a temperature (the SDK's own, 2026-10-21, rejects it).
    expect(req.headers['anthropic-version']).toBe(SAMPLING_API_VERSION);
    expect(req.body).toMatchObject({
      model: TEST_MODEL,
      max_tokens: 120,
      temperature: 0.7,
      messages: [{ role: 'user', content: 'a fox in snow' }],
    });
    expect(req.body?.system).toBe(`${shippedSystem}\n\n${shippedModes.balanced.instruction.trim()}`);
    expect(req.body?.system).toContain('Mode: balanced.');

    expect(r).toMatchObject({
      original: 'a fox in snow',
      enhanced: 'A red fox in fresh snow at dawn, low golden side light, 85mm, shallow depth of field',
      wasTrimmed: false,
      model: TEST_MODEL,
      mode: 'balanced',
    });
    expect(r.trimmed).toBe(r.enhanced);
    expect(r.tokenCount).toBe(tokens.count(r.enhanced).count);
    expect(r.tokenCount).toBeGreaterThan(10);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  test("the SDK's own API version would reject the temperature: that is why the request names another", async () => {
    const client = new Anthropic({ apiKey: KEY, baseURL: fake.url, maxRetries: 0, logLevel: 'off' });
    const err = await client.messages
      .create({ model: TEST_MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }], temperature: 0.7 } as Anthropic.MessageCreateParamsNonStreaming)
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).apiMessage).toBe('temperature: Extra inputs are not permitted');
    expect(fake.messageRequests[0]!.headers['anthropic-version']).toBe('2026-10-21');
    expect(defaults.enhanceTemperature).toBe(0.7);
    expect(defaults.enhanceMaxTokens).toBe(120);
  });

  test('each mode sends its own documented instruction; other settings are honoured', async () => {
    const { svc } = service({ use: { enhanceModel: 'claude-test-1', enhanceTemperature: 0.2, enhanceMaxTokens: 64 } });
    const systems: unknown[] = [];
    for (const mode of ['focused', 'balanced', 'imaginative'] as const) {
      fake.replyText(`answer for ${mode}`);
      const r = await svc.enhance({ prompt: 'a lighthouse', mode });
      expect(r.mode).toBe(mode);
      expect(r.model).toBe('claude-test-1');
      const body = fake.messageRequests.at(-1)!.body!;
      expect(body).toMatchObject({ model: 'claude-test-1', temperature: 0.2, max_tokens: 64 });
      expect(body.system).toBe(buildSystemPrompt(shippedSystem, shippedModes, mode));
      expect(body.system).toContain(`Mode: ${mode}.`);
      systems.push(body.system);
    }
    expect(new Set(systems).size).toBe(3);
  });

  test("the user's copies in <data dir>/prompts/ replace the shipped files, read on every request", async () => {
    const own = tempDir();
    const files = promptFiles(own, REPO_ROOT);
    const { svc } = service({ systemPromptFile: files.systemPromptFile, modesFile: files.modesFile });
    fake.replyText('one');
    await svc.enhance({ prompt: 'x', mode: 'focused' });
    expect(fake.messageRequests.at(-1)!.body!.system).toContain(shippedSystem);

    fs.mkdirSync(path.join(own, 'prompts'));
    fs.writeFileSync(path.join(own, 'prompts', 'enhance.txt'), 'MY SYSTEM PROMPT\n');
    fs.writeFileSync(
      path.join(own, 'prompts', 'modes.yaml'),
      'focused: { label: F, instruction: "MY FOCUS" }\nbalanced: { label: B, instruction: b }\nimaginative: { label: I, instruction: i }\n',
    );
    fake.replyText('two');
    await svc.enhance({ prompt: 'x', mode: 'focused' });
    expect(fake.messageRequests.at(-1)!.body!.system).toBe('MY SYSTEM PROMPT\n\nMY FOCUS');

    fs.writeFileSync(path.join(own, 'prompts', 'modes.yaml'), 'focused: { label: F }\n');
    const err = await failure(svc.enhance({ prompt: 'x' }));
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain(path.join(own, 'prompts', 'modes.yaml'));
    expect(err.message).toMatch(/invalid at focused\.instruction/);
    expect(fake.messageRequests).toHaveLength(2); // nothing sent with a broken file
  });
});

describe('the answer', () => {
  test('is cleaned of preamble, quotes and extra whitespace; text blocks are joined', async () => {
    fake.reply({
      kind: 'message',
      content: [
        { type: 'text', text: 'Here is the enhanced prompt:\n\n"A tiny robot watering' },
        { type: 'text', text: '  a bonsai,   soft window light"' },
      ],
    });
    const { svc } = service();
    const r = await svc.enhance({ prompt: 'robot gardener' });
    expect(r.enhanced).toBe('A tiny robot watering a bonsai, soft window light');
  });

  test.each([
    ['"A quoted prompt"', 'A quoted prompt'],
    ['“Curly quotes”', 'Curly quotes'],
    ['`backticked`', 'backticked'],
    ['```\nfenced\nprompt\n```', 'fenced prompt'],
    ['```text\nA fenced one\n```', 'A fenced one'],
    ['Prompt: a cat', 'a cat'],
    ['Enhanced prompt: "a cat"', 'a cat'],
    ["Sure! Here's a more vivid version:\n'a cat on a roof'", 'a cat on a roof'],
    ['  a\n\tcat  ', 'a cat'],
    ['a "quoted" word inside', 'a "quoted" word inside'],
    ['Heres a cat: with a colon', 'Heres a cat: with a colon'],
    ['prompt engineering: keep me', 'prompt engineering: keep me'],
  ])('cleanAnswer(%j) = %j', (input, expected) => {
    expect(cleanAnswer(input)).toBe(expected);
  });

  test('is trimmed to the CLIP limit when asked, visibly, and left whole when not', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `glowing paper lantern ${i}`).join(', ');
    const full = tokens.count(long).count;
    expect(full).toBeGreaterThan(100);
    const { svc } = service();

    fake.replyText(long);
    const trimmed = await svc.enhance({ prompt: 'p' });
    expect(trimmed.enhanced).toBe(long);
    expect(trimmed.wasTrimmed).toBe(true);
    expect(trimmed.tokenCount).toBe(full); // the whole answer's count, so the UI can say "120 → 75"
    expect(long.startsWith(trimmed.trimmed)).toBe(true);
    const again = tokens.count(trimmed.trimmed).count;
    expect(again).toBeLessThanOrEqual(75);
    expect(again).toBeGreaterThan(70);

    fake.replyText(long);
    const whole = await svc.enhance({ prompt: 'p', trimToClip: false });
    expect(whole).toMatchObject({ enhanced: long, trimmed: long, wasTrimmed: false, tokenCount: full });

    // The default comes from Settings.enhanceTrimToClip.
    fake.replyText(long);
    const { svc: off } = service({ use: { enhanceTrimToClip: false } });
    expect(await off.enhance({ prompt: 'p' })).toMatchObject({ trimmed: long, wasTrimmed: false });

    // A short answer is not touched.
    fake.replyText('a lantern');
    expect(await svc.enhance({ prompt: 'p' })).toMatchObject({ trimmed: 'a lantern', wasTrimmed: false, tokenCount: 2 });
  });

  test('without CLIP tokenizer data, trimming is refused before anything is sent; without trimming it works', async () => {
    const { svc } = service({ trimToClip: noTokenizer });
    const err = await failure(svc.enhance({ prompt: 'p' }));
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/^Cannot trim the answer to CLIP's 75 tokens: no CLIP tokenizer data .*\. Turn off "trim to CLIP", or set a CLIP tokenizer folder in Settings\.$/);
    expect(fake.requests).toHaveLength(0);

    fake.replyText('a lantern on a river');
    expect(await svc.enhance({ prompt: 'p', trimToClip: false })).toMatchObject({ enhanced: 'a lantern on a river', wasTrimmed: false, tokenCount: 0 });
  });

  test('an empty answer, a non-text answer, a blank one and a refusal are errors, not a silent empty prompt', async () => {
    const { svc } = service();
    fake.reply({ kind: 'message', content: [] });
    expect(await failure(svc.enhance({ prompt: 'p' }))).toMatchObject({ code: 'upstream', message: expect.stringMatching(/^Claude returned no usable prompt \(the answer was empty\)/) });

    fake.reply({ kind: 'message', content: [{ type: 'tool_use', id: 'toolu_1', name: 'x', input: {} }], stopReason: 'tool_use' });
    expect((await failure(svc.enhance({ prompt: 'p' }))).message).toMatch(/^Claude returned no usable prompt \(no text in the answer, only tool_use\)/);

    fake.replyText(' "  " ');
    expect((await failure(svc.enhance({ prompt: 'p' }))).message).toMatch(/^Claude returned no usable prompt \(the answer was blank/);

    fake.reply({ kind: 'message', content: [], stopReason: 'refusal' });
    expect((await failure(svc.enhance({ prompt: 'p' }))).message).toMatch(/^Claude returned no usable prompt \(it declined/);
  });
});

describe('errors', () => {
  test('no key: says where to set it, and nothing is sent', async () => {
    const { svc } = service({ key: null });
    const err = await failure(svc.enhance({ prompt: 'p' }));
    expect(err.toShape()).toEqual({ code: 'unavailable', message: MISSING_KEY_MESSAGE });
    expect(fake.requests).toHaveLength(0);
  });

  test('401: the key was rejected, with Anthropic\'s message; not retried', async () => {
    const { svc } = service({ key: 'sk-ant-wrong-key-0000000000', maxRetries: 2 });
    const err = await failure(svc.enhance({ prompt: 'p' }));
    expect(err.code).toBe('upstream');
    expect(err.message).toMatch(/^Anthropic rejected the API key \(401\): invalid x-api-key\. Check the key in Settings → API keys/);
    expect(err.message).toMatch(/\(request req_fake_\d+\)$/);
    expect(fake.messageRequests).toHaveLength(1);
  });

  test('403 is reported the same way', async () => {
    fake.replyError(403, 'Your API key does not have permission to use the specified resource.');
    const err = await failure(service().svc.enhance({ prompt: 'p' }));
    expect(err.code).toBe('upstream');
    expect(err.message).toMatch(/^Anthropic rejected the API key \(403\): Your API key does not have permission/);
  });

  test('429 with retry-after: the SDK retries (bounded), then the wait is surfaced', async () => {
    const headers = { 'retry-after': '1', 'anthropic-ratelimit-requests-remaining': '0' };
    fake.replyError(429, 'Number of request tokens has exceeded your per-minute rate limit', headers);
    fake.replyError(429, 'Number of request tokens has exceeded your per-minute rate limit', headers);
    fake.replyError(429, 'Number of request tokens has exceeded your per-minute rate limit', headers);
    const { svc, lines } = service({ maxRetries: 2 });
    const started = Date.now();
    const err = await failure(svc.enhance({ prompt: 'p' }));
    const took = Date.now() - started;

    expect(fake.messageRequests).toHaveLength(3); // 1 + maxRetries
    expect(fake.messageRequests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
    expect(took).toBeGreaterThanOrEqual(1900); // it waited the 1 s Anthropic asked for, twice
    expect(err.code).toBe('upstream');
    expect(err.message).toMatch(/^Rate limited by Anthropic \(429\); try again in 1 s\. Anthropic said: Number of request tokens/);
    expect(lines.some((l) => /retrying/.test(l))).toBe(true);
  });

  test('429 then success: a retry that works is just a success', async () => {
    fake.replyError(429, 'rate limited', { 'retry-after-ms': '20', 'retry-after': '1' });
    fake.replyText('after the wait');
    const r = await service({ maxRetries: 1 }).svc.enhance({ prompt: 'p' });
    expect(r.enhanced).toBe('after the wait');
    expect(fake.messageRequests).toHaveLength(2);
  });

  test('500: status and message, after the retries', async () => {
    fake.replyError(500, 'Internal server error');
    fake.replyError(500, 'Internal server error');
    const err = await failure(service({ maxRetries: 1 }).svc.enhance({ prompt: 'p' }));
    expect(fake.messageRequests).toHaveLength(2);
    expect(err.code).toBe('upstream');
    expect(err.message).toMatch(/^Anthropic had a server error \(500 api_error\): Internal server error\. Try again in a moment\. \(request req_fake_\d+\)$/);
  });

  test('529 overloaded and a non-JSON 502 from a proxy', async () => {
    fake.replyError(529, 'Overloaded');
    expect((await failure(service().svc.enhance({ prompt: 'p' }))).message).toMatch(/^Anthropic had a server error \(529 overloaded_error\): Overloaded\./);
    fake.reply({ kind: 'raw', status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
    expect((await failure(service().svc.enhance({ prompt: 'p' }))).message).toMatch(/^Anthropic had a server error \(502\): <html>Bad Gateway<\/html>\./);
  });

  test('400 (e.g. an unknown model) points at the model setting', async () => {
    fake.replyError(404, 'model: claude-nope');
    const err = await failure(service({ use: { enhanceModel: 'claude-nope' } }).svc.enhance({ prompt: 'p' }));
    expect(err.code).toBe('upstream');
    expect(err.message).toMatch(/^Anthropic refused the request \(404 not_found_error\): model: claude-nope\. Check the enhancement model \("claude-nope"\)/);
  });

  test('a model that takes no temperature gets a hint to choose another', async () => {
    fake.replyError(400, '`temperature` is deprecated for this model.');
    const err = await failure(service({ use: { enhanceModel: 'claude-opus-4-8' } }).svc.enhance({ prompt: 'p' }));
    expect(err.message).toMatch(/^Anthropic refused the request \(400 invalid_request_error\): `temperature` is deprecated for this model\. The model "claude-opus-4-8" does not accept a temperature; choose another enhancement model in Settings\./);
  });

  test('a malformed body is reported as unreadable', async () => {
    fake.reply({ kind: 'raw', status: 200, body: '{"id":"msg_1","type":"message","content":[{"type":"te' });
    const err = await failure(service().svc.enhance({ prompt: 'p' }));
    expect(err.code).toBe('upstream');
    expect(err.message).toMatch(/^Anthropic's answer could not be read \(the body is not valid JSON\)/);

    fake.reply({ kind: 'raw', status: 200, body: '{"type":"message","role":"assistant"}' });
    expect((await failure(service().svc.enhance({ prompt: 'p' }))).message).toMatch(/^Anthropic's answer could not be read \(it is not a Messages API reply\)/);

    fake.reply({ kind: 'raw', status: 200, body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect((await failure(service().svc.enhance({ prompt: 'p' }))).message).toMatch(/^Anthropic's answer could not be read/);
  });

  test('timeout: the server never answers', async () => {
    fake.reply({ kind: 'hang' }, { kind: 'hang' });
    const started = Date.now();
    const err = await failure(service({ timeoutMs: 300, maxRetries: 1 }).svc.enhance({ prompt: 'p' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(fake.messageRequests).toHaveLength(2);
    expect(err.code).toBe('network');
    expect(err.message).toBe('Anthropic did not answer within 0.3 s (2 attempts). Check your connection, or try again later.');
  });

  test('connection refused names the address and the cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const err = await failure(service({ baseURL: `http://127.0.0.1:${port}` }).svc.enhance({ prompt: 'p' }));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(new RegExp(`^Could not reach Anthropic at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\\. Check your internet connection or proxy\\.$`));
  });

  test('a dropped connection is a network error', async () => {
    fake.reply({ kind: 'drop' });
    const err = await failure(service().svc.enhance({ prompt: 'p' }));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/^Could not reach Anthropic at 127\.0\.0\.1:\d+: /);
  });

  test('the key never appears in an error message or a log line, even when the server echoes it', async () => {
    const { svc, lines } = service({ maxRetries: 1 });
    const messages: string[] = [];
    const collect = async (p: Promise<unknown>) => messages.push((await failure(p)).message);

    fake.replyError(401, `invalid x-api-key: ${KEY}`);
    await collect(svc.enhance({ prompt: 'p' }));
    fake.replyError(500, `boom ${KEY}`, { 'retry-after-ms': '1' });
    fake.replyError(500, `boom ${KEY}`, { 'retry-after-ms': '1' });
    await collect(svc.enhance({ prompt: 'p' }));
    fake.replyError(429, `slow down ${KEY}`, { 'retry-after-ms': '1' });
    fake.replyError(429, `slow down ${KEY}`, { 'retry-after-ms': '1' });
    await collect(svc.enhance({ prompt: 'p' }));
    fake.replyError(400, `bad ${KEY}`);
    await collect(svc.enhance({ prompt: 'p' }));
    fake.reply({ kind: 'hang' }, { kind: 'hang' });
    await collect(service({ timeoutMs: 100, maxRetries: 1 }).svc.enhance({ prompt: 'p' }));
    fake.replyText(`echo ${KEY}`);
    const ok = await svc.enhance({ prompt: 'p' });
    await collect(service({ key: KEY, baseURL: 'http://127.0.0.1:1' }).svc.enhance({ prompt: 'p' }));

    expect(messages).toHaveLength(6);
    expect(messages.some((m) => m.includes('[redacted]'))).toBe(true);
    for (const m of messages) expect(m).not.toContain(KEY);
    expect(JSON.stringify(ok)).not.toContain(KEY);
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(l).not.toContain(KEY);
    // It did reach the server, of course.
    expect(fake.messageRequests.every((r) => r.apiKey === KEY)).toBe(true);
  });
});
