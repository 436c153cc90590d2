// A WD14 / wd-v3 style tagger (SmilingWolf's ONNX exports): a folder with `model.onnx` and
// `selected_tags.csv`, run with onnxruntime-node. Preprocessing follows deepghs/imgutils'
// `_prepare_image_for_tagging` (the taggers' reference implementation): alpha composited onto white, RGB, padded to a
// centred white square, bicubic resize to the model's side (read from the session), values
// kept 0–255, RGB→BGR, NHWC float32 with a batch dimension. The output is already sigmoid.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { StudioError } from '../../core/studio-error';

export const TAG_CATEGORY = { general: 0, character: 4, rating: 9 } as const;

export interface TagEntry {
  name: string;
  category: number;
}

export interface TaggerOptions {
  /** Minimum probability for general tags (category 0). Default 0.35. */
  generalThreshold: number;
  /** Minimum probability for character tags (category 4). Default 0.85. */
  characterThreshold: number;
  /** Add the most likely rating tag (category 9, argmax). Default false. */
  includeRating: boolean;
  /** `long_hair` → `long hair` (emoticons such as `^_^` are kept). Default true. */
  underscoresToSpaces: boolean;
  /** Tags never written (compared with and without underscores, any case). */
  blacklist: readonly string[];
  /** At most this many tags (highest first); null for no limit. */
  maxTags: number | null;
  /**
   * MCut instead of the fixed thresholds: per image, split the sorted probabilities at the
   * largest gap (characters: at least 0.15). Default false.
   */
  mcut?: boolean;
}

export const DEFAULT_TAGGER_OPTIONS: TaggerOptions = {
  generalThreshold: 0.35,
  characterThreshold: 0.85,
  includeRating: false,
  underscoresToSpaces: true,
  blacklist: [],
  maxTags: null,
};

/** imgutils' list of emoticons whose underscores are part of the tag. */
export const KAOMOJIS: ReadonlySet<string> = new Set([
  '0_0', '(o)_(o)', '+_+', '+_-', '._.', '<o>_<o>', '<|>_<|>', '=_=', '>_<', '3_3', '6_9', '>_o', '@_@', '^_^', 'o_o', 'u_u', 'x_x', '|_|', '||_||',
]);

/** The largest batch sent at once to a model with a dynamic batch dimension. */
export const MAX_BATCH = 8;

/** Splits one CSV line (RFC 4180 quoting). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Reads `selected_tags.csv` (tag_id,name,category,count; the row order is the output index). */
export function parseSelectedTags(text: string, file = 'selected_tags.csv'): TagEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = csvFields(lines[0] ?? '').map((h) => h.trim());
  const nameCol = header.indexOf('name');
  const catCol = header.indexOf('category');
  if (nameCol < 0 || catCol < 0) {
    throw new StudioError('invalid_input', `${file} has no "name" and "category" columns (expected tag_id,name,category,count). Is this a WD14 tagger folder?`, 'dir');
  }
  return lines.slice(1).map((line, i) => {
    const f = csvFields(line);
    const name = f[nameCol];
    const category = Number(f[catCol]);
    if (!name || !Number.isInteger(category)) throw new StudioError('invalid_input', `${file} line ${i + 2} is not tag_id,name,category,count.`, 'dir');
    return { name, category };
  });
}

/** `long_hair` → `long hair`; emoticons such as `^_^` stay as they are. */
export function formatTag(name: string, underscoresToSpaces: boolean): string {
  if (!underscoresToSpaces || KAOMOJIS.has(name)) return name;
  return name.replace(/_/g, ' ');
}

function blacklistKey(tag: string): string {
  return tag.trim().toLowerCase().replace(/_/g, ' ');
}

/** MCut (Largeron et al.): the midpoint of the largest gap between sorted probabilities; null with fewer than two. */
export function mcutThreshold(probs: readonly number[]): number | null {
  if (probs.length < 2) return null;
  const sorted = [...probs].sort((a, b) => b - a);
  let best = 0;
  for (let i = 1; i < sorted.length - 1; i++) if (sorted[i]! - sorted[i + 1]! > sorted[best]! - sorted[best + 1]!) best = i;
  return (sorted[best]! + sorted[best + 1]!) / 2;
}

export interface ScoredTag {
  tag: string;
  category: number;
  score: number;
}

/**
 * The tags of one image from its probabilities: general over its threshold, characters over
 * theirs, the top rating when asked, minus the blacklist, highest probability first.
 */
export function selectTags(probs: ArrayLike<number>, tags: readonly TagEntry[], opts: TaggerOptions): ScoredTag[] {
  const banned = new Set(opts.blacklist.map(blacklistKey));
  let generalThreshold = opts.generalThreshold;
  let characterThreshold = opts.characterThreshold;
  if (opts.mcut) {
    const of = (cat: number) => tags.flatMap((t, k) => (t.category === cat ? [probs[k] ?? 0] : []));
    generalThreshold = mcutThreshold(of(TAG_CATEGORY.general)) ?? generalThreshold;
    const c = mcutThreshold(of(TAG_CATEGORY.character));
    characterThreshold = c === null ? characterThreshold : Math.max(0.15, c);
  }
  const picked: ScoredTag[] = [];
  let rating: ScoredTag | null = null;
  for (let k = 0; k < tags.length; k++) {
    const t = tags[k]!;
    const score = probs[k] ?? 0;
    if (t.category === TAG_CATEGORY.rating) {
      if (!rating || score > rating.score) rating = { tag: t.name, category: t.category, score };
      continue;
    }
    const threshold = t.category === TAG_CATEGORY.character ? characterThreshold : generalThreshold;
    if (score >= threshold) picked.push({ tag: t.name, category: t.category, score });
  }
  if (opts.includeRating && rating) picked.push(rating);
  const out = picked
    .filter((t) => !banned.has(blacklistKey(t.tag)))
    .sort((a, b) => b.score - a.score)
    .map((t) => ({ ...t, tag: formatTag(t.tag, opts.underscoresToSpaces) }));
  return opts.maxTags !== null ? out.slice(0, opts.maxTags) : out;
}

