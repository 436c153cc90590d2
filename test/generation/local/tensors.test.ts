// The fp16 boundary (src-main/generation/local/tensors.ts): IEEE half conversion as numpy does it.
import { describe, expect, test } from 'vitest';
import { feed, fromHalfBits, readFloats, toHalfBits } from '../../../src-main/generation/local/tensors';
import * as ort from 'onnxruntime-node';

describe('float16 conversion', () => {
  test('every half value survives half → float → half (all 65536 bit patterns but NaN)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalfBits(h);
      if (Number.isNaN(v)) continue;
      expect(toHalfBits(v), `0x${h.toString(16)}`).toBe(h);
    }
  });

  test('known values, round half to even, overflow, subnormals', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00); // rounds up to Inf, as numpy
    expect(toHalfBits(1e9)).toBe(0x7c00);
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(2 ** -26)).toBe(0x0000);
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to the even mantissa (1).
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(fromHalfBits(0x3555)).toBeCloseTo(0.33325, 5);
    expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true);
  });

  test('feed() gives each graph type its own tensor; readFloats() gives float32 back', () => {
    const data = Float32Array.from([0, 1.5, 2, 3]);
    const io = (type: string) => ({ name: 'x', type, shape: [4] });
    const half = feed(io('float16'), data, [4]);
    expect(half.type).toBe('float16');
    expect(Array.from(readFloats(half, 'x'))).toEqual([0, 1.5, 2, 3]);
    expect(feed(io('int64'), data, [4]).data).toEqual(BigInt64Array.from([0n, 2n, 2n, 3n]));
    expect(feed(io('int32'), data, [4]).data).toEqual(Int32Array.from([0, 2, 2, 3]));
    expect(feed(io('float32'), data, [4]).data).toBe(data);
    expect(() => feed(io('bfloat16'), data, [4])).toThrow(/cannot feed a bfloat16 input/);
    expect(() => readFloats(new ort.Tensor('int64', BigInt64Array.from([1n]), [1]), 'y')).toThrow(/expected a float tensor, got int64/);
  });
});
