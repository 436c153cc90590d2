import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import type { ImageParameters } from '@shared/contract';
import { embedMetadata, saveImage } from '../../src-main/metadata/embed';
import { readImageFile } from '../../src-main/metadata/image-file';
import { emptyParameters } from '../../src-main/metadata/params';
import { NotAnImageError, readImageParameters } from '../../src-main/metadata/read-parameters';
import { parseWebp } from '../../src-main/metadata/webp-riff';
import {
  baseJpeg,
  basePng,
  baseWebp,
  insertAfterIhdr,
  iTXt,
  jpegWithExif,
  tEXt,
  tiffWithUserComment,
  utf16,
  webpWithExif,
  zTXt,
} from './build';

const PARAMS: ImageParameters = {
  ...emptyParameters(),
  prompt: 'a café at night 🌃☕, neon: "open", 24/7\nsecond line, with commas',
  negativePrompt: 'blurry, low quality: bad\nwatermark',
  enhancedFrom: 'café at night',
  model: 'flux-dev',
  seed: 4294967295123,
  steps: 28,
  guidance: 3.5,
  sampler: 'Euler',
  width: 16,
  height: 12,
  jpegQuality: 92,
  loras: [
    { name: 'p3r5on_v1', scale: 0.8, sha256: 'ab'.repeat(32) },
    { name: 'style: noir, v2', scale: 1.1, sha256: null },
  ],
  runtime: 'remote',
  pod: 'pod-abc',
  loadSeconds: 12.5,
  genSeconds: 3.25,
};

const A1111_TEXT = 'a red fox, snow: deep\nNegative prompt: blurry\nSteps: 20, Sampler: Euler, CFG scale: 1, Distilled CFG Scale: 3.5, Seed: 99, Size: 16x12, Model: flux1-dev';

function expectRoundTrip(read: ImageParameters) {
  const { source, parametersText, ...rest } = read;
  const { source: _s, parametersText: _t, ...want } = PARAMS;
  expect(source).toBe('studio');
  expect(rest).toEqual(want);
  expect(parametersText).toContain('Negative prompt: blurry, low quality: bad\nwatermark');
  expect(parametersText).toContain('Version: flux-studio 0.1.0');
}

describe('writer → reader round trip', () => {
  test('PNG', async () => {
    const out = embedMetadata(await basePng(), PARAMS, { version: '0.1.0' });
    expectRoundTrip(readImageParameters(out));
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([16, 12]);
    const texts = readImageFile(out).pngTexts;
    expect([...texts.keys()]).toEqual(['parameters', 'flux-studio']);
    // embedding twice replaces, never duplicates
    const again = embedMetadata(out, { ...PARAMS, seed: 1 }, { version: '0.1.0' });
    expect(readImageParameters(again).seed).toBe(1);
    expect([...readImageFile(again).pngTexts.keys()]).toEqual(['parameters', 'flux-studio']);
  });

  test('JPEG', async () => {
    const out = embedMetadata(await baseJpeg(), PARAMS, { version: '0.1.0' });
    expectRoundTrip(readImageParameters(out));
    const meta = await sharp(out).metadata();
    expect(meta.width).toBe(16);
    expect(meta.exif).toBeDefined();
    await sharp(out).raw().toBuffer();
  });

  test('WebP (lossy VP8 and lossless VP8L converted to VP8X)', async () => {
    for (const lossless of [false, true]) {
      const out = embedMetadata(await baseWebp(16, 12, lossless), PARAMS, { version: '0.1.0' });
      expectRoundTrip(readImageParameters(out));
      const w = parseWebp(out);
      expect(w.chunks[0]!.fourcc).toBe('VP8X');
      expect(w.chunks[0]!.data[0]! & 0x08).toBe(0x08);
      expect(out.readUInt32LE(4)).toBe(out.length - 8);
      const meta = await sharp(out).metadata();
      expect([meta.width, meta.height]).toEqual([16, 12]);
      expect(meta.exif).toBeDefined();
      await sharp(out).raw().toBuffer();
    }
  });

  test('JPEG: a prompt too long for one APP1 segment drops the record, then shortens the prompt, keeping the parameter line', async () => {
    const mid = { ...PARAMS, prompt: 'long prompt, '.repeat(2000) }; // ~26 KB: text fits, text + record does not
    const a = readImageParameters(embedMetadata(await baseJpeg(), mid, { version: '0.1.0' }));
    expect(a.source).toBe('a1111');
    expect(a.prompt).toBe(mid.prompt.trim());
    expect(a.seed).toBe(PARAMS.seed);
    const huge = { ...PARAMS, prompt: '🌃 night '.repeat(8000) };
    const out = embedMetadata(await baseJpeg(), huge, { version: '0.1.0' });
    await sharp(out).raw().toBuffer();
    const b = readImageParameters(out);
    expect(b.source).toBe('a1111');
    expect(huge.prompt.startsWith(b.prompt!)).toBe(true);
    expect(b.prompt!.length).toBeGreaterThan(1000);
    expect(b.seed).toBe(PARAMS.seed);
    expect(b.steps).toBe(28);
  });

  test('A1111 text alone round-trips when the record is unreadable', async () => {
    const png = insertAfterIhdr(await basePng(), tEXt('flux-studio', 'not json{'), tEXt('parameters', A1111_TEXT));
    const p = readImageParameters(png);
    expect(p.source).toBe('a1111');
    expect(p.prompt).toBe('a red fox, snow: deep');
  });
});

