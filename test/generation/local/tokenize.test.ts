// Prompt → ids against the transformers tokenizers the diffusers pipelines call
// (padding="max_length", truncation=True), run in the pinned Python venv on the fixture
// folders' own tokenizer files: long prompts that get cut, odd spacing, non-ASCII text.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ClipPromptTokenizer, T5PromptTokenizer } from '../../../src-main/generation/local/tokenize';
import { REPO_ROOT } from '../../helpers/studio';
import { onnxFixtures } from './helpers';

const PROMPTS = [
  'a photo of a cat',
  '',
  '  A  Lighthouse,\tat   DUSK!! ',
  'café crème brûlée — 東京 at night, 8k',
  Array.from({ length: 60 }, (_, i) => `word${i} lighthouse sunset`).join(', '),
];

let reference: { sd: number[][]; flux: number[][]; t5: number[][]; t5len: number } = { sd: [], flux: [], t5: [], t5len: 0 };
let fixtures = '';

beforeAll(() => {
  fixtures = onnxFixtures();
  const venv = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'pod-venv.sh')], { encoding: 'utf8', timeout: 30 * 60_000 }).stdout.trim();
  const py = `
import json, sys
from transformers import CLIPTokenizer, T5TokenizerFast
root, prompts = sys.argv[1], json.loads(sys.argv[2])
def ids(tok, L): return [tok(p, padding="max_length", max_length=L, truncation=True).input_ids for p in prompts]
sd = CLIPTokenizer.from_pretrained(root + "/sd-turbo/onnx/tokenizer")
flux = CLIPTokenizer.from_pretrained(root + "/flux-schnell/onnx/tokenizer")
t5 = T5TokenizerFast.from_pretrained(root + "/flux-schnell/onnx/tokenizer_2")
print(json.dumps({"sd": ids(sd, 77), "flux": ids(flux, 77), "t5": ids(t5, 64), "t5len": 64}))
`;
  const r = spawnSync(path.join(venv, 'bin', 'python'), ['-c', py, fixtures, JSON.stringify(PROMPTS)], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(r.stderr.slice(-2000));
  reference = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as typeof reference;
}, 40 * 60_000);

describe('tokenization = the diffusers pipelines\' tokenizer calls', () => {
  test('CLIP: BOS + 75 + EOS, padded with the folder\'s pad token (FLUX 49407, SD-Turbo 0)', () => {
    const sd = ClipPromptTokenizer.fromDir(path.join(fixtures, 'sd-turbo', 'onnx', 'tokenizer'));
    const flux = ClipPromptTokenizer.fromDir(path.join(fixtures, 'flux-schnell', 'onnx', 'tokenizer'));
    expect([sd.padId, flux.padId]).toEqual([0, 49407]);
    PROMPTS.forEach((p, i) => {
      expect(sd.encode(p).ids, JSON.stringify(p)).toEqual(reference.sd[i]);
      expect(flux.encode(p).ids, JSON.stringify(p)).toEqual(reference.flux[i]);
    });
    expect(flux.encode(PROMPTS[4]!).truncated).toBeGreaterThan(0);
    expect(flux.encode(PROMPTS[0]!).truncated).toBe(0);
  });

  test('T5: tokens + </s>, truncated to L − 1, padded with 0', () => {
    const t5 = T5PromptTokenizer.fromDir(path.join(fixtures, 'flux-schnell', 'onnx', 'tokenizer_2'));
    PROMPTS.forEach((p, i) => expect(t5.encode(p, reference.t5len).ids, JSON.stringify(p)).toEqual(reference.t5[i]));
    expect(t5.encode(PROMPTS[4]!, reference.t5len).truncated).toBeGreaterThan(0);
  });
});
