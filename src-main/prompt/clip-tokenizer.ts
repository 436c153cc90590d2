// The CLIP BPE tokenizer of openai/clip-vit-large-patch14 (the one FLUX's CLIP text
// encoder uses), giving the same ids as OpenAI's reference `simple_tokenizer.py`:
//
//   ftfy.fix_text → html.unescape ×2 → strip → whitespace collapse → lower-case →
//   split with the Unicode-aware pattern → byte-level BPE over UTF-8 with `</w>` on the
//   last symbol of each word.
//
// The cleaning reproduces what ftfy 6.3's fix_text and Python's html.unescape do to a
// prompt (see `cleanText`), checked against the real ones by
// native/pod/tests/test_clip_tokens_match_reference.py. One thing is deliberately not
// reproduced: ftfy's mojibake repair (`fix_encoding`), which rewrites text that looks
// like UTF-8 decoded as Latin-1/Windows-1252 (e.g. "cafÃ©" → "café"); such text is
// tokenised as typed.
//
// Ids are numbers of the vocabulary (49408 entries; 49406 = <|startoftext|>,
// 49407 = <|endoftext|>); `encode` returns the prompt's ids without those two.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { decodeHTML, decodeHTMLStrict } from 'entities';

export const CLIP_VOCAB_SIZE = 49408;
export const CLIP_BOS = 49406;
export const CLIP_EOS = 49407;
/** 77 positions minus the start and end tokens. */
export const CLIP_LIMIT = 75;

const START = '<|startoftext|>';
const END = '<|endoftext|>';
/** OpenAI's file holds more merges than the model uses: lines[1 : 49152-256-2+1]. */
const OPENAI_MERGES = 49152 - 256 - 2;
export const OPENAI_BPE_FILE = 'bpe_simple_vocab_16e6.txt.gz';

// ---------------------------------------------------------------------------------------
// Character classes, spelled out so that they mean what Python means.

