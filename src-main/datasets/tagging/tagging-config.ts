// configs/tagging.yaml: tagger thresholds, the Claude model, instruction, concurrency and
// retries, the downscale size, the confirmation threshold and the price table the cost
// estimate uses. The user's copy in <dataDir>/tagging.yaml wins when it exists.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { StudioError } from '../../core/studio-error';

const Price = z.object({ input: z.number().min(0), output: z.number().min(0) }).strict();

export const TaggingConfig = z
  .object({
    tagger: z
      .object({
        generalThreshold: z.number().min(0).max(1),
        characterThreshold: z.number().min(0).max(1),
        includeRating: z.boolean(),
        underscoresToSpaces: z.boolean(),
      })
      .strict(),
    claude: z
      .object({
        model: z.string().min(1),
        maxTokens: z.number().int().min(16).max(2048),
        concurrency: z.number().int().min(1).max(16),
        maxRetries: z.number().int().min(0).max(20),
        longSide: z.number().int().min(64).max(1568),
        jpegQuality: z.number().int().min(1).max(100),
        instruction: z.string().trim().min(1),
        /** First backoff after a 529/5xx/connection error, doubled per retry with jitter. */
        backoffBaseMs: z.number().int().min(1).max(60_000).default(1000),
        backoffMaxMs: z.number().int().min(1).max(600_000).default(30_000),
        /** Longest retry-after honoured. */
        maxRetryAfterMs: z.number().int().min(0).max(600_000).default(120_000),
        timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
      })
      .strict(),
    confirmAboveUsd: z.number().min(0),
    prices: z.record(z.string(), Price),
  })
  .strict();
export type TaggingConfig = z.infer<typeof TaggingConfig>;

/** The config file in effect: the user's copy, else the shipped one. */
export function taggingConfigFile(dataDir: string, resourcesDir: string): string {
  const user = path.join(dataDir, 'tagging.yaml');
  return fs.existsSync(user) ? user : path.join(resourcesDir, 'configs', 'tagging.yaml');
}

export function loadTaggingConfig(file: string): TaggingConfig {
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StudioError('unavailable', `The tagging settings file ${file} could not be read: ${(err as Error).message}`);
  }
  const parsed = TaggingConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StudioError('unavailable', `The tagging settings file ${file} is invalid at ${issue?.path.join('.') || '(file)'}: ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}

/** Tokens Anthropic counts for an image of w×h pixels (as sent): ≈ w·h/750. */
export function imageTokens(width: number, height: number): number {
  return Math.ceil((width * height) / 750);
}

/** Text tokens, roughly: 4 characters a token. */
export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The size an image is sent at: the long side brought down to `longSide` (never up). */
export function downscaledSize(width: number, height: number, longSide: number): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= longSide) return { width, height };
  const k = longSide / long;
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

export interface CostInput {
  model: string;
  /** Sizes of the images to send, before downscaling. */
  sizes: ReadonlyArray<{ width: number; height: number }>;
  skipped: number;
  /** The instruction as sent (trigger substituted). */
  instruction: string;
  maxTokens: number;
  longSide: number;
  prices: TaggingConfig['prices'];
  confirmAboveUsd: number;
}

/** Per image, the instruction plus the message framing (role, image block): a few tokens. */
export const FRAMING_TOKENS = 10;

export function estimateCost(input: CostInput) {
  let img = 0;
  for (const s of input.sizes) {
    const d = downscaledSize(s.width, s.height, input.longSide);
    img += imageTokens(d.width, d.height);
  }
  const n = input.sizes.length;
  const text = n * (textTokens(input.instruction) + FRAMING_TOKENS);
  const output = n * input.maxTokens;
  const price = input.prices[input.model] ?? null;
  const usd = price ? round6(((img + text) * price.input + output * price.output) / 1_000_000) : null;
  return {
    model: input.model,
    images: n,
    skipped: input.skipped,
    imageTokens: img,
    textTokens: text,
    outputTokens: output,
    inputPrice: price?.input ?? null,
    outputPrice: price?.output ?? null,
    usd,
    confirmAboveUsd: input.confirmAboveUsd,
    needsConfirmation: usd === null ? n > 0 : usd >= input.confirmAboveUsd,
  };
}

/** Cost of tokens actually used, or null for an unpriced model. */
export function usageCost(prices: TaggingConfig['prices'], model: string, inputTokens: number, outputTokens: number): number | null {
  const price = prices[model];
  return price ? round6((inputTokens * price.input + outputTokens * price.output) / 1_000_000) : null;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
