// Prompt → token ids, padded and truncated exactly as the diffusers pipelines call their
// tokenizers (`padding="max_length", max_length=L, truncation=True`):
//   CLIP: [BOS] + the first L−2 prompt tokens + [EOS], then the folder's pad token to L
//         (77; pad <|endoftext|> for FLUX's CLIP-L, "!" = 0 for SD 2.x / SD-Turbo).
//         The BPE is the studio's exact CLIP tokenizer (src-main/prompt/clip-tokenizer.ts)
//         over the folder's vocab.json + merges.txt.
//   T5:   the folder's tokenizer_2/tokenizer.json (@huggingface/tokenizers), the first L−1
//         tokens + </s>, then the pad id (0) to L (max_sequence_length: 512 dev, 256 schnell).
import fs from 'node:fs';
import path from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { ClipTokenizer } from '../../prompt/clip-tokenizer';

export const CLIP_MAX_LENGTH = 77;

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A special token as tokenizer_config.json / special_tokens_map.json write it (a string or {content}). */
function tokenString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return null;
}

/** The pad token named by the folder's special_tokens_map.json or tokenizer_config.json. */
export function folderPadToken(dir: string): string | null {
  for (const name of ['special_tokens_map.json', 'tokenizer_config.json']) {
    const j = readJson(path.join(dir, name));
    const t = j ? tokenString(j.pad_token) : null;
    if (t !== null) return t;
  }
  return null;
}

function folderMaxLength(dir: string): number | null {
  const j = readJson(path.join(dir, 'tokenizer_config.json'));
  const v = j?.model_max_length;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 4096 ? v : null;
}

/** Added tokens (content → id) of a tokenizer folder: tokenizer.json's added_tokens, else the special tokens. */
function addedTokens(dir: string, vocab: Record<string, unknown> | null): Map<string, number> {
  const out = new Map<string, number>();
  const json = readJson(path.join(dir, 'tokenizer.json'));
  if (json && Array.isArray(json.added_tokens)) {
    for (const t of json.added_tokens as { id?: unknown; content?: unknown }[]) {
      if (typeof t.id === 'number' && typeof t.content === 'string' && t.content) out.set(t.content, t.id);
    }
    return out;
  }
  const map = readJson(path.join(dir, 'special_tokens_map.json')) ?? readJson(path.join(dir, 'tokenizer_config.json')) ?? {};
  for (const k of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
    const t = tokenString(map[k]);
    const id = t !== null ? vocab?.[t] : undefined;
    if (t && typeof id === 'number') out.set(t, id);
  }
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class ClipPromptTokenizer {
  readonly padId: number;
  readonly maxLength: number;
  /** Matches the added tokens in raw text (longest first), as transformers splits on them before BPE. */
  private readonly addedRe: RegExp | null;

  constructor(
    readonly bpe: ClipTokenizer,
    padId: number,
    maxLength = CLIP_MAX_LENGTH,
    private readonly added: Map<string, number> = new Map(),
  ) {
    this.padId = padId;
    this.maxLength = maxLength;
    const keys = [...added.keys()].sort((a, b) => b.length - a.length);
    this.addedRe = keys.length > 0 ? new RegExp(keys.map(escapeRe).join('|'), 'g') : null;
  }

  /**
   * The prompt's ids without BOS/EOS. Added tokens (e.g. SD 2.x's pad token "!") are cut
   * out of the raw text first and become their own id, as transformers' CLIPTokenizer does:
   * "dusk!!" → dusk, !, ! (0, 0), not the BPE token "!!".
   */
  private body(prompt: string): number[] {
    if (!this.addedRe) return this.bpe.encode(prompt);
    const ids: number[] = [];
    let last = 0;
    for (const m of prompt.matchAll(this.addedRe)) {
      if (m.index > last) ids.push(...this.bpe.encode(prompt.slice(last, m.index)));
      ids.push(this.added.get(m[0])!);
      last = m.index + m[0].length;
    }
    if (last < prompt.length) ids.push(...this.bpe.encode(prompt.slice(last)));
    return ids;
  }

  /** Loads tokenizer/ (vocab.json + merges.txt; the pad token from its config, <|endoftext|> when none). */
  static fromDir(dir: string): ClipPromptTokenizer {
    const bpe = ClipTokenizer.fromDir(dir);
    const padToken = folderPadToken(dir);
    let padId = bpe.eos;
    if (padToken !== null) {
      const vocab = readJson(path.join(dir, 'vocab.json'));
      const id = vocab?.[padToken];
      if (typeof id !== 'number') throw new Error(`${dir}: the pad token ${JSON.stringify(padToken)} is not in vocab.json`);
      padId = id;
    }
    const vocab = readJson(path.join(dir, 'vocab.json'));
    return new ClipPromptTokenizer(bpe, padId, Math.min(folderMaxLength(dir) ?? CLIP_MAX_LENGTH, CLIP_MAX_LENGTH), addedTokens(dir, vocab));
  }

  /** input_ids [maxLength] and how many prompt tokens were cut off. */
  encode(prompt: string): { ids: number[]; truncated: number } {
    const body = this.body(prompt);
    const room = this.maxLength - 2;
    const ids = [this.bpe.bos, ...body.slice(0, room), this.bpe.eos];
    while (ids.length < this.maxLength) ids.push(this.padId);
    return { ids, truncated: Math.max(0, body.length - room) };
  }
}

export class T5PromptTokenizer {
  constructor(
    private readonly tok: HfTokenizer,
    readonly eosId: number,
    readonly padId: number,
  ) {}

  static fromDir(dir: string): T5PromptTokenizer {
    const file = path.join(dir, 'tokenizer.json');
    const json = readJson(file);
    if (!json) throw new Error(`${dir}: no readable tokenizer.json (the T5 tokenizer)`);
    const config = readJson(path.join(dir, 'tokenizer_config.json')) ?? {};
    const tok = new HfTokenizer(json, config);
    const vocab = (json.model as { vocab?: unknown } | undefined)?.vocab;
    const idOf = (t: string): number | null => {
      if (Array.isArray(vocab)) {
        const i = vocab.findIndex((v) => Array.isArray(v) && v[0] === t);
        if (i >= 0) return i;
      }
      const added = Array.isArray(json.added_tokens) ? (json.added_tokens as { id: number; content: string }[]) : [];
      return added.find((a) => a.content === t)?.id ?? null;
    };
    const eos = idOf('</s>');
    if (eos === null) throw new Error(`${file}: the T5 vocabulary has no </s>`);
    const padToken = folderPadToken(dir) ?? '<pad>';
    const pad = idOf(padToken) ?? 0;
    return new T5PromptTokenizer(tok, eos, pad);
  }

  /** input_ids [maxLength]: the prompt's tokens (at most maxLength − 1), </s>, then pads. */
  encode(prompt: string, maxLength: number): { ids: number[]; truncated: number } {
    const body = this.tok.encode(prompt, { add_special_tokens: false }).ids;
    const room = maxLength - 1;
    const ids = [...body.slice(0, room), this.eosId];
    while (ids.length < maxLength) ids.push(this.padId);
    return { ids, truncated: Math.max(0, body.length - room) };
  }
}
