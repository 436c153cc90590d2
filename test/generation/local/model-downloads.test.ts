// The download catalog's choices (model-downloads.ts) and how downloaded folders are named.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CURATED, catalogEntries, likelyProvider, recommend } from '../../../src-main/generation/local/model-downloads';
import { inspectModelFolder, modelName } from '../../../src-main/generation/local/model-folder';
import { onnxFixtures } from './helpers';
import type { LocalCatalogEntry } from '@shared/contract/local';
import { tempDir } from '../../helpers/studio';

const entry = (id: string, sizeGb: number, runsWellOn: LocalCatalogEntry['runsWellOn']): LocalCatalogEntry => ({
  id,
  title: id,
  repo: `org/${id}`,
  subfolder: null,
  revision: 'main',
  kind: 'sd-turbo',
  sizeBytes: sizeGb * 1e9,
  runsWellOn,
  note: '',
});

describe('model folders as tools leave them', () => {
  test('a FLUX tokenizer_2 with only the slow spiece.model is refused with how to fix it', () => {
    const dir = path.join(tempDir('flux-studio-slowt5-'), 'flux');
    fs.cpSync(path.join(onnxFixtures(), 'flux-schnell', 'onnx'), dir, { recursive: true });
    fs.rmSync(path.join(dir, 'tokenizer_2', 'tokenizer.json'));
    expect(fs.existsSync(path.join(dir, 'tokenizer_2', 'spiece.model'))).toBe(true);
    expect(() => inspectModelFolder(dir)).toThrow(/tokenizer_2\/tokenizer\.json \(only the slow tokenizer's spiece\.model is there: save tokenizer_2 with transformers' T5TokenizerFast/);
  });
});

describe('model catalog', () => {
  test('recommends the smallest entry that runs well on the provider and fits memory, else the smallest that fits', () => {
    const list = [entry('big-gpu', 14, ['cuda', 'dml']), entry('mid-cpu', 5, ['cpu', 'cuda']), entry('small-gpu', 3, ['cuda'])];
    expect(recommend(list, 'cuda', 32e9)?.id).toBe('small-gpu');
    expect(recommend(list, 'cpu', 32e9)?.id).toBe('mid-cpu');
    expect(recommend(list, 'dml', 8e9)?.id).toBe('small-gpu'); // none fits DirectML: the smallest that fits memory
    expect(recommend(list, 'cpu', 1e9)).toBeNull();
  });

  test('CUDA only when onnxruntime-node\'s CUDA provider library is there; DirectML on Windows', () => {
    const bin = tempDir('flux-studio-ortbin-');
    expect(likelyProvider(bin, 'linux', 'x64')).toBe('cpu');
    fs.writeFileSync(path.join(bin, 'libonnxruntime_providers_cuda.so'), '');
    expect(likelyProvider(bin, 'linux', 'x64')).toBe('cuda');
    expect(likelyProvider(bin, 'darwin', 'arm64')).toBe('cpu');
    expect(likelyProvider(null, 'win32', 'x64')).toBe('dml');
  });

  test('FLUX_STUDIO_MODEL_CATALOG adds entries (checked); a broken file is refused with its name', () => {
    const dir = tempDir('flux-studio-catalog-');
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify([{ id: 'x', title: 'X', repo: 'a/b', kind: 'sd-turbo', sizeBytes: 1, runsWellOn: ['cpu'] }]));
    expect(catalogEntries({ FLUX_STUDIO_MODEL_CATALOG: file }).map((e) => e.id)).toEqual(['x', ...CURATED.map((c) => c.id)]);
    fs.writeFileSync(file, JSON.stringify([{ id: 'x' }]));
    expect(() => catalogEntries({ FLUX_STUDIO_MODEL_CATALOG: file })).toThrow(/FLUX_STUDIO_MODEL_CATALOG .*c\.json/);
    expect(catalogEntries({})).toBe(CURATED);
  });

  test('downloaded folders are named after their repo (and subfolder), optimum\'s onnx/ after its parent', () => {
    const sha = 'a'.repeat(40);
    expect(modelName(`/h/hub/models--stabilityai--sdxl-turbo/snapshots/${sha}`)).toBe('sdxl-turbo');
    expect(modelName(`/h/hub/models--tiny--sd-turbo-onnx/snapshots/${sha}/onnx`)).toBe('sd-turbo-onnx');
    expect(modelName(`/h/hub/models--org--repo/snapshots/${sha}/fp16/onnx`)).toBe('repo/fp16/onnx');
    expect(modelName('/models/sd-turbo/onnx')).toBe('sd-turbo');
    expect(modelName('/models/my-export')).toBe('my-export');
  });
});
