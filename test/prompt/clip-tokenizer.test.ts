// The CLIP tokenizer against known ids of OpenAI's reference tokenizer (computed with
// simple_tokenizer.py + ftfy; native/pod/tests/test_clip_tokens_match_reference.py checks
// thousands more through the CLI), both data formats, and the properties of trim.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  CLIP_BOS,
  CLIP_EOS,
  CLIP_LIMIT,
  ClipTokenizer,
  cleanText,
  ftfyFixText,
  pyHtmlUnescape,
} from '../../src-main/prompt/clip-tokenizer';
import { CLIP_DATA, writeHfFolder } from '../helpers/clip';
import { tempDir } from '../helpers/studio';


/** Ids from OpenAI's simple_tokenizer.py (with ftfy 6.3.1) for these prompts. */
const REFERENCE: [string, number[]][] = [
  ['a photo of a cat', [320, 1125, 539, 320, 2368]],
  ['café naïve résumé', [15304, 1097, 35689, 563, 29106, 7054, 4166]],
  ['日本の桜', [39121, 44353, 21575, 162, 94, 506]],
  ['🐱👩‍🚀', [35710, 26304, 13542]],
  ['It’s a ﬁne day &amp; more', [585, 568, 320, 3797, 575, 261, 750]],
  ['ＬＯＵＤ　ＮＯＩＳＥＳ', [7464, 31575]],
  ['ΟΔΟΣ σοφός', [138, 123, 138, 112, 138, 123, 139, 480, 139, 225, 138, 123, 139, 228, 139, 234, 139, 480]],
  ['tom &amp;amp; jerry', [2435, 261, 9164]],
  ['<b>&amp;</b>', [283, 321, 29, 5, 34308, 321, 285]],
  ['<|startoftext|>hi<|endoftext|>', [49406, 1883, 49407]],
];

const WORDS = 'a photo of the cat dog neon city at night golden hour 35mm film grain, highly detailed (masterpiece) café 日本 🐱 it’s &amp; ﬁne ＬＯＵＤ photo-realistic 8k'.split(' ');

let tok: ClipTokenizer;
beforeAll(() => {
  tok = ClipTokenizer.fromDir(CLIP_DATA);
});

describe('ClipTokenizer', () => {
  test('loads OpenAI\'s bpe_simple_vocab_16e6.txt.gz: 49408 tokens, start 49406, end 49407', () => {
    expect(tok.vocabSize).toBe(49408);
    expect(tok.bos).toBe(CLIP_BOS);
    expect(tok.eos).toBe(CLIP_EOS);
  });

  test.each(REFERENCE)('%j gives the reference ids', (text, ids) => {
    expect(tok.encode(text)).toEqual(ids);
    expect(tok.count(text)).toBe(ids.length);
  });

  test('an HF folder (vocab.json + merges.txt) built from the same merges gives identical ids', () => {
    const hf = ClipTokenizer.fromDir(writeHfFolder(path.join(tempDir(), 'clip')));
    expect(hf.vocabSize).toBe(49408);
    for (const [text, ids] of REFERENCE) expect(hf.encode(text)).toEqual(ids);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...WORDS), { maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), (ws, s) => {
        const text = ws.join(' ') + s;
        expect(hf.encode(text)).toEqual(tok.encode(text));
      }),
      { numRuns: 200 },
    );
  });

  test('non-ASCII text is tokenised over UTF-8 bytes: every id is in the vocabulary, emoji give the reference ids', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
        expect(tok.encode(s).every((id) => Number.isInteger(id) && id >= 0 && id < 49408)).toBe(true);
      }),
      { numRuns: 300 },
    );
    // Reference ids: one token for a common emoji's 4 bytes (with and without </w>), two for
    // a rarer one (U+1F9CC), and a lone surrogate is U+FFFD (ftfy), not a crash.
    expect(tok.encode('🐱')).toEqual([22979]);
    expect(tok.encode('🐱🐱🐱')).toEqual([35710, 35710, 22979]);
    expect(tok.encode('\u{1F9CC}')).toEqual([8792, 490]);
    expect(tok.encode('a\ud800b')).toEqual([320, 39802, 321]);
  });

  test('an empty or blank prompt has no tokens', () => {
    expect(tok.encode('')).toEqual([]);
    expect(tok.encode(' \t\n ')).toEqual([]);
  });

  test('a missing or broken folder is an error that names it', () => {
    const empty = tempDir();
    expect(() => ClipTokenizer.fromDir(empty)).toThrow(empty);
    const broken = tempDir();
    fs.writeFileSync(path.join(broken, 'vocab.json'), '[1, 2]');
    fs.writeFileSync(path.join(broken, 'merges.txt'), '#version: 0.2\na b\n');
    expect(() => ClipTokenizer.fromDir(broken)).toThrow(/vocab\.json/);
  });
});

