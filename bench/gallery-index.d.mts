// Types for bench/gallery-index.mjs (imported by the TypeScript browser specs).
import type { Database } from 'better-sqlite3';

export function createRand(seed: number): { rand: () => number; pick: <T>(xs: readonly T[]) => T };
export const VOCAB: {
  subjects: string[];
  styles: string[];
  details: string[];
  negatives: (string | null)[];
  models: string[];
  tagPool: string[];
  runtimes: (string | null)[];
  sizes: [number, number][];
};
export const DATE_SPAN: { end: number; span: number };
export function thumbPathsOf(hash: string): { small: string; large: string };
export function makeTexturedJpegs(opts: {
  dir: string;
  count: number;
  size: number;
  rand: () => number;
  sharp: unknown;
}): Promise<{ file: string; hash: string }[]>;
export function buildSyntheticIndex(opts: {
  db: Database;
  inputs: string;
  jpegs?: { file: string; hash: string }[] | null;
  rows: number;
  rand: () => number;
  links?: boolean;
}): void;
export function benchQueries(opts: { rand: () => number; count: number }): Record<string, unknown>[];
