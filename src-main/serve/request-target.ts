// Parsing a request's target without ever throwing: `new URL('//', base)` and
// `decodeURIComponent('%E0%A4%A')` both throw, and one such throw inside the upgrade
// listener used to take the whole server down (issue 17).

/** The target as a URL, or null when it is not an origin-form path ("/…") or has empty segments. */
export function parseTarget(raw: string | undefined): URL | null {
  if (raw === undefined || !raw.startsWith('/')) return null;
  let url: URL;
  try {
    // Prefixing an origin (instead of passing a base) keeps "//x" a path, not a host.
    url = new URL(`http://serve.invalid${raw}`);
  } catch {
    return null;
  }
  // Empty segments ("//", "/\" which the parser turns into "//") name nothing we serve.
  return url.pathname.includes('//') ? null : url;
}

export function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** A path shortened for a log line or a message: at most `max` characters, quoted and escaped. */
export function shownPath(raw: string | undefined, max = 120): string {
  const s = raw ?? '';
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}
