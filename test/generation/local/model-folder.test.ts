// Model folder checks with tiny broken copies of the real fixture exports: a missing part,
// fp16 graph I/O (converted with the real onnx library), parts that do not fit together,
// a model too large for the free memory, a foreign pipeline; and the good folders' facts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { checkFitsInMemory, inspectModelFolder, ModelFolderError, resolveLayout, type PartName } from '../../../src-main/generation/local/model-folder';
import { readGraphIo, type GraphIo } from '../../../src-main/generation/local/onnx-header';
import { LocalPipeline } from '../../../src-main/generation/local/pipeline';
import { REPO_ROOT, tempDir } from '../../helpers/studio';
import { onnxFixtures } from './helpers';

let fixtures = '';
beforeAll(() => {
  fixtures = onnxFixtures();
}, 40 * 60_000);

function copyModel(model: string): string {
  const dst = path.join(tempDir('flux-studio-model-'), model);
  fs.cpSync(path.join(fixtures, model, 'onnx'), dst, { recursive: true });
  return dst;
}

function folderError(dir: string): ModelFolderError {
  try {
    inspectModelFolder(dir);
  } catch (err) {
    if (err instanceof ModelFolderError) return err;
    throw err;
  }
  throw new Error(`${dir} was accepted`);
}

function venvPython(): string {
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'pod-venv.sh')], { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`scripts/pod-venv.sh failed: ${r.stderr.slice(-500)}`);
  return path.join(r.stdout.trim(), 'bin', 'python');
}

