// The proof that the TypeScript pipeline is right: the tiny FLUX-schnell, FLUX-dev and
// SD-Turbo exports run end to end on the CPU provider from diffusers' own initial latents,
// and the final latents and decoded images are compared with what the diffusers PyTorch
// pipelines produced on the same weights (DIR/<model>/reference/cases.json).
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalPipeline } from '../../src-main/local/pipeline';
import { ClipPromptTokenizer, T5PromptTokenizer } from '../../src-main/local/tokenize';
import { FIXTURE_MODELS, maxAbsDiff, onnxFixtures, readTensor, referenceCases, type FixtureModel } from './helpers';

const pipelines = new Map<FixtureModel, LocalPipeline>();
const measured: string[] = [];

beforeAll(() => {
  onnxFixtures();
}, 40 * 60_000);

afterAll(async () => {
  for (const p of pipelines.values()) await p.release();
  console.log(['local parity (CPU provider vs diffusers fp32):', ...measured].join('\n  '));
});

async function pipeline(model: FixtureModel): Promise<LocalPipeline> {
  let p = pipelines.get(model);
  if (!p) {
    p = await LocalPipeline.load(path.join(onnxFixtures(), model, 'onnx'), { provider: 'cpu', threads: 1 });
    pipelines.set(model, p);
  }
  return p;
}

describe.each(FIXTURE_MODELS)('%s', (model) => {
  test('tokenizer ids = the reference text_input_ids (CLIP) and t5_input_ids', () => {
    const { dir, cases } = referenceCases(model);
    const onnx = path.join(onnxFixtures(), model, 'onnx');
    const clip = ClipPromptTokenizer.fromDir(path.join(onnx, 'tokenizer'));
    for (const c of cases) {
      const ref = Array.from(readTensor(dir, c.tensors.text_input_ids!), Number);
      expect(clip.encode(c.prompt).ids, `${model} ${c.prompt}`).toEqual(ref);
      if (c.tensors.t5_input_ids) {
        const t5 = T5PromptTokenizer.fromDir(path.join(onnx, 'tokenizer_2'));
        const ref2 = Array.from(readTensor(dir, c.tensors.t5_input_ids), Number);
        expect(t5.encode(c.prompt, ref2.length).ids, `${model} T5 ${c.prompt}`).toEqual(ref2);
      }
    }
  });

  test('final latents (≤ 1e-3) and decoded images (≤ 1/255 on ≥ 99% of pixels) match diffusers', async () => {
    const p = await pipeline(model);
    expect(p.provider.created).toBe('cpu');
    const { dir, cases } = referenceCases(model);
    expect(cases.length).toBeGreaterThanOrEqual(1);
    for (const c of cases) {
      const initial = readTensor(dir, c.tensors.initial_latents!) as Float32Array;
      const r = await p.generate({
        prompt: c.prompt,
        steps: c.steps,
        width: c.width,
        height: c.height,
        guidance: c.guidance,
        seed: c.seed,
        maxSequenceLength: c.max_sequence_length ?? null,
        initialLatents: initial,
        initialLatentsPacked: model !== 'sd-turbo',
      });
      // The same schedule as the run.
      if (c.sigmas) expect(maxAbsDiff(r.schedule.sigmas, c.sigmas)).toBeLessThanOrEqual(1e-6 * 15);
      const refFinal = readTensor(dir, c.tensors.final_latents!) as Float32Array;
      const latentDiff = maxAbsDiff(r.finalLatents, refFinal);
      // Decoded image against diffusers' PNG.
      const png = await sharp(path.join(dir, c.image!)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([r.width, r.height]).toEqual([png.info.width, png.info.height]);
      expect([r.width, r.height]).toEqual([c.width, c.height]);
      let within = 0;
      let worst = 0;
      for (let i = 0; i < r.rgb.length; i++) {
        const d = Math.abs(r.rgb[i]! - png.data[i]!);
        worst = Math.max(worst, d);
        if (d <= 1) within++;
      }
      const share = within / r.rgb.length;
      measured.push(
        `${model}/${c.name ?? c.prompt} ${c.width}×${c.height} ${c.steps} steps: final latents max |Δ| ${latentDiff.toExponential(2)}, ` +
          `pixels within 1/255 ${(share * 100).toFixed(3)}% (max Δ ${worst})`,
      );
      expect(latentDiff, `${model} ${c.name} final latents`).toBeLessThanOrEqual(1e-3);
      expect(share, `${model} ${c.name} pixels within 1 level`).toBeGreaterThanOrEqual(0.99);
    }
  }, 300_000);
});
