// One-shot fault injection for the local RunPod server: the next request matching a method and
// path answers with the given status and RunPod's error shape, so a test can check how the
// client handles 402, 403, 429 (Retry-After), 500 and 503.

export interface FaultSpec {
  status: number;
  /** Seconds, sent as `Retry-After` (integer seconds on this API). */
  retryAfter?: number;
  detail?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

interface Fault extends FaultSpec {
  method: string;
  path: string | RegExp;
  left: number;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function titleOf(status: number): string {
  return TITLES[status] ?? 'Error';
}

const DEFAULT_DETAILS: Record<number, string> = {
  402: 'Insufficient balance: add funds to your account to deploy or resume pods.',
  403: 'Your API key does not have permission for this request.',
  429: 'Rate limit exceeded. Retry after the time given in Retry-After.',
  500: 'Internal server error.',
  503: 'Service temporarily unavailable.',
};

/** `pattern` is an exact path, a path with `*` wildcards (one segment each), or a RegExp. */
function matches(pattern: string | RegExp, path: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(path);
  if (!pattern.includes('*')) return pattern === path;
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+') + '$');
  return re.test(path);
}

export class FaultTable {
  private faults: Fault[] = [];

  add(method: string, path: string | RegExp, spec: FaultSpec): void {
    this.faults.push({ ...spec, method: method.toUpperCase(), path, left: spec.times ?? 1 });
  }

  /** The fault for this request, consumed; undefined when none applies. */
  take(method: string, path: string): { status: number; retryAfter?: number; detail: string } | undefined {
    const i = this.faults.findIndex((f) => f.left > 0 && f.method === method.toUpperCase() && matches(f.path, path));
    if (i < 0) return undefined;
    const f = this.faults[i] as Fault;
    f.left -= 1;
    if (f.left <= 0) this.faults.splice(i, 1);
    return { status: f.status, retryAfter: f.retryAfter, detail: f.detail ?? DEFAULT_DETAILS[f.status] ?? titleOf(f.status) };
  }

  pending(): number {
    return this.faults.reduce((n, f) => n + f.left, 0);
  }
}