/**
 * One image as the model wants it: RGB composited on white, padded to a centred white
 * square, bicubic-resized to `size`, 0–255, BGR, HWC (size*size*3 floats).
 */
export async function preprocess(input: string | Buffer, size: number): Promise<Float32Array> {
  const white = { r: 255, g: 255, b: 255, alpha: 1 };
  const flat = await sharp(input, { failOn: 'error' })
    .rotate()
    .flatten({ background: white })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = flat.info;
  const side = Math.max(w, h);
  const top = Math.floor((side - h) / 2);
  const left = Math.floor((side - w) / 2);
  let square: Buffer = flat.data;
  if (w !== h) {
    square = await sharp(flat.data, { raw: { width: w, height: h, channels: 3 } })
      .extend({ top, bottom: side - h - top, left, right: side - w - left, background: white })
      .raw()
      .toBuffer();
  }
  const resized =
    side === size
      ? square
      : await sharp(square, { raw: { width: side, height: side, channels: 3 } }).resize(size, size, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer();
  const out = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    out[i * 3] = resized[i * 3 + 2]!; // B
    out[i * 3 + 1] = resized[i * 3 + 1]!; // G
    out[i * 3 + 2] = resized[i * 3]!; // R
  }
  return out;
}

export interface TaggerInfo {
  dir: string;
  size: number;
  inputName: string;
  outputName: string;
  /** Largest batch sent at once (1 when the model's batch dimension is fixed at 1). */
  batch: number;
  tags: number;
  provider: string;
}

/** The folder's files, checked; a StudioError a user can act on otherwise. */
export function taggerFiles(dir: string): { model: string; csv: string } {
  const model = path.join(dir, 'model.onnx');
  const csv = path.join(dir, 'selected_tags.csv');
  const missing = [model, csv].filter((f) => !fs.existsSync(f)).map((f) => path.basename(f));
  if (missing.length > 0) {
    throw new StudioError(
      'invalid_input',
      `The tagger folder ${dir} has no ${missing.join(' or ')}. Choose a folder with model.onnx and selected_tags.csv (e.g. SmilingWolf/wd-swinv2-tagger-v3).`,
      'dir',
    );
  }
  return { model, csv };
}

/** A loaded tagger: one ONNX Runtime session for a whole job. */
export class Wd14Tagger {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly tags: readonly TagEntry[],
    readonly info: TaggerInfo,
  ) {}

  static async load(dir: string, opts: { providers?: readonly string[] } = {}): Promise<Wd14Tagger> {
    const files = taggerFiles(dir);
    const tags = parseSelectedTags(fs.readFileSync(files.csv, 'utf8'));
    const providers = [...(opts.providers ?? ['cpu'])];
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(files.model, { executionProviders: providers, graphOptimizationLevel: 'all' });
    } catch (err) {
      throw new StudioError('invalid_input', `ONNX Runtime could not load ${files.model}: ${(err as Error).message}`, 'dir');
    }
    const inputName = session.inputNames[0];
    const outputName = session.outputNames[0];
    const meta = session.inputMetadata[0];
    const shape = meta && meta.isTensor ? meta.shape : [];
    if (!inputName || !outputName || shape.length !== 4 || shape[3] !== 3) {
      await session.release();
      throw new StudioError('invalid_input', `${files.model} is not a WD14-style tagger: expected one NHWC input [N,S,S,3], found ${JSON.stringify(shape)}.`, 'dir');
    }
    const size = typeof shape[1] === 'number' && shape[1] > 0 ? shape[1] : 448;
    const outMeta = session.outputMetadata[0];
    const outShape = outMeta && outMeta.isTensor ? outMeta.shape : [];
    const outTags = outShape[1];
    if (typeof outTags === 'number' && outTags !== tags.length) {
      await session.release();
      throw new StudioError('invalid_input', `${files.csv} lists ${tags.length} tags but the model outputs ${outTags}; the two files do not belong together.`, 'dir');
    }
    const batchDim = shape[0];
    const batch = typeof batchDim === 'number' && batchDim > 0 ? Math.min(batchDim, MAX_BATCH) : MAX_BATCH;
    return new Wd14Tagger(session, tags, { dir, size, inputName, outputName, batch, tags: tags.length, provider: providers[0] ?? 'cpu' });
  }

  /** Probabilities per image for already preprocessed images (one batch of at most info.batch). */
  async predict(images: readonly Float32Array[]): Promise<Float32Array[]> {
    const { size, inputName, outputName } = this.info;
    const n = images.length;
    const data = new Float32Array(n * size * size * 3);
    images.forEach((img, i) => data.set(img, i * size * size * 3));
    const out = await this.session.run({ [inputName]: new ort.Tensor('float32', data, [n, size, size, 3]) });
    const tensor = out[outputName];
    if (!tensor) throw new Error(`the model gave no ${outputName} output`);
    const probs = tensor.data as Float32Array;
    const per = probs.length / n;
    if (per !== this.tags.length) throw new Error(`the model gave ${per} scores per image for ${this.tags.length} tags`);
    return Array.from({ length: n }, (_, i) => probs.subarray(i * per, (i + 1) * per));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
