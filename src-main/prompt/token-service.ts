// Token counts for the prompt editor, the CLI and prompt enhancement: exact CLIP counts
// (75 of CLIP's 77 positions; the rest are its start and end tokens) with the text that
// fits, and the T5 budget (512 for FLUX.1-dev, 256 for FLUX.1-schnell).
//
// CLIP: exact or nothing. Without tokenizer data the answer says so (available: false,
// with where it looked) and carries no ids and a count of 0 — never a guess.
// T5: exact with a tokenizer.json (SentencePiece Unigram via @huggingface/tokenizers),
// otherwise an estimate labelled as one (see estimateT5Tokens).
import fs from 'node:fs';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { ModelId, TokenCount } from '@shared/contract';
import { CLIP_LIMIT, ClipTokenizer } from './clip-tokenizer';
import { locateClipTokenizer, locateT5Tokenizer, type TokenizerPaths } from './tokenizer-locator';

export type { TokenizerPaths } from './tokenizer-locator';

/** T5 sequence length the FLUX pipelines use (max_sequence_length). */
export const T5_LIMITS: Record<ModelId, number> = { 'flux-dev': 512, 'flux-schnell': 256 };

export interface ClipTrim {
  /** The text cut to the CLIP limit (the text itself when it fits or when no tokenizer exists). */
  trimmed: string;
  wasTrimmed: boolean;
  /** CLIP tokens of `trimmed`; 0 when no tokenizer exists. */
  count: number;
  available: boolean;
  reason: string | null;
}

type Loaded<T> = { key: string; value: T } | { key: string; error: string };

export class TokenService {
  private clip: Loaded<ClipTokenizer> | null = null;
  private t5: Loaded<HfTokenizer> | null = null;

  /** `paths` is read on every call, so a changed Settings.clipTokenizerDir takes effect at once. */
  constructor(private readonly paths: () => TokenizerPaths) {}

  /** The CLIP tokenizer, loaded once per folder (and again when the folder changes). */
  clipTokenizer(): { tokenizer: ClipTokenizer; dir: string } | { tokenizer: null; reason: string } {
    const where = locateClipTokenizer(this.paths());
    if (!where.found) return { tokenizer: null, reason: where.reason };
    const key = `${where.dir}\0${mtimes(where.dir, ['vocab.json', 'merges.txt', 'bpe_simple_vocab_16e6.txt.gz'])}`;
    if (this.clip?.key !== key) {
      try {
        this.clip = { key, value: ClipTokenizer.fromDir(where.dir) };
      } catch (err) {
        this.clip = { key, error: `the CLIP tokenizer in ${where.dir} could not be read: ${message(err)}` };
      }
    }
    const c = this.clip;
    return 'value' in c ? { tokenizer: c.value, dir: where.dir } : { tokenizer: null, reason: c.error };
  }

  count(text: string, model: ModelId = 'flux-dev'): TokenCount {
    const t5 = this.countT5(text, model);
    const clip = this.clipTokenizer();
    if (clip.tokenizer === null) {
      return { available: false, reason: clip.reason, ids: [], count: 0, limit: CLIP_LIMIT, fits: true, trimmed: text, cutAt: null, t5 };
    }
    const ids = clip.tokenizer.encode(text);
    const fits = ids.length <= CLIP_LIMIT;
    const cut = fits ? { trimmed: text, cutAt: null } : clip.tokenizer.trim(text, CLIP_LIMIT);
    return { available: true, reason: null, ids, count: ids.length, limit: CLIP_LIMIT, fits, trimmed: cut.trimmed, cutAt: cut.cutAt, t5 };
  }

  /** The text cut to the CLIP limit, for prompt enhancement. Without tokenizer data nothing is cut. */
  trimToClip(text: string): ClipTrim {
    const clip = this.clipTokenizer();
    if (clip.tokenizer === null) return { trimmed: text, wasTrimmed: false, count: 0, available: false, reason: clip.reason };
    const r = clip.tokenizer.trim(text, CLIP_LIMIT);
    return { trimmed: r.trimmed, wasTrimmed: r.cutAt !== null, count: r.count, available: true, reason: null };
  }

  /** T5 tokens including the `</s>` T5 appends; exact when a tokenizer.json exists. */
  countT5(text: string, model: ModelId = 'flux-dev'): TokenCount['t5'] {
    const limit = T5_LIMITS[model];
    const tok = this.t5Tokenizer();
    if (tok === null) return { count: estimateT5Tokens(text), limit, estimate: true };
    return { count: tok.encode(text, { add_special_tokens: false }).ids.length + 1, limit, estimate: false };
  }

  private t5Tokenizer(): HfTokenizer | null {
    const where = locateT5Tokenizer(this.paths());
    if (!where.found) return null;
    const key = `${where.file}\0${mtimes(where.file, [''])}`;
    if (this.t5?.key !== key) {
      try {
        const json = JSON.parse(fs.readFileSync(where.file, 'utf8')) as object;
        const configFile = where.file.replace(/tokenizer\.json$/, 'tokenizer_config.json');
        const config = fs.existsSync(configFile) ? (JSON.parse(fs.readFileSync(configFile, 'utf8')) as object) : {};
        this.t5 = { key, value: new HfTokenizer(json, config) };
      } catch (err) {
        this.t5 = { key, error: message(err) };
      }
    }
    // An unreadable tokenizer.json falls back to the (labelled) estimate.
    return 'value' in this.t5 ? this.t5.value : null;
  }
}

/**
 * T5 tokens without a tokenizer, labelled as an estimate. T5's SentencePiece vocabulary
 * holds most English words whole and splits rare ones into a few pieces, so:
 * each run of Latin letters counts ceil(length / 6) (a common word is 1, "photorealistic"
 * is 3), each run of digits ceil(length / 3), each punctuation or symbol character 1,
 * each character of another script 1 (T5's vocabulary has almost none: they become
 * <unk> one by one), plus 1 for the `</s>` T5 appends.
 */
export function estimateT5Tokens(text: string): number {
  let n = 1;
  for (const m of text.matchAll(/(\p{Script=Latin}+)|(\p{N}+)|([^\s\p{L}\p{N}])|([\p{L}\p{M}])/gu)) {
    if (m[1] !== undefined) n += Math.ceil(m[1].length / 6);
    else if (m[2] !== undefined) n += Math.ceil(m[2].length / 3);
    else n += 1;
  }
  return n;
}

function mtimes(base: string, names: string[]): string {
  return names
    .map((name) => {
      try {
        return String(fs.statSync(name ? `${base}/${name}` : base).mtimeMs);
      } catch {
        return '-';
      }
    })
    .join(',');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
