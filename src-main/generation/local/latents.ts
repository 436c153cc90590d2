// Initial noise from a seed, FLUX's 2×2 latent packing and its position ids, exactly as
// diffusers' FluxPipeline (_pack_latents, _unpack_latents, _prepare_latent_image_ids).
//
// Noise: torch's CPU generator cannot be reproduced from JS at reasonable cost, so the
// studio uses its own documented generator, recorded with each image as NOISE_PRNG:
//   Philox4x32-10 (Salmon et al. 2011, the counter-based generator of numpy/cuRAND) keyed
//   with (seed, 0x464c5558 "FLUX"), counter (i, 0, 0, 0) for the i-th block of four 32-bit
//   words; each pair of words (a, b) gives two standard normals by Box–Muller:
//   u1 = (a + 0.5) / 2^32, u2 = b / 2^32, r = sqrt(−2 ln u1),
//   z0 = r·cos(2π u2), z1 = r·sin(2π u2), each rounded to float32.
// Same seed → the same latents on every platform (only IEEE double arithmetic and
// Math.log/cos/sin/sqrt, whose results V8 computes with its own portable fdlibm port).
// Further independent draws from the same seed (an ancestral sampler's noise after step i)
// use stream s = i + 1 in the counter's third word: counter (i, 0, s, 0); stream 0 is the
// initial latents.

export const NOISE_PRNG = 'philox4x32-10+box-muller';
const KEY_HI = 0x464c5558;
const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;

/** High and low 32 bits of a 32×32-bit product. */
function mulhilo(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const aH = a >>> 16;
  const aL = a & 0xffff;
  const bH = b >>> 16;
  const bL = b & 0xffff;
  const ll = aL * bL;
  const lh = aL * bH;
  const hl = aH * bL;
  const hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const hi = (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 0x10000)) >>> 0;
  return [hi, lo];
}

/** One Philox4x32-10 block: four 32-bit words for counter `ctr` and key `k`. */
export function philox4x32(ctr: readonly [number, number, number, number], key: readonly [number, number]): [number, number, number, number] {
  let [c0, c1, c2, c3] = ctr.map((x) => x >>> 0) as [number, number, number, number];
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    const [hi0, lo0] = mulhilo(PHILOX_M0, c0);
    const [hi1, lo1] = mulhilo(PHILOX_M1, c2);
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** `count` standard normals (float32) for a seed (0 … 2^32 − 1); `stream` > 0 for further independent draws. */
export function gaussianNoise(seed: number, count: number, stream = 0): Float32Array {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be 0–4294967295 (got ${seed})`);
  if (!Number.isInteger(stream) || stream < 0 || stream > 0xffffffff) throw new RangeError(`stream must be 0–4294967295 (got ${stream})`);
  const out = new Float32Array(count);
  const key: [number, number] = [seed >>> 0, KEY_HI];
  const TWO32 = 4294967296;
  let i = 0;
  for (let block = 0; i < count; block++) {
    const w = philox4x32([block >>> 0, Math.floor(block / TWO32) >>> 0, stream >>> 0, 0], key);
    for (let p = 0; p < 4 && i < count; p += 2) {
      const u1 = (w[p]! + 0.5) / TWO32;
      const u2 = w[p + 1]! / TWO32;
      const r = Math.sqrt(-2 * Math.log(u1));
      out[i++] = r * Math.cos(2 * Math.PI * u2);
      if (i < count) out[i++] = r * Math.sin(2 * Math.PI * u2);
    }
  }
  return out;
}

/**
 * `_pack_latents`: [B, C, H, W] → [B, (H/2)(W/2), C·4]:
 * packed[b][i·(W/2)+j][c·4 + py·2 + px] = lat[b][c][2i+py][2j+px].
 */
export function packLatents(lat: Float32Array, b: number, c: number, h: number, w: number): Float32Array {
  if (h % 2 !== 0 || w % 2 !== 0) throw new RangeError(`latent height and width must be even (got ${h}×${w})`);
  if (lat.length !== b * c * h * w) throw new RangeError(`latents hold ${lat.length} values, not ${b}×${c}×${h}×${w}`);
  const out = new Float32Array(lat.length);
  const h2 = h / 2;
  const w2 = w / 2;
  let o = 0;
  for (let bi = 0; bi < b; bi++) {
    for (let i = 0; i < h2; i++) {
      for (let j = 0; j < w2; j++) {
        for (let ci = 0; ci < c; ci++) {
          const base = ((bi * c + ci) * h + 2 * i) * w + 2 * j;
          out[o++] = lat[base]!;
          out[o++] = lat[base + 1]!;
          out[o++] = lat[base + w]!;
          out[o++] = lat[base + w + 1]!;
        }
      }
    }
  }
  return out;
}

/** `_unpack_latents`: the inverse of packLatents, [B, (H/2)(W/2), C·4] → [B, C, H, W]. */
export function unpackLatents(packed: Float32Array, b: number, c: number, h: number, w: number): Float32Array {
  if (h % 2 !== 0 || w % 2 !== 0) throw new RangeError(`latent height and width must be even (got ${h}×${w})`);
  if (packed.length !== b * c * h * w) throw new RangeError(`packed latents hold ${packed.length} values, not ${b}×${c}×${h}×${w}`);
  const out = new Float32Array(packed.length);
  const h2 = h / 2;
  const w2 = w / 2;
  let o = 0;
  for (let bi = 0; bi < b; bi++) {
    for (let i = 0; i < h2; i++) {
      for (let j = 0; j < w2; j++) {
        for (let ci = 0; ci < c; ci++) {
          const base = ((bi * c + ci) * h + 2 * i) * w + 2 * j;
          out[base] = packed[o++]!;
          out[base + 1] = packed[o++]!;
          out[base + w] = packed[o++]!;
          out[base + w + 1] = packed[o++]!;
        }
      }
    }
  }
  return out;
}

/** `_prepare_latent_image_ids(h/2, w/2)`: [(h/2)(w/2), 3] rows [0, i, j], row-major. */
export function latentImageIds(h2: number, w2: number): Float32Array {
  const ids = new Float32Array(h2 * w2 * 3);
  let o = 0;
  for (let i = 0; i < h2; i++) {
    for (let j = 0; j < w2; j++) {
      ids[o++] = 0;
      ids[o++] = i;
      ids[o++] = j;
    }
  }
  return ids;
}

/** FLUX text ids: zeros [L, 3]. */
export function textIds(seqLen: number): Float32Array {
  return new Float32Array(seqLen * 3);
}
