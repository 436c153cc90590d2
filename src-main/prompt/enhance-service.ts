// Claude prompt enhancement: one Messages API call through the official SDK, with the
// system prompt from configs/prompts/enhance.txt and the chosen mode's instruction from
// configs/prompts/modes.yaml (both user-editable, read on every request). The answer is
// cleaned of quotes and preambles and, when asked, trimmed to CLIP's limit; the caller
// shows it beside the original. Every failure is a StudioError a user can act on; nothing
// falls back silently, and the API key never appears in a message or a log line.
import fs from 'node:fs';
import path from 'node:path';
import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AnthropicError,
  AuthenticationError,
  PermissionDeniedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import YAML from 'yaml';
import { z } from 'zod';
import { ENHANCE_MODES, type EnhanceMode, type EnhanceResult, type Settings, type TokenCount } from '@shared/contract';
import { StudioError } from '../core/studio-error';
import type { Logger } from '../logging/logger';

export const MISSING_KEY_MESSAGE = 'No Anthropic API key. Set it in Settings → API keys, or set ANTHROPIC_API_KEY.';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 2;
/** The Messages API version that still accepts `temperature` (see enhance()). */
export const SAMPLING_API_VERSION = '2023-06-01';

export interface TrimResult {
  /** The text cut to CLIP's limit at a token boundary (the text itself when it fits). */
  trimmed: string;
  wasTrimmed: boolean;
  /** CLIP tokens of the whole text (not of `trimmed`). */
  count: number;
  /** false when no CLIP tokenizer data exists (then nothing can be cut); `reason` says why. */
  available?: boolean;
  reason?: string | null;
}

/** What clipTrimmer needs of the TokenService: its count() answer (contract TokenCount). */
export interface ClipCounter {
  count(text: string): Pick<TokenCount, 'available' | 'reason' | 'count' | 'fits' | 'trimmed'>;
}

/** EnhanceServiceDeps.trimToClip from the TokenService: the whole text's count, and the prefix that fits. */
export function clipTrimmer(tokens: ClipCounter): (text: string) => TrimResult {
  return (text) => {
    const c = tokens.count(text);
    return { trimmed: c.trimmed, wasTrimmed: c.available && !c.fits, count: c.count, available: c.available, reason: c.reason };
  };
}

export interface EnhanceServiceDeps {
  /** The Anthropic key in effect (environment over the store), or null. */
  getKey: () => string | null;
  settings: () => Settings;
  /** The system prompt file to use now: the user's copy if there is one, else the shipped one. */
  systemPromptFile: () => string;
  /** The modes file to use now (same rule); see configs/prompts/modes.yaml. */
  modesFile: () => string;
  /** CLIP token count of a text and its longest prefix that fits the limit (see clipTrimmer). */
  trimToClip: (text: string) => TrimResult;
  /** API base URL (ANTHROPIC_BASE_URL, for proxies and tests); the SDK's default otherwise. */
  baseURL?: string;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  /** Retries of 429, 5xx, timeouts and connection failures, done by the SDK. Default 2. */
  maxRetries?: number;
  log: Logger;
}

export interface EnhanceRequest {
  prompt: string;
  mode?: EnhanceMode;
  /** Default: Settings.enhanceTrimToClip. */
  trimToClip?: boolean;
}

/**
 * Where the prompt files live: `<dataDir>/prompts/<name>` when the user made one, else the
 * shipped `<resourcesDir>/configs/prompts/<name>`. Checked on every call, so creating or
 * deleting the user's copy takes effect at once.
 */
export function promptFiles(dataDir: string, resourcesDir: string): { systemPromptFile: () => string; modesFile: () => string } {
  const pick = (name: string) => () => {
    const user = path.join(dataDir, 'prompts', name);
    return fs.existsSync(user) ? user : path.join(resourcesDir, 'configs', 'prompts', name);
  };
  return { systemPromptFile: pick('enhance.txt'), modesFile: pick('modes.yaml') };
}

const ModeEntry = z.object({ label: z.string().min(1), instruction: z.string().trim().min(1, 'must not be empty') }).strict();
const ModesFile = z.object(Object.fromEntries(ENHANCE_MODES.map((m) => [m, ModeEntry])) as Record<EnhanceMode, typeof ModeEntry>);
export type ModesFile = z.infer<typeof ModesFile>;