describe('files other tools write', () => {
  test('A1111 PNG with a tEXt parameters chunk', async () => {
    const p = readImageParameters(insertAfterIhdr(await basePng(), tEXt('parameters', A1111_TEXT)));
    expect(p).toMatchObject({ source: 'a1111', prompt: 'a red fox, snow: deep', negativePrompt: 'blurry', seed: 99, steps: 20, guidance: 3.5, width: 16, height: 12, model: 'flux1-dev', parametersText: A1111_TEXT });
  });

  test('PNG with an iTXt (UTF-8) parameters chunk, uncompressed and compressed', async () => {
    for (const compressed of [false, true]) {
      const text = '桜の木 🌸, anime\nSteps: 4, Sampler: Euler, Seed: 5, Size: 64x32';
      const p = readImageParameters(insertAfterIhdr(await basePng(), iTXt('parameters', text, compressed)));
      expect(p).toMatchObject({ source: 'a1111', prompt: '桜の木 🌸, anime', steps: 4, seed: 5, width: 64, height: 32 });
    }
  });

  test('PNG with a zTXt parameters chunk', async () => {
    const p = readImageParameters(insertAfterIhdr(await basePng(), zTXt('parameters', A1111_TEXT)));
    expect(p).toMatchObject({ source: 'a1111', seed: 99, prompt: 'a red fox, snow: deep' });
  });

  test('JPEG with EXIF UserComment UNICODE big-endian (piexif) and little-endian, in MM and II TIFFs', async () => {
    const text = 'ein Fuchs 🦊, Schnee\nNegative prompt: blurry\nSteps: 20, Sampler: Euler, Seed: 99, Size: 16x12';
    for (const tiffLittle of [false, true]) {
      for (const textLittle of [false, true]) {
        const comment = Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), utf16(text, textLittle)]);
        const jpeg = jpegWithExif(await baseJpeg(), tiffWithUserComment(comment, tiffLittle));
        expect((await sharp(jpeg).metadata()).width).toBe(16);
        const p = readImageParameters(jpeg);
        expect(p).toMatchObject({ source: 'a1111', prompt: 'ein Fuchs 🦊, Schnee', negativePrompt: 'blurry', seed: 99, steps: 20 });
      }
    }
  });

  test('JPEG with an ASCII-prefixed UserComment', async () => {
    const comment = Buffer.concat([Buffer.from('ASCII\0\0\0', 'latin1'), Buffer.from(A1111_TEXT, 'latin1')]);
    const p = readImageParameters(jpegWithExif(await baseJpeg(), tiffWithUserComment(comment, true)));
    expect(p).toMatchObject({ source: 'a1111', seed: 99, model: 'flux1-dev' });
  });

  test('WebP with an EXIF chunk (bare TIFF, and with an Exif\\0\\0 prefix)', async () => {
    const comment = Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), utf16(A1111_TEXT, false)]);
    const tiff = tiffWithUserComment(comment, false);
    for (const payload of [tiff, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])]) {
      const webp = webpWithExif(await baseWebp(), 16, 12, payload);
      expect((await sharp(webp).metadata()).width).toBe(16);
      expect(readImageParameters(webp)).toMatchObject({ source: 'a1111', seed: 99, width: 16, height: 12 });
    }
  });

  test('ComfyUI PNG with prompt (API graph) and workflow chunks', async () => {
    const graph = {
      '3': { class_type: 'KSampler', inputs: { seed: 156680208700286, steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['10', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
      '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 768, batch_size: 1 } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: 'beautiful scenery nature glass bottle landscape, purple galaxy bottle,', clip: ['10', 1] } },
      '7': { class_type: 'CLIPTextEncode', inputs: { text: 'text, watermark', clip: ['10', 1] } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
      '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
      '10': { class_type: 'LoraLoader', inputs: { lora_name: 'glass.safetensors', strength_model: 0.75, strength_clip: 1, model: ['4', 0], clip: ['4', 1] } },
    };
    const workflow = { last_node_id: 10, nodes: [{ id: 3, type: 'KSampler' }] };
    const png = insertAfterIhdr(await basePng(), tEXt('prompt', JSON.stringify(graph)), tEXt('workflow', JSON.stringify(workflow)));
    const p = readImageParameters(png);
    expect(p).toMatchObject({
      source: 'comfyui',
      prompt: 'beautiful scenery nature glass bottle landscape, purple galaxy bottle,',
      negativePrompt: 'text, watermark',
      seed: 156680208700286,
      steps: 20,
      guidance: 8,
      sampler: 'euler',
      width: 512,
      height: 768,
      model: 'v1-5-pruned-emaonly.safetensors',
      loras: [{ name: 'glass.safetensors', scale: 0.75, sha256: null }],
    });
  });

  test('ComfyUI FLUX graph: FluxGuidance, UNETLoader, SamplerCustomAdvanced', async () => {
    const graph = {
      '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse at dusk', clip: ['11', 0] } },
      '26': { class_type: 'FluxGuidance', inputs: { guidance: 3.5, conditioning: ['6', 0] } },
      '22': { class_type: 'BasicGuider', inputs: { model: ['12', 0], conditioning: ['26', 0] } },
      '25': { class_type: 'RandomNoise', inputs: { noise_seed: 777 } },
      '16': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
      '17': { class_type: 'BasicScheduler', inputs: { scheduler: 'simple', steps: 25, denoise: 1, model: ['12', 0] } },
      '27': { class_type: 'EmptySD3LatentImage', inputs: { width: 1024, height: 768, batch_size: 1 } },
      '12': { class_type: 'UNETLoader', inputs: { unet_name: 'flux1-dev.safetensors', weight_dtype: 'default' } },
      '13': { class_type: 'SamplerCustomAdvanced', inputs: { noise: ['25', 0], guider: ['22', 0], sampler: ['16', 0], sigmas: ['17', 0], latent_image: ['27', 0] } },
    };
    const p = readImageParameters(insertAfterIhdr(await basePng(), tEXt('prompt', JSON.stringify(graph))));
    expect(p).toMatchObject({ source: 'comfyui', prompt: 'a lighthouse at dusk', negativePrompt: null, seed: 777, steps: 25, guidance: 3.5, sampler: 'euler', width: 1024, height: 768, model: 'flux1-dev.safetensors' });
  });

  test('an image without metadata: all null, size from the header', async () => {
    for (const bytes of [await basePng(20, 10), await baseJpeg(20, 10), await baseWebp(20, 10)]) {
      expect(readImageParameters(bytes)).toEqual({ ...emptyParameters(), width: 20, height: 10 });
    }
  });
});

