// Where the tokenizer files are. CLIP, in order: the folder named in Settings
// (clipTokenizerDir, e.g. a model's tokenizer/), the studio's cache, the app's own copy
// in resources/ (OpenAI's bpe_simple_vocab_16e6.txt.gz, shipped). T5: the cache, then
// resources/. Nothing is downloaded; a miss says where it looked.
import fs from 'node:fs';
import path from 'node:path';
import { clipTokenizerFormat } from './clip-tokenizer';

export interface TokenizerPaths {
  /** Settings.clipTokenizerDir: tried first when set. */
  clipTokenizerDir: string | null;
  /** The studio data folder (its cache/tokenizers/ is searched); null: none. */
  dataDir: string | null;
  /** The folder holding resources/ (the checkout root, or the packaged app's resources path). */
  resourcesDir: string | null;
}

export type Located<K extends string> =
  | ({ found: true; looked: string[] } & Record<K, string>)
  | { found: false; looked: string[]; reason: string };

export function clipTokenizerCandidates(p: TokenizerPaths): string[] {
  const dirs: string[] = [];
  if (p.clipTokenizerDir) dirs.push(path.resolve(p.clipTokenizerDir));
  if (p.dataDir) dirs.push(path.join(p.dataDir, 'cache', 'tokenizers', 'clip'));
  if (p.resourcesDir) dirs.push(path.join(p.resourcesDir, 'resources', 'tokenizers', 'clip'));
  return dirs;
}

export function t5TokenizerCandidates(p: TokenizerPaths): string[] {
  const files: string[] = [];
  if (p.dataDir) files.push(path.join(p.dataDir, 'cache', 'tokenizers', 't5', 'tokenizer.json'));
  if (p.resourcesDir) files.push(path.join(p.resourcesDir, 'resources', 'tokenizers', 't5', 'tokenizer.json'));
  return files;
}

/** The first folder holding CLIP tokenizer data (vocab.json + merges.txt, or bpe_simple_vocab_16e6.txt.gz). */
export function locateClipTokenizer(p: TokenizerPaths): Located<'dir'> {
  const looked = clipTokenizerCandidates(p);
  for (const dir of looked) {
    if (clipTokenizerFormat(dir) !== null) return { found: true, dir, looked };
  }
  return {
    found: false,
    looked,
    reason:
      looked.length === 0
        ? 'no CLIP tokenizer folder to look in'
        : `no CLIP tokenizer data (vocab.json + merges.txt, or bpe_simple_vocab_16e6.txt.gz) in ${looked.join(', ')}`,
  };
}

/** The first T5 tokenizer.json found. */
export function locateT5Tokenizer(p: TokenizerPaths): Located<'file'> {
  const looked = t5TokenizerCandidates(p);
  for (const file of looked) {
    if (fs.existsSync(file)) return { found: true, file, looked };
  }
  return {
    found: false,
    looked,
    reason: looked.length === 0 ? 'no T5 tokenizer folder to look in' : `no T5 tokenizer.json in ${looked.join(', ')}`,
  };
}
