// The WD14 tagger pieces against hand-computed values and the real ONNX Runtime running
// the tiny generated model (real signature: input NHWC [N,448,448,3] BGR 0–255, output
// [N, tags] already sigmoid).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  DEFAULT_TAGGER_OPTIONS,
  formatTag,
  mcutThreshold,
  parseSelectedTags,
  preprocess,
  selectTags,
  Wd14Tagger,
  type TagEntry,
} from '../../../src-main/datasets/tagging/wd14';
import { REPO_ROOT, tempDir } from '../../helpers/studio';
import { expectedProbs, solid, tinyTaggerDir, TINY_TAGGER_TIMEOUT_MS, TINY_TAGS } from './tiny-tagger';

let taggerDir: string;
let work: string;

beforeAll(() => {
  taggerDir = tinyTaggerDir();
  work = tempDir('flux-tagger-');
}, TINY_TAGGER_TIMEOUT_MS);

describe('preprocess', () => {
  test('composites alpha on white, pads to a centred white square, keeps 0–255, BGR order (hand-computed pixels)', async () => {
    // 2×1 RGBA: pixel (0,0) red at alpha 51/255 (0.2), pixel (1,0) opaque (10, 20, 30).
    const raw = Buffer.from([255, 0, 0, 51, 10, 20, 30, 255]);
    const file = path.join(work, 'two.png');
    await sharp(raw, { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(file);
    // Square side 2 = the target size: no resize, so every value is exact.
    const t = await preprocess(file, 2);
    expect(t).toHaveLength(2 * 2 * 3);
    const px = (x: number, y: number) => Array.from(t.slice((y * 2 + x) * 3, (y * 2 + x) * 3 + 3));
    // 0.2·(255,0,0) + 0.8·(255,255,255) = (255, 204, 204), as B,G,R:
    expect(px(0, 0)).toEqual([204, 204, 255]);
    expect(px(1, 0)).toEqual([30, 20, 10]);
    // Padding: (2-1)/2 floors to 0 rows above, so the second row is white.
    expect(px(0, 1)).toEqual([255, 255, 255]);
    expect(px(1, 1)).toEqual([255, 255, 255]);
  });

  test('a tall image is padded left and right, centred', async () => {
    // 1×3 black column padded to 3×3: columns 0 and 2 white, column 1 black.
    const file = path.join(work, 'column.png');
    await sharp(Buffer.alloc(3 * 3, 0), { raw: { width: 1, height: 3, channels: 3 } }).png().toFile(file);
    const t = await preprocess(file, 3);
    for (let y = 0; y < 3; y++) {
      expect(Array.from(t.slice((y * 3 + 0) * 3, (y * 3 + 0) * 3 + 3))).toEqual([255, 255, 255]);
      expect(Array.from(t.slice((y * 3 + 1) * 3, (y * 3 + 1) * 3 + 3))).toEqual([0, 0, 0]);
      expect(Array.from(t.slice((y * 3 + 2) * 3, (y * 3 + 2) * 3 + 3))).toEqual([255, 255, 255]);
    }
  });

  test('matches the PIL reference (imgutils-style, pod venv) on a padded, half-transparent 900×600 image', async () => {
    const w = 900;
    const h = 600;
    const raw = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 4;
        raw[o] = Math.floor((x * 255) / w);
        raw[o + 1] = Math.floor((y * 255) / h);
        raw[o + 2] = (x >> 3) % 2 === (y >> 3) % 2 ? 220 : 30; // 8-px checkerboard: real detail to resample
        raw[o + 3] = x < 150 ? 96 : 255;
      }
    }
    const file = path.join(work, 'parity.png');
    await sharp(raw, { raw: { width: w, height: h, channels: 4 } }).png().toFile(file);
    const out = path.join(work, 'parity.f32');
    const venv = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'pod-venv.sh')], { encoding: 'utf8' }).trim();
    execFileSync(path.join(venv, 'bin', 'python'), [path.join(REPO_ROOT, 'native', 'fixtures', 'tagger', 'preprocess_ref.py'), file, '448', out]);
    const buf = fs.readFileSync(out);
    const ref = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const got = await preprocess(file, 448);
    expect(got.length).toBe(ref.length);
    const diffs = Array.from(got, (v, i) => Math.abs(v - ref[i]!)).sort((a, b) => a - b);
    const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
    // libvips' and PIL's bicubic (both a = -0.5, antialiased when shrinking) differ only in rounding at edges.
    expect(mean).toBeLessThan(0.5);
    expect(diffs[Math.floor(diffs.length * 0.99)]).toBeLessThanOrEqual(2);
    // The padding rows (white) and the alpha composite agree exactly away from edges.
    expect(Array.from(got.slice(0, 3))).toEqual(Array.from(ref.slice(0, 3)));
  });

  test('resizes to the model side; a flat colour stays that colour', async () => {
    const file = await solid(path.join(work, 'flat.png'), [200, 100, 50], 100, 100);
    const t = await preprocess(file, 448);
    expect(t).toHaveLength(448 * 448 * 3);
    expect(Array.from(t.slice(0, 3))).toEqual([50, 100, 200]);
    expect(Array.from(t.slice(t.length - 3))).toEqual([50, 100, 200]);
  });
});

