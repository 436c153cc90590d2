import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { bytesToUnicode } from '../../src-main/prompt/clip-tokenizer';
import { REPO_ROOT } from './studio';

/** OpenAI's CLIP merges from ../shared (CI has shared/ beside the clone). */
export const CLIP_DATA = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'clip');

/** vocab.json + merges.txt built from OpenAI's file, as simple_tokenizer.py builds its tables. */
export function writeHfFolder(dir: string): string {
  const lines = zlib.gunzipSync(fs.readFileSync(path.join(CLIP_DATA, 'bpe_simple_vocab_16e6.txt.gz'))).toString('utf8').split('\n');
  const merges = lines.slice(1, 49152 - 256 - 2 + 1);
  const bytes = [...bytesToUnicode().values()];
  const vocab = [...bytes, ...bytes.map((b) => b + '</w>'), ...merges.map((m) => m.split(' ').join('')), '<|startoftext|>', '<|endoftext|>'];
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(Object.fromEntries(vocab.map((t, i) => [t, i]))));
  fs.writeFileSync(path.join(dir, 'merges.txt'), '#version: 0.2\n' + merges.join('\n') + '\n');
  return dir;
}