/** Python `regex`'s `\s` (Unicode White_Space). JavaScript's `\s` also has U+FEFF. */
const WS = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python's str.isspace() (what str.strip() strips): White_Space plus U+001C–U+001F. */
const PY_SPACE = WS + '\\x1c-\\x1f';
const WS_RUN = new RegExp(`[${WS}]+`, 'g');
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
const TRAILING_WS = new RegExp(`[${PY_SPACE}]+$`);
/** OpenAI's pre-tokenizer pattern (compiled there with re.IGNORECASE). */
const SPLIT = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${WS}\\p{L}\\p{N}]+`,
  'giu',
);
/** The same, for finding one word at an offset (a RegExp with lastIndex is shared state). */
const SPLIT_AT = new RegExp(SPLIT.source, 'giu');
/** Whitespace-separated chunks of the original text (for choosing where to cut). */
const CHUNK = new RegExp(`[^${PY_SPACE}]+`, 'g');

// ---------------------------------------------------------------------------------------
// Python's html.unescape (Lib/html/__init__.py), with the WHATWG entity table from the
// `entities` package.

const INVALID_CHARREFS: Record<number, string> = {
  0x00: '\ufffd', 0x0d: '\r', 0x80: '\u20ac', 0x81: '\x81', 0x82: '\u201a', 0x83: '\u0192',
  0x84: '\u201e', 0x85: '\u2026', 0x86: '\u2020', 0x87: '\u2021', 0x88: '\u02c6', 0x89: '\u2030',
  0x8a: '\u0160', 0x8b: '\u2039', 0x8c: '\u0152', 0x8d: '\x8d', 0x8e: '\u017d', 0x8f: '\x8f',
  0x90: '\x90', 0x91: '\u2018', 0x92: '\u2019', 0x93: '\u201c', 0x94: '\u201d', 0x95: '\u2022',
  0x96: '\u2013', 0x97: '\u2014', 0x98: '\u02dc', 0x99: '\u2122', 0x9a: '\u0161', 0x9b: '\u203a',
  0x9c: '\u0153', 0x9d: '\x9d', 0x9e: '\u017e', 0x9f: '\u0178',
};

function isInvalidCodepoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) ||
    n === 0xb ||
    (n >= 0xe && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe // U+xFFFE and U+xFFFF in every plane
  );
}

const ENTITY_NAME = /^[A-Za-z0-9]+$/;

/** The value of `&name;` in the HTML5 table (`name` without the semicolon), or undefined. */
function entityWithSemicolon(name: string): string | undefined {
  if (!ENTITY_NAME.test(name)) return undefined;
  const ref = `&${name};`;
  const out = decodeHTMLStrict(ref);
  return out === ref ? undefined : out;
}

/** The value of the legacy entity `&name` (one of the ~100 that may omit the `;`), or undefined. */
function legacyEntity(name: string): string | undefined {
  const full = entityWithSemicolon(name);
  // Legacy decoding of a longer name decodes its longest legacy prefix and keeps the rest:
  // only an exact legacy name decodes to the same as its `;` form.
  return full !== undefined && decodeHTML(`&${name}`) === full ? full : undefined;
}

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function replaceCharref(_m: string, s: string): string {
  if (s[0] === '#') {
    const hex = s[1] === 'x' || s[1] === 'X';
    const digits = s.slice(hex ? 2 : 1).replace(/;$/, '');
    const num = hex ? parseInt(digits, 16) : Number(digits);
    const invalid = INVALID_CHARREFS[num];
    if (invalid !== undefined) return invalid;
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
    if (isInvalidCodepoint(num)) return '';
    return String.fromCodePoint(num);
  }
  if (s.endsWith(';')) {
    const v = entityWithSemicolon(s.slice(0, -1));
    if (v !== undefined) return v;
  } else {
    const v = legacyEntity(s);
    if (v !== undefined) return v;
  }
  // The longest legacy name that prefixes it (at least two characters).
  const chars = Array.from(s);
  for (let x = Math.min(chars.length - 1, 8); x > 1; x--) {
    const v = legacyEntity(chars.slice(0, x).join(''));
    if (v !== undefined) return v + chars.slice(x).join('');
  }
  return '&' + s;
}

/** Python's html.unescape. */
export function pyHtmlUnescape(s: string): string {
  return s.includes('&') ? s.replace(CHARREF, replaceCharref) : s;
}

// ---------------------------------------------------------------------------------------
// ftfy 6.3 fix_text, the fixers it applies by default except fix_encoding (see the top).

/** ftfy's own entity decoding: only `&…;` (alphanumeric, ≤24), plus ALL-CAPS names. */
const FTFY_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

function ftfyEntity(text: string): string {
  if (text.startsWith('&#')) {
    const un = pyHtmlUnescape(text);
    return un.includes(';') ? text : un;
  }
  const name = text.slice(1, -1);
  const v = entityWithSemicolon(name);
  if (v !== undefined) return v;
  // "&EACUTE;" → "É": names whose lower-case form is an entity, when the upper-case
  // spelling means nothing to html.unescape.
  const lower = name.toLowerCase();
  if (name === lower.toUpperCase() && lower !== name) {
    const lv = entityWithSemicolon(lower);
    if (lv !== undefined && pyHtmlUnescape(text) === text) return lv.toUpperCase();
  }
  return text;
}

const C1_CP1252 = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ';
const LIGATURES: Record<string, string> = {
  'Ĳ': 'IJ', 'ĳ': 'ij', 'ŉ': 'ʼn', 'Ǳ': 'DZ', 'ǲ': 'Dz', 'ǳ': 'dz', 'Ǆ': 'DŽ', 'ǅ': 'Dž',
  'ǆ': 'dž', 'Ǉ': 'LJ', 'ǈ': 'Lj', 'ǉ': 'lj', 'Ǌ': 'NJ', 'ǋ': 'Nj', 'ǌ': 'nj', 'ﬀ': 'ff',
  'ﬁ': 'fi', 'ﬂ': 'fl', 'ﬃ': 'ffi', 'ﬄ': 'ffl', 'ﬅ': 'ſt', 'ﬆ': 'st',
};
const LIGATURE_RE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'g');
/** Half-width and full-width forms (U+FF01–U+FFEF) to their NFKC forms; U+3000 to a space. */
const WIDTH_MAP: Map<string, string> = (() => {
  const m = new Map<string, string>([['\u3000', ' ']]);
  for (let i = 0xff01; i < 0xfff0; i++) {
    const c = String.fromCharCode(i);
    const alt = c.normalize('NFKC');
    if (alt !== c) m.set(c, alt);
  }
  return m;
})();
const WIDTH_RE = /[\u3000\uff01-\uffef]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ANSI_ESCAPE = /\x1b\[((?:\d|;)*)([a-zA-Z])/g; // eslint-disable-line no-control-regex
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

function fixSegment(segment: string, unescapeHtml: boolean): string {
  let text = segment;
  for (;;) {
    const orig = text;
    if (unescapeHtml && text.includes('&')) text = text.replace(FTFY_ENTITY, ftfyEntity);
    text = text.replace(/[\x80-\x9f]/g, (c) => C1_CP1252[c.charCodeAt(0) - 0x80] ?? c);
    text = text.replace(LIGATURE_RE, (c) => LIGATURES[c] ?? c);
    text = text.replace(WIDTH_RE, (c) => WIDTH_MAP.get(c) ?? c);
    text = text.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
    text = text.replace(/\r\n/g, '\n').replace(/[\r\u2028\u2029\x85]/g, '\n');
    text = text.replace(LONE_SURROGATE, '\ufffd');
    text = text.replace(ANSI_ESCAPE, '');
    text = text.replace(CONTROL_CHARS, '');
    text = text.normalize('NFC');
    if (text === orig) return text;
  }
}

/** Text every step of ftfy leaves alone: printable ASCII (no `&`), tabs, newlines, form feeds. */
const FTFY_NOOP = /^[\t\n\f\x20-\x25\x27-\x7e]*$/;

/** ftfy.fix_text with its defaults, minus fix_encoding. Works line by line, as ftfy does. */
export function ftfyFixText(text: string): string {
  if (FTFY_NOOP.test(text)) return text;
  let unescapeHtml = true; // "auto": off from the first line that contains '<' on
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl + 1;
    const segment = text.slice(pos, end);
    if (unescapeHtml && segment.includes('<')) unescapeHtml = false;
    out.push(fixSegment(segment, unescapeHtml));
    pos = end;
  }
  return out.join('');
}

/** simple_tokenizer.py's `whitespace_clean(basic_clean(text)).lower()`. */
export function cleanText(text: string): string {
  let t = ftfyFixText(text);
  t = pyHtmlUnescape(pyHtmlUnescape(t)).replace(PY_STRIP, '');
  t = t.replace(WS_RUN, ' ').replace(PY_STRIP, '');
  return t.toLowerCase();
}

// ---------------------------------------------------------------------------------------
// Byte-level BPE.

/**
 * GPT-2's bytes_to_unicode: byte → the character that stands for it (printable bytes map
 * to themselves, the rest to U+0100…). The Map's order is the Python dict's, which is the
 * order of the first 256 ids of OpenAI's vocabulary.
 */
export function bytesToUnicode(): Map<number, string> {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const map = new Map<number, string>(bs.map((b) => [b, String.fromCharCode(b)]));
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!map.has(b)) map.set(b, String.fromCharCode(256 + n++));
  }
  return map;
}

export interface ClipTokenizerData {
  /** token string → id */
  vocab: Map<string, number>;
  /** merge pairs in rank order, e.g. ['i', 'n'] */
  merges: [string, string][];
}

export interface TrimResult {
  /** The longest prefix of the text that fits, cut at a token boundary; the text itself when it fits. */
  trimmed: string;
  /** Offset in the original text where the part that does not fit begins; null when it fits. */
  cutAt: number | null;
  /** Tokens of `trimmed`. */
  count: number;
}

const CACHE_MAX = 20_000;
/** How many tokens trim gives up to end at whitespace rather than inside "photo-realistic". */
const CHUNK_BACKOFF = 3;
/** Pair keys: left * K + right, with K above every id. */
const PAIR_KEY = 1 << 17;
const utf8 = new TextEncoder();

export class ClipTokenizer {
  /** For each byte: id of its symbol, and of its symbol with `</w>`. */
  private readonly byteId = new Int32Array(256);
  private readonly byteEndId = new Int32Array(256);
  /** Merges by (left id * PAIR_KEY + right id): their rank, and the id of the merged token. */
  private readonly pairRank = new Map<number, number>();
  private readonly pairMerged = new Map<number, number>();
  private readonly cache = new Map<string, readonly number[]>();
  /** Bytes each token stands for (one per symbol character; `</w>` counts none). */
  private readonly tokenBytes: Int32Array;
  readonly vocabSize: number;
  readonly bos: number;
  readonly eos: number;

  constructor(
    data: ClipTokenizerData,
    /** Where it was loaded from, for messages. */
    readonly source = '(memory)',
  ) {
    const { vocab, merges } = data;
    this.vocabSize = vocab.size;
    const need = (tok: string): number => {
      const id = vocab.get(tok);
      if (id === undefined) throw new Error(`CLIP tokenizer data in ${source}: the vocabulary has no ${JSON.stringify(tok)}`);
      if (id < 0 || id >= PAIR_KEY) throw new Error(`CLIP tokenizer data in ${source}: id ${id} of ${JSON.stringify(tok)} is out of range`);
      return id;
    };
    this.bos = need(START);
    this.eos = need(END);
    this.tokenBytes = new Int32Array(PAIR_KEY);
    for (const [tok, id] of vocab) {
      if (id >= 0 && id < PAIR_KEY) this.tokenBytes[id] = tok.endsWith('</w>') ? tok.length - 4 : tok.length;
    }
    for (const [b, ch] of bytesToUnicode()) {
      this.byteId[b] = need(ch);
      this.byteEndId[b] = need(ch + '</w>');
    }
    // As Python's dict(zip(merges, range(...))): a repeated pair keeps its last rank.
    merges.forEach(([a, b], rank) => {
      const key = need(a) * PAIR_KEY + need(b);
      this.pairRank.set(key, rank);
      this.pairMerged.set(key, need(a + b));
    });
  }

  /** Loads a tokenizer folder: HF format (vocab.json + merges.txt) or OpenAI's bpe_simple_vocab_16e6.txt.gz. */
  static fromDir(dir: string): ClipTokenizer {
    return new ClipTokenizer(readClipTokenizerData(dir), dir);
  }

  /** The prompt's token ids, without the start and end tokens. */
  encode(text: string): number[] {
    const ids: number[] = [];
    this.encodeWords(cleanText(text), (_w, wordIds) => {
      for (const id of wordIds) ids.push(id);
    });
    return ids;
  }

  /** Number of tokens of `encode(text)`. */
  count(text: string): number {
    let n = 0;
    this.encodeWords(cleanText(text), (_w, wordIds) => (n += wordIds.length));
    return n;
  }

  /**
   * The longest prefix of `text` that tokenizes within `limit`, cut at a token boundary
   * (at the start of a CLIP word where one fits, preferring whitespace; inside a word only
   * when not even the first word fits), with trailing whitespace removed. Verified by
   * re-encoding.
   */
  trim(text: string, limit = CLIP_LIMIT): TrimResult {
    const total = this.count(text);
    if (total <= limit) return { trimmed: text, cutAt: null, count: total };

    const prefix = (p: number): string => text.slice(0, p).replace(TRAILING_WS, '');
    const fits = (p: number): number | null => {
      const n = this.count(prefix(p));
      return n <= limit ? n : null;
    };
    const { first, words, chunks } = cutCandidates(text);
    // Cut before the first word that does not fit (binary search: the count grows with the
    // prefix almost everywhere, and every answer is checked by re-encoding).
    let best = largestFitting(words, fits);
    // Not even the first word fits: cut inside it, at one of its BPE token boundaries.
    best ??= largestFitting(this.innerCuts(text, first), fits);
    if (best === null) return { trimmed: '', cutAt: first, count: 0 };
    // A word boundary inside a whitespace-separated chunk ("photo-|realistic"): back off to
    // the chunk's start when that costs at most a few tokens.
    const at = best.at;
    const chunkStart = chunks.filter((c) => c <= at).pop();
    if (chunkStart !== undefined && chunkStart < at) {
      const n = fits(chunkStart);
      if (n !== null && n > 0 && best.count - n <= CHUNK_BACKOFF) best = { at: chunkStart, count: n };
    }
    return { trimmed: prefix(best.at), cutAt: best.at, count: best.count };
  }

  private encodeWords(clean: string, each: (word: string, ids: readonly number[]) => void): void {
    for (const m of clean.matchAll(SPLIT)) {
      const word = m[0];
      if (word === START) each(word, [this.bos]);
      else if (word === END) each(word, [this.eos]);
      else each(word, this.bpeWord(word));
    }
  }

  /** BPE ids of one pre-token, cached. */
  private bpeWord(word: string): readonly number[] {
    const hit = this.cache.get(word);
    if (hit !== undefined) {
      // Least recently used goes first: move the hit to the end.
      this.cache.delete(word);
      this.cache.set(word, hit);
      return hit;
    }
    const ids = this.bpeBytes(utf8.encode(word));
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(word, ids);
    return ids;
  }

  private bpeBytes(bytes: Uint8Array): number[] {
    const n = bytes.length;
    const word: number[] = new Array<number>(n);
    for (let i = 0; i < n - 1; i++) word[i] = this.byteId[bytes[i] as number] as number;
    word[n - 1] = this.byteEndId[bytes[n - 1] as number] as number;
    let sym = word;
    while (sym.length > 1) {
      // The pair of lowest rank; every occurrence of it is merged, left to right.
      let bestRank = Infinity;
      let bestKey = -1;
      for (let i = 0; i < sym.length - 1; i++) {
        const key = (sym[i] as number) * PAIR_KEY + (sym[i + 1] as number);
        const r = this.pairRank.get(key);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          bestKey = key;
        }
      }
      if (bestKey < 0) break;
      const first = Math.floor(bestKey / PAIR_KEY);
      const second = bestKey % PAIR_KEY;
      const merged = this.pairMerged.get(bestKey) as number;
      const next: number[] = [];
      for (let i = 0; i < sym.length; ) {
        if (sym[i] === first && i < sym.length - 1 && sym[i + 1] === second) {
          next.push(merged);
          i += 2;
        } else {
          next.push(sym[i] as number);
          i++;
        }
      }
      sym = next;
    }
    return sym;
  }

  /** Offsets inside the word starting at `start` where one of its BPE tokens ends. */
  private innerCuts(text: string, start: number): number[] {
    SPLIT_AT.lastIndex = start;
    const m = SPLIT_AT.exec(text);
    if (m === null) return [];
    const word = m[0];
    const lower = word.toLowerCase();
    if (lower.length !== word.length) return [];
    const bytes = utf8.encode(lower);
    const ids = this.bpeBytes(bytes);
    // Byte lengths of the tokens, from their strings.
    const lengths = ids.map((id) => this.tokenBytes[id] ?? 0);
    const cuts: number[] = [];
    let byte = 0;
    let char = 0;
    let charByte = 0;
    for (const len of lengths.slice(0, -1)) {
      byte += len;
      while (charByte < byte && char < lower.length) {
        const cp = lower.codePointAt(char) as number;
        charByte += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        char += cp > 0xffff ? 2 : 1;
      }
      if (charByte === byte) cuts.push(m.index + char);
    }
    return cuts;
  }
}

/** Where CLIP words (pre-tokens) and whitespace-separated chunks begin in the original text. */
function cutCandidates(text: string): { first: number; words: number[]; chunks: number[] } {
  let first = -1;
  const words: number[] = [];
  for (const m of text.matchAll(SPLIT)) {
    if (first < 0) first = m.index;
    else words.push(m.index);
  }
  const chunks: number[] = [];
  for (const m of text.matchAll(CHUNK)) if (m.index > 0) chunks.push(m.index);
  return { first: Math.max(first, 0), words, chunks };
}

function largestFitting(cands: readonly number[], fits: (p: number) => number | null): { at: number; count: number } | null {
  let lo = 0;
  let hi = cands.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (fits(cands[mid] as number) !== null) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return null;
  // The count is not strictly monotone in the prefix (an HTML entity cut in half, say):
  // step past later candidates that still fit.
  while (found + 1 < cands.length && fits(cands[found + 1] as number) !== null) found++;
  const at = cands[found] as number;
  return { at, count: fits(at) as number };
}

// ---------------------------------------------------------------------------------------
// Loading.

function openaiData(file: string): ClipTokenizerData {
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
  const merges = lines.slice(1, OPENAI_MERGES + 1).map((l) => splitMerge(l, file));
  const vocabList = [...bytesToUnicode().values()];
  const tokens = [...vocabList, ...vocabList.map((v) => v + '</w>'), ...merges.map(([a, b]) => a + b), START, END];
  return { vocab: new Map(tokens.map((t, i) => [t, i])), merges };
}

function hfData(dir: string): ClipTokenizerData {
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${path.join(dir, 'vocab.json')}: not a JSON object`);
  const vocab = new Map<string, number>();
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${path.join(dir, 'vocab.json')}: id of ${JSON.stringify(k)} is not an integer`);
    vocab.set(k, v);
  }
  const file = path.join(dir, 'merges.txt');
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  if (lines[0]?.startsWith('#version')) lines.shift();
  const merges = lines.filter((l) => l.trim() !== '').map((l) => splitMerge(l, file));
  return { vocab, merges };
}

function splitMerge(line: string, file: string): [string, string] {
  const parts = line.split(' ');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`${file}: malformed merge line ${JSON.stringify(line)}`);
  return [parts[0], parts[1]];
}

/** Which format a folder holds, or null when it holds neither. */
export function clipTokenizerFormat(dir: string): 'hf' | 'openai' | null {
  if (fs.existsSync(path.join(dir, 'vocab.json')) && fs.existsSync(path.join(dir, 'merges.txt'))) return 'hf';
  if (fs.existsSync(path.join(dir, OPENAI_BPE_FILE))) return 'openai';
  return null;
}

export function readClipTokenizerData(dir: string): ClipTokenizerData {
  const format = clipTokenizerFormat(dir);
  if (format === 'hf') return hfData(dir);
  if (format === 'openai') return openaiData(path.join(dir, OPENAI_BPE_FILE));
  throw new Error(`${dir} holds no CLIP tokenizer (vocab.json + merges.txt, or ${OPENAI_BPE_FILE})`);
}