describe('tags', () => {
  const tags: TagEntry[] = [
    { name: 'general', category: 9 },
    { name: 'sensitive', category: 9 },
    { name: 'long_hair', category: 0 },
    { name: 'smile', category: 0 },
    { name: '^_^', category: 0 },
    { name: 'hatsune_miku', category: 4 },
    { name: 'blue_sky', category: 0 },
  ];
  const probs = [0.2, 0.7, 0.9, 0.36, 0.5, 0.86, 0.34];

  test('selected_tags.csv: columns by name, quoted fields, row order is the index', () => {
    const parsed = parseSelectedTags('tag_id,name,category,count\r\n1,long_hair,0,5\r\n2,"a, ""b""",4,1\r\n');
    expect(parsed).toEqual([
      { name: 'long_hair', category: 0 },
      { name: 'a, "b"', category: 4 },
    ]);
    expect(() => parseSelectedTags('id,tag\n1,x\n')).toThrow(/name.*category/);
  });

  test('thresholds per category, rating excluded by default, ordered by confidence, underscores to spaces except emoticons', () => {
    const out = selectTags(probs, tags, DEFAULT_TAGGER_OPTIONS);
    expect(out.map((t) => t.tag)).toEqual(['long hair', 'hatsune miku', '^_^', 'smile']);
    expect(out.map((t) => t.score)).toEqual([0.9, 0.86, 0.5, 0.36]);
  });

  test('raised general threshold, lowered character threshold, rating included (argmax only)', () => {
    const out = selectTags(probs, tags, { ...DEFAULT_TAGGER_OPTIONS, generalThreshold: 0.6, characterThreshold: 0.9, includeRating: true });
    expect(out.map((t) => t.tag)).toEqual(['long hair', 'sensitive']);
  });

  test('MCut: the midpoint of the largest gap per image; characters at least 0.15', () => {
    expect(mcutThreshold([0.1, 0.9, 0.2, 0.85])).toBeCloseTo(0.525, 10);
    expect(mcutThreshold([0.4])).toBeNull();
    // general [0.9, 0.36, 0.5, 0.34] → gap 0.9|0.5 → 0.7; one character → its fixed threshold (0.85) stays.
    expect(selectTags(probs, tags, { ...DEFAULT_TAGGER_OPTIONS, mcut: true }).map((t) => t.tag)).toEqual(['long hair', 'hatsune miku']);
    const chars: TagEntry[] = [
      { name: 'a', category: 4 },
      { name: 'b', category: 4 },
      { name: 'c', category: 0 },
    ];
    // characters [0.1, 0.05] → mcut 0.075, raised to 0.15: none; the general tag alone keeps 0.35.
    expect(selectTags([0.1, 0.05, 0.4], chars, { ...DEFAULT_TAGGER_OPTIONS, mcut: true }).map((t) => t.tag)).toEqual(['c']);
    expect(selectTags([0.3, 0.05, 0.4], chars, { ...DEFAULT_TAGGER_OPTIONS, mcut: true }).map((t) => t.tag)).toEqual(['c', 'a']);
  });

  test('underscores kept when asked; blacklist matches with or without underscores, any case; maxTags', () => {
    const out = selectTags(probs, tags, { ...DEFAULT_TAGGER_OPTIONS, underscoresToSpaces: false, blacklist: ['Long Hair', 'smile'] });
    expect(out.map((t) => t.tag)).toEqual(['hatsune_miku', '^_^']);
    expect(selectTags(probs, tags, { ...DEFAULT_TAGGER_OPTIONS, maxTags: 2 }).map((t) => t.tag)).toEqual(['long hair', 'hatsune miku']);
    expect(formatTag('>_<', true)).toBe('>_<');
    expect(formatTag('blue_sky', true)).toBe('blue sky');
  });
});

