// Test plumbing for the local runtime: the ONNX fixtures (tiny FLUX-schnell/-dev,
// SD-Turbo and SDXL-Turbo exports with diffusers' reference outputs, built by scripts/onnx-fixtures.sh and
// cached) and the inference worker bundled the way electron-vite bundles
// out/main/local-worker.js (CommonJS, dependencies external).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { GenerateParams } from '../../../src-main/generation/local/pipeline';
import { REPO_ROOT } from '../../helpers/studio';

let fixturesDir: string | null = null;

/** DIR with DIR/<model>/onnx, DIR/<model>/reference/cases.json and DIR/schedules.json. */
export function onnxFixtures(): string {
  if (fixturesDir) return fixturesDir;
  // For working on the runtime against an already built folder.
  const preset = process.env.FLUX_STUDIO_ONNX_FIXTURES;
  if (preset) return (fixturesDir = preset);
  const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'onnx-fixtures.sh')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 30 * 60_000,
  });
  const dir = out.trim().split('\n').filter(Boolean).at(-1) ?? '';
  if (!dir || !fs.existsSync(path.join(dir, 'schedules.json'))) throw new Error(`scripts/onnx-fixtures.sh printed ${JSON.stringify(out.slice(-300))}, not a fixtures folder`);
  fixturesDir = dir;
  return dir;
}

export const FIXTURE_MODELS = ['flux-schnell', 'flux-dev', 'sd-turbo', 'sdxl-turbo'] as const;
export type FixtureModel = (typeof FIXTURE_MODELS)[number];

export interface TensorRef {
  file: string;
  shape: number[];
  dtype: string;
}

export interface ReferenceCase {
  name?: string;
  prompt: string;
  seed: number;
  steps: number;
  width: number;
  height: number;
  guidance: number | null;
  max_sequence_length?: number | null;
  tensors: Record<string, TensorRef>;
  sigmas?: number[];
  timesteps?: number[];
  image?: string;
  [k: string]: unknown;
}

export function referenceCases(model: FixtureModel): { dir: string; cases: ReferenceCase[] } {
  const dir = path.join(onnxFixtures(), model, 'reference');
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8')) as unknown;
  const cases = (Array.isArray(raw) ? raw : ((raw as { cases?: unknown }).cases ?? [])) as ReferenceCase[];
  return { dir, cases };
}

/** A raw little-endian tensor of a case. */
export function readTensor(refDir: string, t: TensorRef): Float32Array | BigInt64Array | Int32Array {
  const buf = fs.readFileSync(path.resolve(refDir, t.file));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  if (t.dtype === 'float32') return new Float32Array(ab);
  if (t.dtype === 'int64') return new BigInt64Array(ab);
  if (t.dtype === 'int32') return new Int32Array(ab);
  throw new Error(`unsupported dtype ${t.dtype}`);
}

let workerFile: string | null = null;

/** The worker bundled once per test process (like out/main/local-worker.js). */
export function builtWorker(): string {
  if (workerFile) return workerFile;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-worker-'));
  const outfile = path.join(outdir, 'local-worker.js');
  buildSync({
    entryPoints: [path.join(REPO_ROOT, 'src-main', 'generation', 'local', 'onnx-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['onnxruntime-node', 'sharp', '@huggingface/tokenizers', 'entities'],
    nodePaths: [path.join(REPO_ROOT, 'node_modules')],
    logLevel: 'error',
  });
  // Resolve the externals from the checkout's node_modules.
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
  workerFile = outfile;
  return outfile;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

let optimumDir: string | null = null;

/**
 * DIR with DIR/<model>/onnx (exported by the real `optimum-cli export onnx`) and DIR/<model>-fp16/onnx
 * (the same, converted to fp16 weights and I/O), DIR/optimum.json; built by scripts/onnx-optimum-fixtures.sh
 * from the tiny pipelines of onnxFixtures(), whose references they are checked against.
 */
export function optimumFixtures(): string {
  if (optimumDir) return optimumDir;
  const preset = process.env.FLUX_STUDIO_OPTIMUM_FIXTURES;
  if (preset) return (optimumDir = preset);
  const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'onnx-optimum-fixtures.sh')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 40 * 60_000,
  });
  const dir = out.trim().split('\n').filter(Boolean).at(-1) ?? '';
  if (!dir || !fs.existsSync(path.join(dir, 'optimum.json'))) throw new Error(`scripts/onnx-optimum-fixtures.sh printed ${JSON.stringify(out.slice(-300))}, not a fixtures folder`);
  optimumDir = dir;
  return dir;
}

/** The generation a diffusers reference case ran, from the same initial latents. */
export function caseRequest(model: FixtureModel, refDir: string, c: ReferenceCase): GenerateParams {
  return {
    prompt: c.prompt,
    steps: c.steps,
    width: c.width,
    height: c.height,
    guidance: c.guidance,
    seed: c.seed,
    maxSequenceLength: c.max_sequence_length ?? null,
    initialLatents: readTensor(refDir, c.tensors.initial_latents!) as Float32Array,
    initialLatentsPacked: model.startsWith('flux'),
  };
}

/** A generated image against the reference PNG: the share of channels within 1/255, the worst and the mean difference. */
export async function compareToPng(r: { rgb: Uint8Array; width: number; height: number }, file: string): Promise<{ share: number; worst: number; mean: number }> {
  const png = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([r.width, r.height]).toEqual([png.info.width, png.info.height]);
  let within = 0;
  let worst = 0;
  let sum = 0;
  for (let i = 0; i < r.rgb.length; i++) {
    const d = Math.abs(r.rgb[i]! - png.data[i]!);
    worst = Math.max(worst, d);
    sum += d;
    if (d <= 1) within++;
  }
  return { share: within / r.rgb.length, worst, mean: sum / r.rgb.length };
}
