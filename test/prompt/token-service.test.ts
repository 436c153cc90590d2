// TokenService: where the tokenizers come from, what it says without them, the T5 budget,
// and the `tokens` command on top of it (in-process; the built CLI is checked against
// OpenAI's tokenizer by native/pod/tests/test_clip_tokens_match_reference.py).
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { TokenCount } from '@shared/contract';
import { estimateT5Tokens, TokenService, type TokenizerPaths } from '../../src-main/prompt/token-service';
import { locateClipTokenizer, locateT5Tokenizer } from '../../src-main/prompt/tokenizer-locator';
import { registerTokensCommand } from '../../src-main/cli/commands/tokens';
import { CLIP_DATA, writeHfFolder } from '../helpers/clip';
import { REPO_ROOT, tempDir } from '../helpers/studio';


const LONG = Array.from({ length: 120 }, (_, i) => ['a', 'photo', 'of', 'the', 'neon', 'city', 'at', 'night,'][i % 8]).join(' ');

/** A tiny T5-shaped tokenizer.json: Unigram pieces, Metaspace ▁, `$A </s>`; pad 0, </s> 1, unk 2. */
function writeT5(file: string): void {
  const vocab: [string, number][] = [
    ['<pad>', 0], ['</s>', 0], ['<unk>', 0], ['▁a', -2], ['▁photo', -3], ['▁of', -2], ['▁cat', -3], ['▁', -4],
    ['a', -5], ['c', -5], ['t', -5], ['o', -5], ['p', -5], ['h', -5], ['f', -5],
  ];
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>')],
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, vocab, byte_fallback: false },
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(json));
}

function service(paths: Partial<TokenizerPaths>) {
  let current: TokenizerPaths = { clipTokenizerDir: null, dataDir: null, resourcesDir: null, ...paths };
  const s = new TokenService(() => current);
  return { s, set: (p: Partial<TokenizerPaths>) => (current = { ...current, ...p }) };
}