describe('Wd14Tagger on the tiny model (ONNX Runtime, CPU)', () => {
  test('reads size, names and batch from the session', async () => {
    const tagger = await Wd14Tagger.load(taggerDir);
    try {
      expect(tagger.info).toMatchObject({ size: 448, inputName: 'input', outputName: 'output', tags: TINY_TAGS.length, batch: 8, provider: 'cpu' });
    } finally {
      await tagger.release();
    }
  });

  test('probabilities match the model formula per image in one batch (BGR order matters: red is red)', async () => {
    const colours: Array<readonly [number, number, number]> = [
      [255, 0, 0],
      [0, 0, 255],
      [0, 255, 230],
      [255, 255, 255],
    ];
    const tagger = await Wd14Tagger.load(taggerDir);
    try {
      const inputs = await Promise.all(colours.map(async (c, i) => preprocess(await solid(path.join(work, `c${i}.png`), c), 448)));
      const out = await tagger.predict(inputs);
      expect(out).toHaveLength(4);
      colours.forEach((c, i) => {
        const want = expectedProbs(c[0] / 255, c[1] / 255, c[2] / 255);
        Array.from(out[i]!).forEach((p, k) => expect(p).toBeCloseTo(want[k]!, 4));
      });
      const names = (i: number) => selectTags(out[i]!, tagger.tags, DEFAULT_TAGGER_OPTIONS).map((t) => t.tag);
      expect(names(0)).toEqual(['red background', '^_^', 'simple background']);
      expect(names(1)).toEqual(['blue background', 'simple background']);
      expect(names(2)).toEqual(['hatsune miku', 'green background', 'blue background', 'simple background']);
      expect(names(3)).toEqual(['white background', 'simple background']);
    } finally {
      await tagger.release();
    }
  });

  test('a non-square image is padded with white before the model sees it', async () => {
    // 448×224 pure red: half the square is white, so the mean is (1, 0.5, 0.5).
    const file = await solid(path.join(work, 'wide.png'), [255, 0, 0], 448, 224);
    const tagger = await Wd14Tagger.load(taggerDir);
    try {
      const [p] = await tagger.predict([await preprocess(file, 448)]);
      const want = expectedProbs(1, 0.5, 0.5);
      // float32 sums over 448² pixels in the model: agree to 2 decimals (without the padding the mean would be (1, 0, 0)).
      Array.from(p!).forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 2));
    } finally {
      await tagger.release();
    }
  });

  test('v2 exports: other input/output names and a batch fixed at 1 are read from the session', async () => {
    const tagger = await Wd14Tagger.load(path.join(taggerDir, 'v2'));
    try {
      expect(tagger.info).toMatchObject({ size: 448, inputName: 'input_1:0', outputName: 'predictions_sigmoid', batch: 1 });
      const [p] = await tagger.predict([await preprocess(await solid(path.join(work, 'v2-red.png'), [255, 0, 0]), 448)]);
      expect(selectTags(p!, tagger.tags, DEFAULT_TAGGER_OPTIONS).map((t) => t.tag)).toEqual(['red background', '^_^', 'simple background']);
    } finally {
      await tagger.release();
    }
  });

  test('a folder without the model files is refused with what to choose', async () => {
    await expect(Wd14Tagger.load(work)).rejects.toThrow(/has no model\.onnx or selected_tags\.csv/);
    const broken = tempDir('flux-tagger-broken-');
    fs.copyFileSync(path.join(taggerDir, 'model.onnx'), path.join(broken, 'model.onnx'));
    fs.writeFileSync(path.join(broken, 'selected_tags.csv'), 'tag_id,name,category,count\n1,a,0,1\n');
    await expect(Wd14Tagger.load(broken)).rejects.toThrow(/lists 1 tags but the model outputs 14/);
  });
});