describe('garbage never crashes', () => {
  test('non-images and truncated files give NotAnImageError with a reason', async () => {
    const png = embedMetadata(await basePng(), PARAMS, { version: '0.1.0' });
    const jpeg = embedMetadata(await baseJpeg(), PARAMS, { version: '0.1.0' });
    const webp = embedMetadata(await baseWebp(), PARAMS, { version: '0.1.0' });
    const bad: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from('hello world, not an image'),
      Buffer.from('GIF89a'),
      png.subarray(0, 8),
      png.subarray(0, png.length - 12),
      png.subarray(0, 100),
      jpeg.subarray(0, 3),
      jpeg.subarray(0, 60),
      jpeg.subarray(0, jpeg.length - 50),
      webp.subarray(0, 14),
      webp.subarray(0, webp.length - 10),
    ];
    const flipped = Buffer.from(png);
    flipped[20] = flipped[20]! ^ 0xff; // inside IHDR: bad CRC on a critical chunk
    bad.push(flipped);
    for (const b of bad) {
      let err: unknown;
      try {
        readImageParameters(b);
      } catch (e) {
        err = e;
      }
      expect(err, `bytes ${b.subarray(0, 12).toString('hex')} (${b.length})`).toBeInstanceOf(NotAnImageError);
      expect((err as NotAnImageError).reason).toMatch(/\w/);
    }
  });

  test('random corruption of valid files never throws anything but NotAnImageError', async () => {
    const files = [embedMetadata(await basePng(), PARAMS, { version: '0.1.0' }), embedMetadata(await baseJpeg(), PARAMS, { version: '0.1.0' }), embedMetadata(await baseWebp(), PARAMS, { version: '0.1.0' })];
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 600; i++) {
      const b = Buffer.from(files[i % 3]!);
      for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        readImageParameters(b);
      } catch (e) {
        expect(e).toBeInstanceOf(NotAnImageError);
      }
    }
  });
});

