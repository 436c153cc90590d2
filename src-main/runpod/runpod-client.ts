// The RunPod REST v2 client: openapi-fetch over the types generated from RunPod's published
// spec (runpod-api.d.ts, `npm run gen:runpod`), never hand-written request shapes.
// - The API key is read from the secret store on every request and added by a middleware:
//   it is never logged, never put in a URL or an argv, never returned to a caller.
// - Retries live in the fetch under openapi-fetch: 429 waits for Retry-After, 5xx and network
//   failures back off; both are bounded.
// - `unwrap` maps an answer to data or a StudioError as docs/architecture.md ("RunPod") says.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { StudioError } from '../core/studio-error';
import type { Logger } from '../logging/logger';
import type { components, paths } from './runpod-api';
import { setTimeout as wait } from 'node:timers/promises';

export type RunpodApi = Client<paths>;
export type ApiPod = components['schemas']['Pod'];
export type ApiGpuType = components['schemas']['GpuType'];
export type ApiNetworkVolume = components['schemas']['NetworkVolume'];
export type ApiCreatePod = components['schemas']['CreatePodRequest'];
export type ApiError = components['schemas']['ErrorResponse'];

export const DEFAULT_RUNPOD_API = 'https://api.runpod.io';

export interface RetryPolicy {
  /** Attempts after the first for 429, 5xx and network failures. */
  maxRetries: number;
  /** First backoff for 5xx / network (ms), doubled each attempt up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error is reported instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, initialDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

export interface RunpodClientOptions {
  baseUrl: string;
  /** The key in effect (RUNPOD_API_KEY or the secret store), read per request; null: none set. */
  apiKey(): string | null;
  log: Logger;
  retry?: Partial<RetryPolicy>;
}

/** No capacity for this GPU type / cloud: the create loop tries the next candidate. */
export class NoCapacityError extends StudioError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

/** 402: the account has no balance. Create and start stop at once and say so. */
export class NoBalanceError extends StudioError {
  constructor(detail: string) {
    super('forbidden', `RunPod says the account has no balance left (402${detail ? `: ${detail}` : ''}). Add funds on runpod.io → Billing, then try again.`);
  }
}

const NO_KEY = 'No RunPod API key: set one in Settings → Secrets (runpod) or the RUNPOD_API_KEY environment variable.';

/** Waits ms, or rejects with an AbortError when the signal fires (node:timers/promises). */
function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return wait(ms, undefined, signal ? { signal } : undefined);
}

/** Retry-After in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const s = Number(value.trim());
  if (Number.isFinite(s) && s >= 0) return Math.round(s * 1000);
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** A fetch that retries 429 (after Retry-After), 5xx and network failures, bounded. */
export function retryingFetch(policy: RetryPolicy, log: Logger, inner: (req: Request) => Promise<Response> = (r) => fetch(r)) {
  return async (request: Request): Promise<Response> => {
    let delay = policy.initialDelayMs;
    const what = `${request.method} ${new URL(request.url).pathname}`;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= policy.maxRetries;
      let res: Response;
      try {
        res = await inner(request.clone());
      } catch (err) {
        if (request.signal.aborted || (err as Error).name === 'AbortError' || last) throw err;
        log.info(`runpod: ${what}: ${(err as Error).message}; retrying in ${delay} ms (${attempt + 1}/${policy.maxRetries})`);
        await sleep(delay, request.signal);
        delay = Math.min(policy.maxDelayMs, delay * 2);
        continue;
      }
      if (res.status === 429 && !last) {
        const wait = retryAfterMs(res.headers.get('retry-after')) ?? delay;
        if (wait > policy.maxRetryAfterMs) return res;
        await res.body?.cancel().catch(() => undefined);
        log.info(`runpod: ${what}: rate limited (429); waiting ${wait} ms as Retry-After says (${attempt + 1}/${policy.maxRetries})`);
        await sleep(wait, request.signal);
        delay = Math.min(policy.maxDelayMs, delay * 2);
        continue;
      }
      if (res.status >= 500 && !last) {
        await res.body?.cancel().catch(() => undefined);
        log.info(`runpod: ${what}: ${res.status}; retrying in ${delay} ms (${attempt + 1}/${policy.maxRetries})`);
        await sleep(delay, request.signal);
        delay = Math.min(policy.maxDelayMs, delay * 2);
        continue;
      }
      return res;
    }
  };
}

