// The boundary between the pipeline's float32 arithmetic and each graph's own input and
// output types (docs/local-runtime.md, "Exports"). Exporters choose types differently:
// optimum writes FLUX's img_ids/txt_ids as int64, fp16 exports take and give float16 tensors,
// some UNets take an integer timestep. The pipeline computes in float32 and converts here,
// once per feed, to the type the graph declares; outputs come back as float32.
// onnxruntime-node 1.30 carries float16 tensors as raw IEEE half bits in a Uint16Array (or a
// Float16Array where the runtime has one), so the conversion is ours (round to nearest even).
import * as ort from 'onnxruntime-node';
import type { IoInfo } from './onnx-header';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** One float32 value → IEEE 754 half bits, rounding to nearest even (as numpy's astype(float16)). */
export function toHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    // Subnormal half (or zero).
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rest > mid || (rest === mid && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // Round to nearest even; a carry into the exponent is the correct next value (up to Inf).
  return sign | (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

/** IEEE 754 half bits → the float32 value (exact). */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function toHalf(data: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = toHalfBits(data[i]!);
  return out;
}

export function fromHalf(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = fromHalfBits(bits[i]!);
  return out;
}

/** Element types the pipeline can feed a float role with (converted here). */
export const FEEDABLE_FLOAT = ['float32', 'float16'] as const;
/** Integer-valued float roles (FLUX position ids): optimum exports them as int64. */
export const FEEDABLE_IDS = ['float32', 'float16', 'int64', 'int32'] as const;

/** A tensor of the graph input's own type from float32 values (integers are rounded). */
export function feed(io: IoInfo, data: Float32Array, dims: readonly number[]): ort.Tensor {
  switch (io.type) {
    case 'float32':
      return new ort.Tensor('float32', data, dims);
    case 'float16':
      return new ort.Tensor('float16', toHalf(data), dims);
    case 'float64':
      return new ort.Tensor('float64', Float64Array.from(data), dims);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(data, (v) => BigInt(Math.round(v))), dims);
    case 'int32':
      return new ort.Tensor('int32', Int32Array.from(data, (v) => Math.round(v)), dims);
    default:
      throw new Error(`${io.name}: the pipeline cannot feed a ${io.type} input`);
  }
}

/** A graph output as float32 values, whatever float type the graph gives. */
export function readFloats(t: ort.OnnxValue | undefined, what: string): Float32Array {
  if (!t || !(t instanceof ort.Tensor)) throw new Error(`${what}: expected a tensor`);
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') {
    const d = t.data as ArrayLike<number>;
    // Uint16Array holds the raw half bits; a Float16Array (newer runtimes) holds the values.
    return d instanceof Uint16Array ? fromHalf(d) : Float32Array.from(d);
  }
  if (t.type === 'float64') return Float32Array.from(t.data as Float64Array);
  throw new Error(`${what}: expected a float tensor, got ${t.type}`);
}