describe('saveImage', () => {
  test('writes flux_YYYYMMDD_HHMMSS_<seed>.<ext> under a day folder, _2 on a clash, decodable, no temp files left', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meta-save-'));
    const now = new Date(2026, 0, 2, 3, 4, 5);
    const a = saveImage({ outputDir: dir, bytes: await basePng(), params: PARAMS, seed: 42, embed: true, now, version: '0.1.0' });
    const b = saveImage({ outputDir: dir, bytes: await basePng(), params: PARAMS, seed: 42, embed: true, now, version: '0.1.0' });
    const c = saveImage({ outputDir: dir, bytes: await baseJpeg(), params: PARAMS, seed: 42, embed: true, now, version: '0.1.0' });
    expect(a.path).toBe(path.join(dir, '2026-01-02', 'flux_20260102_030405_42.png'));
    expect(b.path).toBe(path.join(dir, '2026-01-02', 'flux_20260102_030405_42_2.png'));
    expect(c.path).toBe(path.join(dir, '2026-01-02', 'flux_20260102_030405_42.jpg'));
    expect(fs.readdirSync(path.join(dir, '2026-01-02')).sort()).toEqual(['flux_20260102_030405_42.jpg', 'flux_20260102_030405_42.png', 'flux_20260102_030405_42_2.png']);
    for (const f of [a.path, b.path, c.path]) {
      expect((await sharp(f).metadata()).width).toBe(16);
      const p = readImageParameters(fs.readFileSync(f));
      expect(p.source).toBe('studio');
      expect(p.seed).toBe(PARAMS.seed);
    }
    const rec = JSON.parse(readImageFile(fs.readFileSync(a.path)).pngTexts.get('flux-studio')!) as Record<string, unknown>;
    expect(rec.createdAt).toBe(now.toISOString());
    expect(rec.version).toBe('0.1.0');
  });

  test('embed:false writes the bytes untouched: no parameters, no record', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meta-save-'));
    for (const bytes of [await basePng(), await baseJpeg(), await baseWebp()]) {
      const r = saveImage({ outputDir: dir, bytes, params: PARAMS, seed: 1, embed: false, version: '0.1.0' });
      const written = fs.readFileSync(r.path);
      expect(written.equals(bytes)).toBe(true);
      expect(written.includes('parameters')).toBe(false);
      expect(written.includes('flux-studio')).toBe(false);
      expect(readImageParameters(written).source).toBeNull();
    }
  });
});

const VENV = path.join(os.homedir(), '.cache', 'flux-studio');
const python = (() => {
  try {
    const v = fs.readdirSync(VENV).find((d) => d.startsWith('pod-venv-') && fs.existsSync(path.join(VENV, d, '.complete')));
    const py = v ? path.join(VENV, v, 'bin', 'python') : null;
    return py && spawnSync(py, ['-c', 'import PIL'], { encoding: 'utf8' }).status === 0 ? py : null;
  } catch {
    return null;
  }
})();

describe.skipIf(!python)('Pillow reads what we write (cross-check)', () => {
  test('PNG parameters in im.info; JPEG/WebP UserComment as UNICODE + UTF-16BE', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meta-pil-'));
    const files = {
      png: path.join(dir, 'a.png'),
      jpg: path.join(dir, 'a.jpg'),
      webp: path.join(dir, 'a.webp'),
    };
    fs.writeFileSync(files.png, embedMetadata(await basePng(), PARAMS, { version: '0.1.0' }));
    fs.writeFileSync(files.jpg, embedMetadata(await baseJpeg(), PARAMS, { version: '0.1.0' }));
    fs.writeFileSync(files.webp, embedMetadata(await baseWebp(), PARAMS, { version: '0.1.0' }));
    const script = [
      'import json, sys',
      'from PIL import Image',
      'out = {}',
      'im = Image.open(sys.argv[1]); im.load()',
      'out["png"] = im.info.get("parameters"); out["png_record"] = json.loads(im.info["flux-studio"])["prompt"]',
      'for k in ("jpg", "webp"):',
      '    im = Image.open(sys.argv[2 if k == "jpg" else 3]); im.load()',
      '    uc = im.getexif().get_ifd(0x8769)[0x9286]',
      '    assert uc[:8] == b"UNICODE\\0", uc[:8]',
      '    out[k] = uc[8:].decode("utf_16_be")',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync(python!, ['-c', script, files.png, files.jpg, files.webp], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, string>;
    const text = readImageParameters(fs.readFileSync(files.png)).parametersText;
    expect(out.png).toBe(text);
    expect(out.png_record).toBe(PARAMS.prompt);
    expect(out.jpg).toBe(text);
    expect(out.webp).toBe(text);
  });
});
