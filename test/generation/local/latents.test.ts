// Noise, packing and ids: the pure parts of the local pipeline.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { gaussianNoise, latentImageIds, NOISE_PRNG, packLatents, philox4x32, unpackLatents } from '../../../src-main/generation/local/latents';

const hex = (ws: number[]) => ws.map((w) => w.toString(16).padStart(8, '0')).join(' ');

describe('Philox4x32-10 noise', () => {
  test('matches the Random123 known-answer vectors', () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    expect(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });

  test('same seed → identical noise; another seed → different; standard normal statistics', () => {
    expect(NOISE_PRNG).toBe('philox4x32-10+box-muller');
    const a = gaussianNoise(42, 200_001);
    const b = gaussianNoise(42, 200_001);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const c = gaussianNoise(43, 200_001);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === c[i]) same++;
    expect(same).toBeLessThan(10);
    // A prefix of a longer draw is the shorter draw.
    expect(Array.from(gaussianNoise(42, 7))).toEqual(Array.from(a.subarray(0, 7)));
    let mean = 0;
    for (const v of a) mean += v;
    mean /= a.length;
    let variance = 0;
    for (const v of a) variance += (v - mean) ** 2;
    variance /= a.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(a.every((v) => Number.isFinite(v))).toBe(true);
    expect(() => gaussianNoise(-1, 4)).toThrow(/seed/);
    expect(() => gaussianNoise(2 ** 32, 4)).toThrow(/seed/);
    expect(gaussianNoise(0xffffffff, 4).length).toBe(4);
  });

  test('streams (an ancestral sampler\'s step noise): stream 0 is the initial draw, the others are independent of it', () => {
    const base = gaussianNoise(42, 10_000);
    expect(Array.from(gaussianNoise(42, 10_000, 0))).toEqual(Array.from(base));
    const s1 = gaussianNoise(42, 10_000, 1);
    const s2 = gaussianNoise(42, 10_000, 2);
    expect(Array.from(gaussianNoise(42, 10_000, 1))).toEqual(Array.from(s1));
    let corr = 0;
    let same = 0;
    for (let i = 0; i < base.length; i++) {
      corr += base[i]! * s1[i]!;
      if (s1[i] === base[i] || s1[i] === s2[i]) same++;
    }
    expect(same).toBe(0);
    expect(Math.abs(corr / base.length)).toBeLessThan(0.05);
    expect(() => gaussianNoise(42, 4, -1)).toThrow(/stream/);
    expect(() => gaussianNoise(42, 4, 1.5)).toThrow(/stream/);
  });
});

describe('2×2 latent packing (FluxPipeline._pack_latents / _unpack_latents)', () => {
  test('unpack(pack(x)) === x exactly, for any batch, channels and even sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        (b, c, h2, w2, seed) => {
          const h = h2 * 2;
          const w = w2 * 2;
          const x = gaussianNoise(seed, b * c * h * w);
          const packed = packLatents(x, b, c, h, w);
          const back = unpackLatents(packed, b, c, h, w);
          return Buffer.from(back.buffer).equals(Buffer.from(x.buffer));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('the layout is diffusers\': packed[b][i·(w/2)+j][c·4+py·2+px] = lat[b][c][2i+py][2j+px]', () => {
    const b = 1, c = 3, h = 4, w = 6;
    const lat = Float32Array.from({ length: b * c * h * w }, (_, k) => k);
    const packed = packLatents(lat, b, c, h, w);
    const w2 = w / 2;
    for (let i = 0; i < h / 2; i++)
      for (let j = 0; j < w2; j++)
        for (let ci = 0; ci < c; ci++)
          for (let py = 0; py < 2; py++)
            for (let px = 0; px < 2; px++) {
              expect(packed[(i * w2 + j) * c * 4 + ci * 4 + py * 2 + px]).toBe(lat[(ci * h + 2 * i + py) * w + 2 * j + px]);
            }
    expect(() => packLatents(lat, 1, 3, 3, 8)).toThrow(/even/);
  });

  test('image ids are [0, i, j] row-major', () => {
    expect(Array.from(latentImageIds(2, 3))).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 1, 0, 0, 1, 1, 0, 1, 2]);
  });
});