describe('cleaning as simple_tokenizer.py does', () => {
  test('Python html.unescape: named, legacy without ;, numeric, invalid code points', () => {
    expect(pyHtmlUnescape('&amp; &lt;b&gt; &#39; &quot; &#x27; &hellip;')).toBe('& <b> \' " \' …');
    expect(pyHtmlUnescape('fish &amp chips &notin &notit; &copy2024')).toBe('fish & chips ¬in ¬it; ©2024');
    expect(pyHtmlUnescape('&#0;|&#1;|&#128;|&#x85;|&#55296;|&#1114112;|&bogus;')).toBe('\ufffd||€|…|\ufffd|\ufffd|&bogus;');
  });

  test('ftfy: curly quotes, ligatures, full width, NFC, control characters, HTML only on lines before a "<"', () => {
    expect(ftfyFixText('“it’s” ﬁne ＬＯＵＤ　x e\u0301')).toBe('"it\'s" fine LOUD x é');
    expect(ftfyFixText('a\x00b\x1b[31mc\ufeffd\x96e')).toBe('abcd–e');
    expect(ftfyFixText('&EACUTE;cole &amp;amp;')).toBe('École &');
    expect(ftfyFixText('a &amp; b\n<i> &amp; c\n&amp;')).toBe('a & b\n<i> &amp; c\n&amp;');
  });

  test('cleanText: unescape twice, collapse whitespace, strip, lower-case', () => {
    expect(cleanText('  Tom\t&amp;amp;&amp;amp;\n\nJERRY  ')).toBe('tom && jerry');
    expect(cleanText('<p>&amp;amp;amp;</p>')).toBe('<p>&amp;</p>');
  });
});

describe('trim', () => {
  const prompt = fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ unit: 'grapheme', maxLength: 12 })), { maxLength: 120 }).map((ws) => ws.join(' '));

  test('for any prompt: the trimmed text is a prefix that re-encodes within 75, and cutAt marks where the cut begins', () => {
    fc.assert(
      fc.property(prompt, (text) => {
        const r = tok.trim(text);
        const count = tok.count(text);
        expect(text.startsWith(r.trimmed)).toBe(true);
        expect(tok.count(r.trimmed)).toBe(r.count);
        expect(r.count).toBeLessThanOrEqual(CLIP_LIMIT);
        if (count <= CLIP_LIMIT) {
          expect(r).toEqual({ trimmed: text, cutAt: null, count });
        } else {
          expect(r.cutAt).not.toBeNull();
          const cutAt = r.cutAt as number;
          expect(text.slice(0, cutAt).trimEnd()).toBe(r.trimmed.trimEnd());
          expect(text.slice(cutAt).trim()).not.toBe('');
          expect(r.trimmed.length).toBeLessThan(text.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a long prompt is cut at a word boundary, close to the limit', () => {
    const text = Array.from({ length: 300 }, (_, i) => WORDS[i % 12]).join(' ');
    const r = tok.trim(text);
    expect(r.count).toBeGreaterThanOrEqual(CLIP_LIMIT - 3);
    expect(r.count).toBeLessThanOrEqual(CLIP_LIMIT);
    expect(text[r.cutAt as number - 1]).toBe(' ');
    expect(r.trimmed.endsWith(' ')).toBe(false);
    // The ids it keeps are the first ones CLIP reads.
    expect(tok.encode(r.trimmed)).toEqual(tok.encode(text).slice(0, r.count));
  });

  test('comma-separated tags without spaces are cut between tags, not dropped whole', () => {
    const text = Array.from({ length: 60 }, (_, i) => `tag${i} word`).join(',');
    const r = tok.trim(text);
    expect(r.count).toBeGreaterThanOrEqual(CLIP_LIMIT - 4);
  });

  test('one word longer than the limit is cut inside, at a token boundary', () => {
    for (const text of ['x'.repeat(1000), '🐱'.repeat(200), 'supercalifragilistic'.repeat(30)]) {
      const r = tok.trim(text);
      expect(r.count).toBeGreaterThan(CLIP_LIMIT - 4);
      expect(r.count).toBeLessThanOrEqual(CLIP_LIMIT);
      expect(text.startsWith(r.trimmed)).toBe(true);
      expect(r.cutAt).toBe(r.trimmed.length);
    }
  });

  test('a short prompt comes back untouched, whitespace and all', () => {
    expect(tok.trim('  a photo of a cat \n')).toEqual({ trimmed: '  a photo of a cat \n', cutAt: null, count: 5 });
  });

  test('a smaller limit', () => {
    const r = tok.trim('a photo of a cat on a mat', 5);
    expect(r).toEqual({ trimmed: 'a photo of a cat', cutAt: 17, count: 5 });
  });
});