export function loadModes(file: string): ModesFile {
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StudioError('unavailable', `The enhancement modes file ${file} could not be read: ${describeCause(err)}. Fix it, or delete your copy to use the default.`);
  }
  const parsed = ModesFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(file)';
    throw new StudioError('unavailable', `The enhancement modes file ${file} is invalid at ${where}: ${issue?.message ?? 'invalid'}. Fix it, or delete your copy to use the default.`);
  }
  return parsed.data;
}

export function loadSystemPrompt(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new StudioError('unavailable', `The enhancement system prompt ${file} could not be read: ${describeCause(err)}.`);
  }
  if (text === '') throw new StudioError('unavailable', `The enhancement system prompt ${file} is empty. Write one, or delete your copy to use the default.`);
  return text;
}

/** The system prompt sent for a mode: the file's text, a blank line, the mode's instruction. */
export function buildSystemPrompt(base: string, modes: ModesFile, mode: EnhanceMode): string {
  return `${base.trim()}\n\n${modes[mode].instruction.trim()}`;
}

const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ["'", "'"],
  ['`', '`'],
  ['“', '”'],
  ['‘', '’'],
  ['«', '»'],
  ['„', '“'],
];

// "Here is the enhanced prompt:", "Sure! Here's a more detailed version:", "Prompt:",
// "Enhanced prompt -". Only at the very start, and only up to the first colon on the line.
const PREAMBLE =
  /^(?:(?:sure|certainly|of course|okay|ok|absolutely)[!,.]?\s+)?(?:(?:here(?:'s|’s| is| are)\b[^:\n]{0,100}:)|(?:(?:an?\s+|the\s+)?(?:enhanced|rewritten|improved|expanded|revised|refined|new|final|updated)?\s*(?:flux\s+)?prompt\s*(?::|-|–|—)))\s*/i;

/**
 * The model's answer as a prompt: code fences, a leading "Here is…:" or "Prompt:", and
 * surrounding quotes or backticks removed, whitespace collapsed to single spaces.
 */
export function cleanAnswer(text: string): string {
  let out = text.trim();
  for (let guard = 0; guard < 8; guard++) {
    const before = out;
    // ```text\n…\n```
    const fence = /^```[\w-]*\s*\n?([\s\S]*?)\n?\s*```$/.exec(out);
    if (fence) out = (fence[1] ?? '').trim();
    out = out.replace(PREAMBLE, '').trim();
    for (const [open, close] of QUOTE_PAIRS) {
      if (out.length >= 2 && out.startsWith(open) && out.endsWith(close)) {
        out = out.slice(open.length, out.length - close.length).trim();
        break;
      }
    }
    if (out === before) break;
  }
  return out.replace(/\s+/g, ' ').trim();
}

function describeCause(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

/** The innermost useful reason of a fetch failure: "connect ECONNREFUSED 127.0.0.1:9", not "fetch failed". */
function connectionCause(err: unknown): string {
  const seen = new Set<unknown>();
  let best: string | null = null;
  let cur: unknown = err instanceof Error ? err.cause : undefined;
  while (cur instanceof Error && !seen.has(cur)) {
    seen.add(cur);
    const code = (cur as NodeJS.ErrnoException).code;
    const message = cur.message && cur.message !== 'fetch failed' ? cur.message : null;
    if (message) best = code && !message.includes(code) ? `${message} (${code})` : message;
    else if (code) best = code;
    // AggregateError (happy eyeballs: several addresses refused)
    const inner = (cur as { errors?: unknown[] }).errors;
    cur = cur.cause ?? (Array.isArray(inner) ? inner[0] : undefined);
  }
  return best ?? 'connection failed';
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

/** Retry-After as whole seconds (delta seconds or an HTTP date), or null when absent or unreadable. */
function retryAfterSeconds(headers: Headers | undefined): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.max(1, Math.ceil(Number(ms) / 1000));
  const value = headers?.get('retry-after');
  if (!value) return null;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return Math.max(1, Math.ceil(n));
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - Date.now()) / 1000));
  return null;
}

function apiDetail(err: APIError): string {
  // The body's error.message; for a body that is not Anthropic's error JSON, the SDK's
  // message ("502 <body text>") without the status it starts with.
  const message = err.apiMessage ?? err.message.replace(/^\d{3}\s*/, '');
  const text = message.replace(/\s+/g, ' ').trim().replace(/\.+$/, '') || 'no message';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function withRequestId(message: string, err: APIError): string {
  return err.requestID ? `${message} (request ${err.requestID})` : message;
}

export class EnhanceService {
  private client: { key: string; instance: Anthropic } | null = null;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;

  constructor(private readonly deps: EnhanceServiceDeps) {
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = deps.maxRetries ?? DEFAULT_MAX_RETRIES;
  }

  async enhance(req: EnhanceRequest): Promise<EnhanceResult> {
    const settings = this.deps.settings();
    const mode = req.mode ?? 'balanced';
    const trim = req.trimToClip ?? settings.enhanceTrimToClip;
    const key = this.deps.getKey();
    if (!key) throw new StudioError('unavailable', MISSING_KEY_MESSAGE);

    // Trimming needs the CLIP tokenizer: find out before the prompt is sent, not after.
    if (trim) {
      const probe = this.deps.trimToClip(req.prompt);
      if (probe.available === false) {
        throw new StudioError(
          'unavailable',
          `Cannot trim the answer to CLIP's 75 tokens: ${probe.reason ?? 'no CLIP tokenizer data'}. Turn off "trim to CLIP", or set a CLIP tokenizer folder in Settings.`,
        );
      }
    }
    const system = buildSystemPrompt(loadSystemPrompt(this.deps.systemPromptFile()), loadModes(this.deps.modesFile()), mode);
    const model = settings.enhanceModel;
    const started = performance.now();
    this.deps.log.info(`enhancing a prompt with ${model} (${mode})`);

    // `temperature` left the SDK's typed parameters in 1.0, with API version 2026-10-21,
    // which rejects sampling parameters outright. The studio keeps the user's temperature
    // (0.7 by default, as the original workflow used), so this one request says
    // SAMPLING_API_VERSION, which accepts it on the models that support sampling; the reply
    // to a plain text request has the same shape in both versions.
    const params: Anthropic.MessageCreateParamsNonStreaming & { temperature: number } = {
      model,
      max_tokens: settings.enhanceMaxTokens,
      temperature: settings.enhanceTemperature,
      system,
      messages: [{ role: 'user', content: req.prompt }],
    };
    let answer: unknown;
    try {
      answer = await this.getClient(key).messages.create(params, { headers: { 'anthropic-version': SAMPLING_API_VERSION } });
    } catch (err) {
      const mapped = this.mapError(err, model);
      const safe = new StudioError(mapped.code, this.redact(mapped.message, key), mapped.field);
      this.deps.log.warn(`enhance failed: ${safe.message}`);
      throw safe;
    }

    const enhanced = this.readAnswer(answer, key);
    const elapsedMs = Math.round(performance.now() - started);
    const clip = this.deps.trimToClip(enhanced);
    const result: EnhanceResult = {
      original: req.prompt,
      enhanced,
      trimmed: trim ? clip.trimmed : enhanced,
      wasTrimmed: trim && clip.wasTrimmed,
      tokenCount: clip.count,
      model,
      mode,
      elapsedMs,
    };
    const counted = clip.available === false ? 'CLIP tokens not counted (no tokenizer data)' : `${clip.count} CLIP tokens${result.wasTrimmed ? ', trimmed to the limit' : ''}`;
    this.deps.log.info(`enhanced in ${elapsedMs} ms: ${counted}`);
    return result;
  }

  private getClient(key: string): Anthropic {
    if (this.client?.key === key) return this.client.instance;
    const log = this.deps.log.child('sdk');
    const instance = new Anthropic({
      apiKey: key,
      // null: only what the studio was given; the SDK would otherwise read ANTHROPIC_BASE_URL itself.
      baseURL: this.deps.baseURL ?? null,
      timeout: this.timeoutMs,
      maxRetries: this.maxRetries,
      // The SDK's own lines (retries, failures) go to the studio log, never to stdout.
      logLevel: 'info',
      logger: {
        error: (message: string) => log.error(message),
        warn: (message: string) => log.warn(message),
        info: (message: string) => log.debug(message),
        debug: (message: string) => log.debug(message),
      },
    });
    this.client = { key, instance };
    return instance;
  }

  private redact(text: string, key: string): string {
    return key.length >= 4 ? text.split(key).join('[redacted]') : text;
  }

  private readAnswer(answer: unknown, key: string): string {
    const unreadable = () => new StudioError('upstream', "Anthropic's answer could not be read (it is not a Messages API reply). Try again; if this keeps happening, check ANTHROPIC_BASE_URL or your proxy.");
    if (typeof answer !== 'object' || answer === null) throw unreadable();
    const { content, stop_reason: stopReason } = answer as { content?: unknown; stop_reason?: unknown };
    if (!Array.isArray(content)) throw unreadable();
    const texts = content
      .filter((b): b is { type: 'text'; text: string } => typeof b === 'object' && b !== null && (b as { type?: unknown }).type === 'text' && typeof (b as { text?: unknown }).text === 'string')
      .map((b) => b.text);
    if (stopReason === 'refusal') {
      throw new StudioError('upstream', 'Claude returned no usable prompt (it declined to rewrite this one). Edit the prompt, or use it as it is.');
    }
    if (texts.length === 0) {
      const kinds = content.map((b) => (typeof b === 'object' && b !== null ? String((b as { type?: unknown }).type) : typeof b));
      const what = kinds.length === 0 ? 'the answer was empty' : `no text in the answer, only ${[...new Set(kinds)].join(', ')}`;
      throw new StudioError('upstream', `Claude returned no usable prompt (${what}). Try again.`);
    }
    const cleaned = cleanAnswer(texts.join('\n'));
    if (cleaned === '') throw new StudioError('upstream', 'Claude returned no usable prompt (the answer was blank once quotes and preamble were removed). Try again.');
    if (stopReason === 'max_tokens') this.deps.log.debug('the answer reached max_tokens and may be cut short; raise enhanceMaxTokens to allow longer answers');
    return this.redact(cleaned, key);
  }

  private mapError(err: unknown, model: string): StudioError {
    if (err instanceof StudioError) return err;
    // Order matters: the timeout class extends the connection class, which extends APIError.
    if (err instanceof APIConnectionTimeoutError) {
      const tries = this.maxRetries + 1;
      return new StudioError(
        'network',
        `Anthropic did not answer within ${seconds(this.timeoutMs)} s${tries > 1 ? ` (${tries} attempts)` : ''}. Check your connection, or try again later.`,
      );
    }
    if (err instanceof APIConnectionError) {
      return new StudioError('network', `Could not reach Anthropic at ${this.host()}: ${connectionCause(err)}. Check your internet connection or proxy.`);
    }
    if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
      return new StudioError(
        'upstream',
        withRequestId(`Anthropic rejected the API key (${err.status}): ${apiDetail(err)}. Check the key in Settings → API keys (or ANTHROPIC_API_KEY).`, err),
      );
    }
    if (err instanceof RateLimitError) {
      const wait = retryAfterSeconds(err.headers);
      const when = wait === null ? 'try again in a minute' : `try again in ${wait} s`;
      return new StudioError('upstream', withRequestId(`Rate limited by Anthropic (429); ${when}. Anthropic said: ${apiDetail(err)}`, err));
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      const status = err.type ? `${err.status} ${err.type}` : String(err.status);
      if (err.status >= 500) {
        return new StudioError('upstream', withRequestId(`Anthropic had a server error (${status}): ${apiDetail(err)}. Try again in a moment.`, err));
      }
      const hint =
        /temperature/i.test(err.apiMessage ?? '')
          ? ` The model "${model}" does not accept a temperature; choose another enhancement model in Settings.`
          : err.status === 400 || err.status === 404
            ? ` Check the enhancement model ("${model}") and limits in Settings.`
            : '';
      return new StudioError('upstream', withRequestId(`Anthropic refused the request (${status}): ${apiDetail(err)}.${hint}`, err));
    }
    if (err instanceof SyntaxError) {
      return new StudioError('upstream', "Anthropic's answer could not be read (the body is not valid JSON). Try again; if this keeps happening, check ANTHROPIC_BASE_URL or your proxy.");
    }
    if (err instanceof AnthropicError) {
      return new StudioError('upstream', `The Anthropic client failed: ${err.message}`);
    }
    throw err;
  }

  private host(): string {
    try {
      return new URL(this.deps.baseURL ?? 'https://api.anthropic.com').host;
    } catch {
      return 'the configured address';
    }
  }
}
