// The renderer's Content-Security-Policy, shared by the desktop app (app:// responses)
// and serve: only the page's own scripts, no plugins, no framing, no form posts. The
// renderer makes no network calls of its own beyond its origin (main does them).
export function rendererCsp(opts: { extraImgSources?: readonly string[] } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    ["img-src 'self'", ...(opts.extraImgSources ?? []), 'data:', 'blob:'].join(' '),
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