describe('tokenizer locator', () => {
  test('order: the Settings folder, the data folder\'s cache, resources/', () => {
    const dataDir = tempDir();
    const cache = path.join(dataDir, 'cache', 'tokenizers', 'clip');
    writeHfFolder(cache);
    expect(locateClipTokenizer({ clipTokenizerDir: CLIP_DATA, dataDir, resourcesDir: REPO_ROOT })).toMatchObject({ found: true, dir: CLIP_DATA });
    expect(locateClipTokenizer({ clipTokenizerDir: null, dataDir, resourcesDir: REPO_ROOT })).toMatchObject({ found: true, dir: cache });
    // A Settings folder without tokenizer files is passed over.
    expect(locateClipTokenizer({ clipTokenizerDir: tempDir(), dataDir, resourcesDir: REPO_ROOT })).toMatchObject({ found: true, dir: cache });
    expect(locateClipTokenizer({ clipTokenizerDir: null, dataDir: tempDir(), resourcesDir: REPO_ROOT })).toMatchObject({
      found: true,
      dir: path.join(REPO_ROOT, 'resources', 'tokenizers', 'clip'),
    });
  });

  test('the studio ships OpenAI\'s merges (MIT) in resources/tokenizers/clip', () => {
    const dir = path.join(REPO_ROOT, 'resources', 'tokenizers', 'clip');
    const shipped = fs.readFileSync(path.join(dir, 'bpe_simple_vocab_16e6.txt.gz'));
    expect(shipped.equals(fs.readFileSync(path.join(CLIP_DATA, 'bpe_simple_vocab_16e6.txt.gz')))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toContain('MIT License');
  });

  test('T5: cache first, then resources/; a miss lists where it looked', () => {
    const dataDir = tempDir();
    const res = tempDir();
    const miss = locateT5Tokenizer({ clipTokenizerDir: null, dataDir, resourcesDir: res });
    expect(miss.found).toBe(false);
    expect(miss.looked).toEqual([path.join(dataDir, 'cache', 'tokenizers', 't5', 'tokenizer.json'), path.join(res, 'resources', 'tokenizers', 't5', 'tokenizer.json')]);
    writeT5(path.join(res, 'resources', 'tokenizers', 't5', 'tokenizer.json'));
    expect(locateT5Tokenizer({ clipTokenizerDir: null, dataDir, resourcesDir: res })).toMatchObject({ found: true, file: miss.looked[1] });
  });
});

describe('TokenService', () => {
  test('counts with the tokenizer it finds; the answer is a valid TokenCount', () => {
    const { s } = service({ clipTokenizerDir: CLIP_DATA });
    const r = s.count('a photo of a cat');
    expect(TokenCount.parse(r)).toEqual(r);
    expect(r).toMatchObject({ available: true, reason: null, ids: [320, 1125, 539, 320, 2368], count: 5, limit: 75, fits: true, trimmed: 'a photo of a cat', cutAt: null });
  });

  test('over the limit: fits false, the text that fits, and where the cut begins', () => {
    const { s } = service({ clipTokenizerDir: CLIP_DATA });
    const r = s.count(LONG);
    expect(r.count).toBe(135); // 120 words and 15 commas
    expect(r.fits).toBe(false);
    expect(LONG.startsWith(r.trimmed)).toBe(true);
    expect(s.count(r.trimmed).count).toBeLessThanOrEqual(75);
    expect(LONG.slice(0, r.cutAt as number).trimEnd()).toBe(r.trimmed);
    expect(s.trimToClip(LONG)).toEqual({ trimmed: r.trimmed, wasTrimmed: true, count: s.count(r.trimmed).count, available: true, reason: null });
    expect(s.trimToClip('a cat')).toEqual({ trimmed: 'a cat', wasTrimmed: false, count: 2, available: true, reason: null });
  });

  test('no CLIP data anywhere: available false, where it looked, no ids and no count — never a guess', () => {
    const dataDir = tempDir();
    const res = tempDir();
    const { s } = service({ clipTokenizerDir: null, dataDir, resourcesDir: res });
    const r = s.count(LONG);
    expect(r).toMatchObject({ available: false, ids: [], count: 0, trimmed: LONG, cutAt: null });
    expect(r.reason).toContain(path.join(dataDir, 'cache', 'tokenizers', 'clip'));
    expect(r.reason).toContain(path.join(res, 'resources', 'tokenizers', 'clip'));
    expect(TokenCount.parse(r)).toEqual(r);
    expect(s.trimToClip(LONG)).toMatchObject({ trimmed: LONG, wasTrimmed: false, count: 0, available: false });
  });

  test('an unreadable tokenizer folder is reported, not guessed around', () => {
    const broken = tempDir();
    fs.writeFileSync(path.join(broken, 'vocab.json'), '{not json');
    fs.writeFileSync(path.join(broken, 'merges.txt'), '');
    const { s } = service({ clipTokenizerDir: broken });
    const r = s.count('a cat');
    expect(r.available).toBe(false);
    expect(r.reason).toContain(broken);
  });

  test('loads lazily, caches, and reloads when the folder setting changes', () => {
    const hf = writeHfFolder(path.join(tempDir(), 'clip'));
    const { s, set } = service({ clipTokenizerDir: CLIP_DATA });
    const first = s.clipTokenizer();
    expect(first.tokenizer).not.toBeNull();
    expect(s.clipTokenizer().tokenizer).toBe(first.tokenizer);
    set({ clipTokenizerDir: hf });
    const second = s.clipTokenizer();
    expect(second).toMatchObject({ dir: hf });
    expect(second.tokenizer).not.toBe(first.tokenizer);
    expect(s.count('a photo of a cat').ids).toEqual([320, 1125, 539, 320, 2368]);
  });

  test('T5 budget: 512 for dev (the default), 256 for schnell; an estimate, labelled, without tokenizer.json', () => {
    const { s } = service({ clipTokenizerDir: CLIP_DATA, dataDir: tempDir(), resourcesDir: tempDir() });
    expect(s.count('a photo of a cat').t5).toEqual({ count: estimateT5Tokens('a photo of a cat'), limit: 512, estimate: true });
    expect(s.count('a photo of a cat', 'flux-schnell').t5).toMatchObject({ limit: 256, estimate: true });
    expect(estimateT5Tokens('')).toBe(1);
    expect(estimateT5Tokens('a photo of a cat')).toBe(6);
    expect(estimateT5Tokens('photorealistic, 2024 日本')).toBe(1 + 3 + 1 + 2 + 2);
  });

  test('T5 exact with a tokenizer.json: its pieces plus </s>', () => {
    const dataDir = tempDir();
    writeT5(path.join(dataDir, 'cache', 'tokenizers', 't5', 'tokenizer.json'));
    const { s } = service({ clipTokenizerDir: CLIP_DATA, dataDir });
    expect(s.count('a photo of a cat').t5).toEqual({ count: 6, limit: 512, estimate: false });
    expect(s.count('a cat cat', 'flux-schnell').t5).toEqual({ count: 4, limit: 256, estimate: false });
    // Even without CLIP data the T5 budget is shown.
    const { s: noClip } = service({ dataDir, resourcesDir: tempDir() });
    expect(noClip.count('a cat').t5.estimate).toBe(false);
  });
});

describe('flux-studio tokens (in-process)', () => {
  afterEach(() => vi.restoreAllMocks());

  async function run(args: string[], stdin?: string): Promise<string> {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    if (stdin !== undefined) {
      const { Readable } = await import('node:stream');
      vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([Buffer.from(stdin)]) as unknown as typeof process.stdin);
    }
    const program = new Command('flux-studio').exitOverride();
    const open = vi.fn(() => Promise.reject(new Error('no studio should be opened with --tokenizer')));
    registerTokensCommand(program, open);
    await program.parseAsync(['node', 'flux-studio', 'tokens', ...args]);
    expect(open).not.toHaveBeenCalled();
    return out.join('');
  }

  test('--json prints exactly one object, with ids/count/limit/fits/trimmed first', async () => {
    const text = await run(['--json', '--tokenizer', CLIP_DATA, 'a photo of a cat']);
    expect(text.endsWith('\n')).toBe(true);
    const obj = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(obj).slice(0, 5)).toEqual(['ids', 'count', 'limit', 'fits', 'trimmed']);
    expect(obj).toMatchObject({ ids: [320, 1125, 539, 320, 2368], count: 5, limit: 75, fits: true, trimmed: 'a photo of a cat' });
  });

  test('TEXT "-" reads standard input; human output says what is cut', async () => {
    expect(await run(['--tokenizer', CLIP_DATA, '-'], 'a photo of a cat\n')).toMatch(/^5 \/ 75 tokens \(fits\)\nT5: \d+ \/ 512 tokens \(estimate/);
    const long = await run(['--tokenizer', CLIP_DATA, LONG]);
    expect(long).toMatch(/^135 \/ 75 tokens \(60 over: "(neon|city|at|night,|a|photo|of|the) [^"]*…"\)\nT5: /);
  });

  test('--jsonl: one result per input line', async () => {
    const text = await run(['--jsonl', '--tokenizer', CLIP_DATA, '--model', 'flux-schnell'], '"a photo of a cat"\n"🐱"\n');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { ids: number[]; t5: { limit: number } });
    expect(lines.map((l) => l.ids)).toEqual([[320, 1125, 539, 320, 2368], [22979]]);
    expect(lines[0]?.t5.limit).toBe(256);
  });

  test('a --tokenizer folder without data is an error naming it', async () => {
    const empty = tempDir();
    await expect(run(['--json', '--tokenizer', empty, 'a cat'])).rejects.toThrow(empty);
  });
});