export function createRunpodClient(o: RunpodClientOptions): RunpodApi {
  const policy = { ...DEFAULT_RETRY, ...o.retry };
  const client = createClient<paths>({ baseUrl: o.baseUrl.replace(/\/+$/, ''), fetch: retryingFetch(policy, o.log) });
  const auth: Middleware = {
    onRequest({ request }) {
      const key = o.apiKey();
      if (!key) throw new StudioError('unavailable', NO_KEY);
      request.headers.set('Authorization', `Bearer ${key}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** RunPod's 400 "no capacity" is told apart from other 400s only by its detail. */
export function isNoCapacity(detail: string): boolean {
  return /capacity|no longer any instances|no (gpu|machine|instance)s? (are |is )?available|not enough (free )?gpus|out of stock|not available/i.test(detail);
}

function problem(error: unknown): { title: string; detail: string; errors: string[] } {
  const e = (error ?? {}) as Partial<ApiError>;
  return { title: typeof e.title === 'string' ? e.title : '', detail: typeof e.detail === 'string' ? e.detail : typeof error === 'string' ? error : '', errors: Array.isArray(e.errors) ? e.errors.filter((x): x is string => typeof x === 'string') : [] };
}

/**
 * The answer's data, or the StudioError its status means (docs/architecture.md, "RunPod"):
 * 401/403 key or scope (forbidden), 402 no balance, 400 no capacity (NoCapacityError) or a
 * broken rule (upstream), 404 not_found, 409 invalid transition (conflict), 422 our bug
 * (internal, with detail), 429 still limited after retries, 5xx still failing (upstream).
 */
export function unwrap<T>(r: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (r.response.ok) return r.data as T;
  throw toStudioError(r.response.status, r.error, what, r.response.headers);
}

export function toStudioError(status: number, error: unknown, what: string, headers?: Headers): StudioError {
  const p = problem(error);
  const detail = p.detail || p.title || `HTTP ${status}`;
  switch (status) {
    case 401:
      return new StudioError('forbidden', `RunPod refused the API key (401) while trying to ${what}: set a valid key in Settings → Secrets (runpod) or RUNPOD_API_KEY.`);
    case 403:
      return new StudioError('forbidden', `The RunPod API key may not ${what} (403: ${detail}). Give the key read/write access to pods (runpod.io → Settings → API Keys), or check that the pool is open to your account.`);
    case 402:
      return new NoBalanceError(p.detail);
    case 400:
      return isNoCapacity(detail) ? new NoCapacityError(`RunPod has no capacity to ${what}: ${detail}`) : new StudioError('upstream', `RunPod refused to ${what} (400): ${detail}`);
    case 404:
      return new StudioError('not_found', `RunPod: not found while trying to ${what} (${detail}).`);
    case 409:
      return new StudioError('conflict', `RunPod cannot ${what} now (409: ${detail}).`);
    case 422:
      return new StudioError('internal', `The studio sent RunPod a request it rejects (422) while trying to ${what}: ${[detail, ...p.errors].join('; ')}. This is our bug: please report it with this message.`);
    case 429: {
      const wait = retryAfterMs(headers?.get('retry-after') ?? null);
      return new StudioError('upstream', `RunPod is rate limiting the studio (429) while trying to ${what}${wait !== null ? `; it asks to wait ${Math.ceil(wait / 1000)} s` : ''}. Try again later.`);
    }
    default:
      return new StudioError('upstream', `RunPod answered ${status} while trying to ${what}: ${detail}. Try again in a minute.`);
  }
}

/** A network failure (no answer at all) as a StudioError; other errors pass through. */
export function networkError(err: unknown, what: string): unknown {
  if (err instanceof StudioError) return err;
  const e = err as Error;
  if (e?.name === 'AbortError') return err;
  return new StudioError('network', `Could not reach RunPod to ${what}: ${e?.message ?? String(err)}.`);
}
