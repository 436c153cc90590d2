// Natural-language captions from Claude vision, one Messages API call per image through the
// official SDK. The image is downscaled with sharp first (long side 768, JPEG). Retries are
// done here, not by the SDK, so that they follow the rules a batch needs: a 429 waits what
// retry-after says and holds back every worker of the batch meanwhile; 529 (overloaded),
// other 5xx and connection failures back off exponentially with jitter; each image has a
// retry budget. A 400-type answer fails that image only; a rejected key or unknown model
// stops the batch (every other image would fail the same way). The key never appears in a
// message or a log line.
import Anthropic, {
  APIConnectionError,
  APIError,
  AuthenticationError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import sharp from 'sharp';
import type { Logger } from '../../logging/logger';
import { cleanAnswer } from '../../prompt/enhance-service';

export interface ClaudeCaptionerOptions {
  apiKey: string;
  /** ANTHROPIC_BASE_URL (proxies, tests); the SDK's default otherwise. */
  baseURL?: string;
  model: string;
  maxTokens: number;
  /** The instruction as sent, `[trigger]` already substituted. */
  instruction: string;
  longSide: number;
  jpegQuality: number;
  /** Retries per image after the first attempt. */
  maxRetries: number;
  /** Per attempt. Default 60 s. */
  timeoutMs?: number;
  /** First backoff for 529/5xx/connection errors; doubled per attempt, with jitter. Default 1000 ms. */
  backoffBaseMs?: number;
  /** Longest backoff. Default 30 s. */
  backoffMaxMs?: number;
  /** Longest wait honoured from retry-after. Default 120 s. */
  maxRetryAfterMs?: number;
  log: Logger;
  /** For tests: a deterministic jitter source in [0, 1). */
  random?: () => number;
}

/** A failure of one image; `fatal` ones stop the whole batch. */
export class CaptionError extends Error {
  constructor(
    message: string,
    readonly fatal: boolean,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'CaptionError';
  }
}

export interface CaptionResult {
  text: string;
  inputTokens: number;
  outputTokens: number;
  attempts: number;
  /** The size sent, after downscaling. */
  width: number;
  height: number;
}

/** Resolves after `ms`, or rejects with the signal's reason when it fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('cancelled');
}

/** Milliseconds from retry-after-ms / retry-after (seconds or an HTTP date), or null. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers?.get('retry-after');
  if (!value) return null;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return n * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(cap / 2 + (cap / 2) * random());
}

/** The image as sent: auto-oriented, long side at most `longSide`, flattened on white, JPEG. */
export async function downscaleForClaude(file: string, longSide: number, quality: number): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file, { failOn: 'error' })
    .rotate()
    .resize({ width: longSide, height: longSide, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .jpeg({ quality })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export class ClaudeCaptioner {
  private readonly client: Anthropic;
  /** No request of the batch starts before this time (set by a 429's retry-after). */
  private notBefore = 0;
  private readonly random: () => number;

  constructor(private readonly opts: ClaudeCaptionerOptions) {
    this.client = new Anthropic({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL,
      maxRetries: 0,
      timeout: opts.timeoutMs ?? 60_000,
    });
    this.random = opts.random ?? Math.random;
  }

  async caption(file: string, signal: AbortSignal): Promise<CaptionResult> {
    let image: { data: Buffer; width: number; height: number };
    try {
      image = await downscaleForClaude(file, this.opts.longSide, this.opts.jpegQuality);
    } catch (err) {
      throw new CaptionError(`could not read the image: ${(err as Error).message}`, false, 0);
    }
    const base64 = image.data.toString('base64');
    const baseMs = this.opts.backoffBaseMs ?? 1000;
    const maxMs = this.opts.backoffMaxMs ?? 30_000;
    const maxRetryAfter = this.opts.maxRetryAfterMs ?? 120_000;
    for (let attempt = 0; ; attempt++) {
      const wait = this.notBefore - Date.now();
      if (wait > 0) await sleep(wait, signal);
      try {
        const answer = await this.client.messages.create(
          {
            model: this.opts.model,
            max_tokens: this.opts.maxTokens,
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: base64 } },
                  { type: 'text', text: this.opts.instruction },
                ],
              },
            ],
          },
          { signal },
        );
        const text = cleanAnswer(
          answer.content
            .filter((b): b is Anthropic.TextBlock => b.type === 'text')
            .map((b) => b.text)
            .join('\n'),
        );
        if (text === '') throw new CaptionError('Claude answered without a caption', false, attempt + 1);
        return {
          text: this.redact(text),
          inputTokens: answer.usage?.input_tokens ?? 0,
          outputTokens: answer.usage?.output_tokens ?? 0,
          attempts: attempt + 1,
          width: image.width,
          height: image.height,
        };
      } catch (err) {
        if (signal.aborted) throw abortReason(signal);
        if (err instanceof CaptionError) throw err;
        const decision = this.classify(err);
        if (decision.kind === 'fail') throw new CaptionError(this.redact(decision.message), decision.fatal, attempt + 1);
        if (attempt >= this.opts.maxRetries) {
          throw new CaptionError(this.redact(`${decision.message}; gave up after ${attempt + 1} attempts`), false, attempt + 1);
        }
        // retry-after when the answer has one (never less than the backoff for overloads).
        const backoff = backoffMs(attempt, baseMs, maxMs, this.random);
        const told = decision.retryAfterMs === null ? null : Math.min(decision.retryAfterMs, maxRetryAfter);
        const delay = decision.rateLimited ? (told ?? backoff) : Math.max(backoff, told ?? 0);
        // A rate limit is per key, not per request: every worker of the batch waits.
        if (decision.rateLimited) this.notBefore = Math.max(this.notBefore, Date.now() + delay);
        this.opts.log.info(`${this.redact(decision.message)}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 2} of ${this.opts.maxRetries + 1})`);
        await sleep(delay, signal);
      }
    }
  }

  private classify(
    err: unknown,
  ): { kind: 'retry'; message: string; retryAfterMs: number | null; rateLimited: boolean } | { kind: 'fail'; message: string; fatal: boolean } {
    if (err instanceof RateLimitError) {
      return { kind: 'retry', message: `rate limited (429): ${detail(err)}`, retryAfterMs: retryAfterMs(err.headers), rateLimited: true };
    }
    if (err instanceof APIConnectionError) {
      return { kind: 'retry', message: `could not reach Anthropic: ${err.message}`, retryAfterMs: null, rateLimited: false };
    }
    if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
      return {
        kind: 'fail',
        fatal: true,
        message: `Anthropic rejected the API key (${err.status}): ${detail(err)}. Check the key in Settings → API keys (or ANTHROPIC_API_KEY).`,
      };
    }
    if (err instanceof NotFoundError) {
      return { kind: 'fail', fatal: true, message: `Anthropic does not know the model "${this.opts.model}" (404): ${detail(err)}. Choose another model.` };
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      if (err.status === 529 || err.status >= 500 || err.status === 408 || err.status === 409) {
        const what = err.status === 529 ? 'Anthropic is overloaded (529)' : `Anthropic had a server error (${err.status})`;
        return { kind: 'retry', message: `${what}: ${detail(err)}`, retryAfterMs: retryAfterMs(err.headers), rateLimited: false };
      }
      return { kind: 'fail', fatal: false, message: `Anthropic refused this image (${err.status}): ${detail(err)}` };
    }
    return { kind: 'fail', fatal: false, message: err instanceof Error ? err.message : String(err) };
  }

  private redact(text: string): string {
    return this.opts.apiKey ? text.split(this.opts.apiKey).join('[redacted]') : text;
  }
}

function detail(err: APIError): string {
  const text = (err.apiMessage ?? err.message.replace(/^\d{3}\s*/, '')).replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text || 'no message';
}
