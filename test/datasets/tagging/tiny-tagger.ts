// The tiny WD14-style tagger built by native/fixtures/tagger/make_tagger.py (via
// scripts/tiny-tagger.sh, cached by the generator's hash), and the same model's formula in
// TypeScript so tests know which tags an image of a given mean colour gets.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT } from '../../helpers/studio';

/** How long the first build may take: it may have to create the pod venv (torch from PyPI). */
export const TINY_TAGGER_TIMEOUT_MS = 20 * 60_000;

export function tinyTaggerDir(): string {
  return execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'tiny-tagger.sh')], { encoding: 'utf8', timeout: TINY_TAGGER_TIMEOUT_MS }).trim();
}

/** name, category, (coef r, coef g, coef b, bias): a copy of TAGS in make_tagger.py. */
export const TINY_TAGS: ReadonlyArray<readonly [string, number, readonly [number, number, number, number]]> = [
  ['general', 9, [0, 0, 0, 1]],
  ['sensitive', 9, [6, 0, 0, -3]],
  ['questionable', 9, [0, 0, 0, -3]],
  ['explicit', 9, [0, 0, 0, -5]],
  ['red_background', 0, [12, -6, -6, -3]],
  ['green_background', 0, [-6, 12, -6, -3]],
  ['blue_background', 0, [-6, -6, 12, -3]],
  ['^_^', 0, [8, -8, -8, -2]],
  ['white_background', 0, [8, 8, 8, -20]],
  ['dark', 0, [-6, -6, -6, 3]],
  ['simple_background', 0, [0, 0, 0, 0]],
  ['looking_at_viewer', 0, [0, 0, 0, -1]],
  ['hatsune_miku', 4, [-6, 12, 12, -18]],
  ['kagamine_rin', 4, [0, 0, 0, 1]],
];

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The model's probabilities for mean colour (r, g, b) in 0..1. */
export function expectedProbs(r: number, g: number, b: number): number[] {
  return TINY_TAGS.map(([, , [cr, cg, cb, c0]]) => sigmoid(cr * r + cg * g + cb * b + c0));
}

/** A solid-colour image file. */
export async function solid(file: string, rgb: readonly [number, number, number], width = 64, height = 64, format: 'png' | 'jpeg' = 'png'): Promise<string> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  await (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toFile(file);
  return file;
}