describe('model folders', () => {
  test('the fixture exports are recognised with their facts', () => {
    const want = {
      'flux-schnell': { guidance: false, ch: 16, scaling: 0.3611 },
      'flux-dev': { guidance: true, ch: 16, scaling: 0.3611 },
      'sd-turbo': { guidance: false, ch: 4, scaling: 0.18215 },
      'sdxl-turbo': { guidance: false, ch: 4, scaling: 0.13025 },
    } as const;
    for (const [model, w] of Object.entries(want)) {
      const info = inspectModelFolder(path.join(fixtures, model, 'onnx'));
      expect(info.kind).toBe(model);
      expect(info.layout.usesGuidance).toBe(w.guidance);
      expect(info.layout.latentChannels).toBe(w.ch);
      expect(info.layout.vaeScalingFactor).toBe(w.scaling);
      expect(info.layout.vaeScaleFactor).toBe(8);
      expect(info.sizeBytes).toBeGreaterThan(100_000);
    }
    const io = readGraphIo(path.join(fixtures, 'flux-dev', 'onnx', 'transformer', 'model.onnx'));
    expect(io.inputs.map((i) => i.name)).toEqual(expect.arrayContaining(['hidden_states', 'encoder_hidden_states', 'pooled_projections', 'timestep', 'img_ids', 'txt_ids', 'guidance']));
    expect(io.outputs.map((o) => o.name)).toEqual(['out_hidden_states']);
  });

  test('SDXL-Turbo: optimum\'s names map to the roles (penultimate = hidden_states[-2] of each CLIP)', () => {
    const info = inspectModelFolder(path.join(fixtures, 'sdxl-turbo', 'onnx'));
    expect(info.pipelineClass).toBe('ORTStableDiffusionXLPipeline');
    const L = info.layout;
    expect(L.family).toBe('sdxl');
    expect(Object.keys(L.parts).sort()).toEqual(['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder']);
    // 2-layer CLIP-L: hidden_states.0…2; 3-layer bigG stand-in: hidden_states.0…3.
    expect(L.parts.text_encoder!.outputs.penultimate!.name).toBe('hidden_states.1');
    expect(L.parts.text_encoder_2!.outputs.penultimate!.name).toBe('hidden_states.2');
    expect(L.parts.text_encoder_2!.outputs.text_embeds!.name).toBe('text_embeds');
    expect(Object.fromEntries(Object.entries(L.parts.unet!.inputs).map(([role, io]) => [role, io.name]))).toEqual({
      sample: 'sample',
      timestep: 'timestep',
      encoder_hidden_states: 'encoder_hidden_states',
      text_embeds: 'text_embeds',
      time_ids: 'time_ids',
    });
    expect(L.parts.unet!.inputs.encoder_hidden_states!.shape.at(-1)).toBe(32 + 48);
    expect(info.scheduler).toMatchObject({ kind: 'euler', config: { timestepSpacing: 'trailing' } });
  });

  test('SDXL-Turbo: a missing text_encoder_2 or tokenizer_2 is named', () => {
    const dir = copyModel('sdxl-turbo');
    fs.rmSync(path.join(dir, 'text_encoder_2'), { recursive: true });
    const err = folderError(dir);
    expect(err.code).toBe('missing_part');
    expect(err.message).toMatch(/missing part: text_encoder_2\/model\.onnx — .* is not a complete SDXL-Turbo ONNX export/);
    const dir2 = copyModel('sdxl-turbo');
    fs.rmSync(path.join(dir2, 'tokenizer_2'), { recursive: true });
    expect(folderError(dir2).message).toMatch(/missing part: tokenizer_2\/ \(vocab\.json \+ merges\.txt\)/);
  });

  test('SDXL-Turbo: widths that do not fit together are reported', () => {
    // bigG's stand-in (48 wide) where CLIP-L (32) belongs: 48 + 48 ≠ the UNet's 80.
    const dir = copyModel('sdxl-turbo');
    fs.rmSync(path.join(dir, 'text_encoder'), { recursive: true });
    fs.cpSync(path.join(dir, 'text_encoder_2'), path.join(dir, 'text_encoder'), { recursive: true });
    const err = folderError(dir);
    expect(err.code).toBe('unexpected_shape');
    expect(err.message).toMatch(/text_encoder \+ text_encoder_2 hidden widths \(48 \+ 48 = 96\) and unet encoder_hidden_states width \(80\) do not fit together/);
    // SD-Turbo's CLIP as the second encoder: no hidden states, no pooled projection.
    const dir2 = copyModel('sdxl-turbo');
    fs.rmSync(path.join(dir2, 'text_encoder_2'), { recursive: true });
    fs.cpSync(path.join(fixtures, 'sd-turbo', 'onnx', 'text_encoder'), path.join(dir2, 'text_encoder_2'), { recursive: true });
    const err2 = folderError(dir2);
    expect(err2.code).toBe('unexpected_shape');
    expect(err2.message).toMatch(/^text_encoder_2: SDXL needs the penultimate hidden states \(hidden_states\[-2\]\).*output_hidden_states/);
    // SD-Turbo's UNet: no text_embeds / time_ids inputs.
    const dir3 = copyModel('sdxl-turbo');
    fs.rmSync(path.join(dir3, 'unet'), { recursive: true });
    fs.cpSync(path.join(fixtures, 'sd-turbo', 'onnx', 'unet'), path.join(dir3, 'unet'), { recursive: true });
    expect(folderError(dir3).message).toMatch(/^unet: the graph has no input for text_embeds/);
    // The graphs' declared widths, changed one at a time: text_embeds and time_ids.
    const onnx = path.join(fixtures, 'sdxl-turbo', 'onnx');
    const ios = () => Object.fromEntries((['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder'] as PartName[]).map((p) => [p, readGraphIo(path.join(onnx, p, 'model.onnx'))])) as Record<PartName, GraphIo>;
    const vae = { scale: 8, scaling: 0.13025, shift: 0 };
    const layout = (g: Record<PartName, GraphIo>) => {
      try {
        resolveLayout('sdxl', 'sdxl-turbo', g, vae);
      } catch (e) {
        if (e instanceof ModelFolderError) return e;
        throw e;
      }
      throw new Error('accepted');
    };
    expect(() => resolveLayout('sdxl', 'sdxl-turbo', ios(), vae)).not.toThrow();
    const withUnetInput = (name: string, shape: (number | string)[]) => {
      const g = ios();
      g.unet.inputs = g.unet.inputs.map((i) => (i.name === name ? { ...i, shape } : i));
      return g;
    };
    expect(layout(withUnetInput('text_embeds', ['batch_size', 1280])).message).toMatch(/text_encoder_2 text_embeds width and unet text_embeds width do not fit together \(40 vs 1280\)/);
    expect(layout(withUnetInput('time_ids', ['batch_size', 5])).message).toMatch(/unet: time_ids has 5 values per image; SDXL takes 6/);
  });

  test('SDXL: a VAE with per-channel latents_mean / latents_std is refused (decoding it needs them)', () => {
    const dir = copyModel('sdxl-turbo');
    const file = path.join(dir, 'vae_decoder', 'config.json');
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(inspectModelFolder(dir).layout.vaeScalingFactor).toBe(0.13025);
    fs.writeFileSync(file, JSON.stringify({ ...cfg, latents_mean: [0.1, 0.2, 0.3, 0.4], latents_std: [1, 1, 1, 1] }));
    const err = folderError(dir);
    expect([err.code, err.message]).toEqual(['unsupported', expect.stringMatching(/latents_mean \/ latents_std/)]);
  });

  test('a missing part is named', () => {
    const dir = copyModel('flux-schnell');
    fs.rmSync(path.join(dir, 'text_encoder_2'), { recursive: true });
    const err = folderError(dir);
    expect(err.code).toBe('missing_part');
    expect(err.message).toMatch(/missing part: text_encoder_2\/model\.onnx/);
    const sd = copyModel('sd-turbo');
    fs.rmSync(path.join(sd, 'tokenizer', 'merges.txt'));
    expect(folderError(sd).message).toMatch(/tokenizer\/ \(vocab\.json \+ merges\.txt\)/);
    expect(folderError(path.join(tempDir(), 'nope')).message).toMatch(/is not a folder/);
    expect(folderError(tempDir()).message).toMatch(/model_index\.json/);
  });

  test('parts from different models: unexpected shapes are reported', () => {
    const dir = copyModel('flux-schnell');
    // SD-Turbo's VAE takes 4 latent channels, FLUX's transformer makes 16.
    fs.rmSync(path.join(dir, 'vae_decoder'), { recursive: true });
    fs.cpSync(path.join(fixtures, 'sd-turbo', 'onnx', 'vae_decoder'), path.join(dir, 'vae_decoder'), { recursive: true });
    const err = folderError(dir);
    expect(err.code).toBe('unexpected_shape');
    expect(err.message).toMatch(/vae_decoder latent channels do not fit together \(16 vs 4\)/);
    // A UNet where the FLUX transformer should be.
    const dir2 = copyModel('flux-dev');
    fs.rmSync(path.join(dir2, 'transformer'), { recursive: true });
    fs.cpSync(path.join(fixtures, 'sd-turbo', 'onnx', 'unet'), path.join(dir2, 'transformer'), { recursive: true });
    const err2 = folderError(dir2);
    expect(err2.code).toBe('unexpected_shape');
    expect(err2.message).toMatch(/^transformer: /);
  });

  // Rewrites the VAE decoder's graph input to another float type, cast to fp32 inside the graph.
  const retypeDecoderInput = (dir: string, elemType: 'FLOAT16' | 'BFLOAT16') => {
    const py = [
      'import sys, onnx',
      'from onnx import helper, TensorProto',
      'p = sys.argv[1]',
      'm = onnx.load(p, load_external_data=False)',
      'g = m.graph',
      'inp = g.input[0]',
      'old = inp.name',
      'for n in g.node:',
      '    n.input[:] = [old + "_fp32" if x == old else x for x in n.input]',
      'g.node.insert(0, helper.make_node("Cast", [old], [old + "_fp32"], to=TensorProto.FLOAT))',
      `inp.type.tensor_type.elem_type = TensorProto.${elemType}`,
      'onnx.save(m, p)',
    ].join('\n');
    const r = spawnSync(venvPython(), ['-c', py, path.join(dir, 'vae_decoder', 'model.onnx')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
  };

  test('fp16 graph I/O is accepted and fed in fp16 (converted at the boundary)', async () => {
    const dir = copyModel('sd-turbo');
    retypeDecoderInput(dir, 'FLOAT16');
    const info = inspectModelFolder(dir);
    expect(info.layout.parts.vae_decoder!.inputs.latent_sample).toMatchObject({ name: 'latent_sample', type: 'float16' });
    const p = await LocalPipeline.load(dir, { provider: 'cpu', threads: 1 });
    try {
      const r = await p.generate({ prompt: 'a cat', steps: 1, width: 64, height: 64, guidance: null, seed: 3 });
      expect([r.width, r.height]).toEqual([64, 64]);
    } finally {
      await p.release();
    }
  }, 180_000);

  test('bfloat16 graph I/O is refused with advice that works, at inspection and at load', async () => {
    const dir = copyModel('sd-turbo');
    retypeDecoderInput(dir, 'BFLOAT16');
    const err = folderError(dir);
    expect(err.code).toBe('fp16_io');
    expect(err.message).toMatch(/vae_decoder: input latent_sample is bfloat16, which onnxruntime-node cannot feed or read/);
    // The advice is the conversion the fp16 fixtures are made with (make_optimum_fixtures.py).
    expect(err.message).toContain('optimum-cli export onnx');
    expect(err.message).toContain('convert_float_to_float16(keep_io_types=False)');
    await expect(LocalPipeline.load(dir, { provider: 'cpu', threads: 1 })).rejects.toThrow(/bfloat16/);
  }, 180_000);

  test('too large for the free memory', () => {
    expect(() => checkFitsInMemory(24 * 1024 ** 3, 8 * 1024 ** 3)).toThrow(/needs about 24\.0 GB and only 8\.0 GB of memory is free/);
    expect(() => checkFitsInMemory(1024, 8 * 1024 ** 3)).not.toThrow();
  });

  test('foreign pipelines are refused by name', () => {
    const dir = copyModel('sd-turbo');
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'model_index.json'), 'utf8')) as Record<string, unknown>;
    // SD-Turbo's folder named SDXL: checked as SDXL, and its missing SDXL parts are named.
    fs.writeFileSync(path.join(dir, 'model_index.json'), JSON.stringify({ ...index, _class_name: 'StableDiffusionXLPipeline' }));
    expect(folderError(dir).message).toMatch(/missing parts: text_encoder_2\/model\.onnx, tokenizer_2\/ \(vocab\.json \+ merges\.txt\) — .* SDXL-Turbo ONNX export/);
    for (const cls of ['KandinskyPipeline', 'StableDiffusionXLImg2ImgPipeline', 'ORTStableDiffusionXLInpaintPipeline']) {
      fs.writeFileSync(path.join(dir, 'model_index.json'), JSON.stringify({ ...index, _class_name: cls }));
      const err = folderError(dir);
      expect(err.code, cls).toBe('unsupported');
      expect(err.message).toContain(`names ${cls}; the local runtime runs text-to-image`);
    }
  });
});
