// The proof that the TypeScript pipeline is right: the tiny FLUX-schnell, FLUX-dev, SD-Turbo
// and SDXL-Turbo exports run end to end on the CPU provider from diffusers' own initial latents,
// and the final latents and decoded images are compared with what the diffusers PyTorch
// pipelines produced on the same weights (DIR/<model>/reference/cases.json).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalPipeline } from '../../../src-main/generation/local/pipeline';
import { ClipPromptTokenizer, T5PromptTokenizer } from '../../../src-main/generation/local/tokenize';
import { tempDir } from '../../helpers/studio';
import { caseRequest, compareToPng, FIXTURE_MODELS, maxAbsDiff, onnxFixtures, readTensor, referenceCases, type FixtureModel, type ReferenceCase } from './helpers';

const pipelines = new Map<FixtureModel, LocalPipeline>();
const measured: string[] = [];

beforeAll(() => {
  onnxFixtures();
}, 40 * 60_000);

afterAll(async () => {
  for (const p of pipelines.values()) await p.release();
  console.log(['local parity (CPU provider vs diffusers fp32):', ...measured].join('\n  '));
});

/** The decoded image against diffusers' PNG: share of channel values within 1/255, and the worst difference. */
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
      if (c.tensors.text_input_ids_2) {
        // SDXL's second CLIP tokenizer: the same BPE, padded with "!" (0) where the first pads with EOS.
        const clip2 = ClipPromptTokenizer.fromDir(path.join(onnx, 'tokenizer_2'));
        const ref2 = Array.from(readTensor(dir, c.tensors.text_input_ids_2), Number);
        expect(clip2.encode(c.prompt).ids, `${model} tokenizer_2 ${c.prompt}`).toEqual(ref2);
        if (ref2.indexOf(49407) < ref2.length - 1) {
          expect([ref.at(-1), ref2.at(-1)]).toEqual([49407, 0]); // padded: <|endoftext|> vs "!"
        }
      }
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
      const r = await p.generate(caseRequest(model, dir, c));
      // The same schedule as the run.
      if (c.sigmas) expect(maxAbsDiff(r.schedule.sigmas, c.sigmas)).toBeLessThanOrEqual(1e-6 * 15);
      const refFinal = readTensor(dir, c.tensors.final_latents!) as Float32Array;
      const latentDiff = maxAbsDiff(r.finalLatents, refFinal);
      expect([r.width, r.height]).toEqual([c.width, c.height]);
      const { share, worst } = await compareToPng(r, path.join(dir, c.image!));
      measured.push(
        `${model}/${c.name ?? c.prompt} ${c.width}×${c.height} ${c.steps} steps: final latents max |Δ| ${latentDiff.toExponential(2)}, ` +
          `pixels within 1/255 ${(share * 100).toFixed(3)}% (max Δ ${worst})`,
      );
      expect(latentDiff, `${model} ${c.name} final latents`).toBeLessThanOrEqual(1e-3);
      expect(share, `${model} ${c.name} pixels within 1 level`).toBeGreaterThanOrEqual(0.99);
    }
  }, 300_000);
});

describe('sdxl-turbo from a seed', () => {
  test('requested size; same seed → identical image, another seed → a different one; one progress event per step', async () => {
    const p = await pipeline('sdxl-turbo');
    const params = { prompt: 'a red cube on a blue sphere', steps: 2, width: 64, height: 96, guidance: null, seed: 11 };
    const seen: number[] = [];
    const a = await p.generate(params, { onStep: (e) => seen.push(e.step) });
    expect(seen).toEqual([1, 2]);
    expect([a.width, a.height, a.rgb.length]).toEqual([64, 96, 64 * 96 * 3]);
    const b = await p.generate(params);
    expect(Buffer.from(b.rgb).equals(Buffer.from(a.rgb))).toBe(true);
    const c = await p.generate({ ...params, seed: 12 });
    expect(Buffer.from(c.rgb).equals(Buffer.from(a.rgb))).toBe(false);
  }, 300_000);
});

describe('sdxl-turbo with EulerAncestralDiscreteScheduler (what stabilityai/sdxl-turbo ships)', () => {
  let ancestralDir = '';
  let ancestral: LocalPipeline | null = null;
  const load = async (): Promise<{ p: LocalPipeline; dir: string; cases: ReferenceCase[] }> => {
    const dir = path.join(onnxFixtures(), 'sdxl-turbo', 'reference');
    const cases = JSON.parse(fs.readFileSync(path.join(dir, 'ancestral.json'), 'utf8')) as ReferenceCase[];
    if (!ancestral) {
      // The same export with the scheduler the reference ran with.
      ancestralDir = path.join(tempDir('flux-studio-ancestral-'), 'sdxl-turbo');
      fs.cpSync(path.join(onnxFixtures(), 'sdxl-turbo', 'onnx'), ancestralDir, { recursive: true });
      fs.writeFileSync(path.join(ancestralDir, 'scheduler', 'scheduler_config.json'), JSON.stringify(cases[0]!.scheduler_config));
      ancestral = await LocalPipeline.load(ancestralDir, { provider: 'cpu', threads: 1 });
    }
    return { p: ancestral, dir, cases };
  };
  afterAll(async () => {
    await ancestral?.release();
  });

  test('with diffusers\' recorded step noise: final latents (≤ 1e-3) and decoded image (≤ 1/255 on ≥ 99%) match', async () => {
    const { p, dir, cases } = await load();
    expect(p.info.scheduler).toMatchObject({ kind: 'euler', config: { ancestral: true } });
    expect(cases.length).toBeGreaterThanOrEqual(1);
    for (const c of cases) {
      const noise = readTensor(dir, c.tensors.step_noise!) as Float32Array;
      const per = noise.length / c.steps;
      const r = await p.generate({
        prompt: c.prompt,
        steps: c.steps,
        width: c.width,
        height: c.height,
        guidance: null,
        seed: c.seed,
        initialLatents: readTensor(dir, c.tensors.initial_latents!) as Float32Array,
        stepNoise: Array.from({ length: c.steps }, (_, i) => noise.subarray(i * per, (i + 1) * per)),
      });
      const latentDiff = maxAbsDiff(r.finalLatents, readTensor(dir, c.tensors.final_latents!) as Float32Array);
      const { share, worst } = await compareToPng(r, path.join(dir, c.image!));
      measured.push(
        `sdxl-turbo/${c.name} (EulerAncestral) ${c.width}×${c.height} ${c.steps} steps: final latents max |Δ| ${latentDiff.toExponential(2)}, ` +
          `pixels within 1/255 ${(share * 100).toFixed(3)}% (max Δ ${worst})`,
      );
      expect(latentDiff).toBeLessThanOrEqual(1e-3);
      expect(share).toBeGreaterThanOrEqual(0.99);
    }
  }, 300_000);

  test('from a seed: deterministic; one step equals plain Euler (σ_up = 0), more steps add the seed\'s fresh noise', async () => {
    const { p } = await load();
    const euler = await pipeline('sdxl-turbo');
    const params = { prompt: 'a photo of a cat', steps: 1, width: 64, height: 64, guidance: null, seed: 21 };
    const one = await p.generate(params);
    expect(Buffer.from(one.rgb).equals(Buffer.from((await euler.generate(params)).rgb))).toBe(true);
    const three = { ...params, steps: 3 };
    const a = await p.generate(three);
    expect(Buffer.from((await p.generate(three)).rgb).equals(Buffer.from(a.rgb))).toBe(true);
    expect(maxAbsDiff(a.finalLatents, (await euler.generate(three)).finalLatents)).toBeGreaterThan(1e-2);
  }, 300_000);
});
