// Who may talk to serve at all, checked before anything else (auth, routing): the Host must
// be one we serve (a DNS-rebinding page has a foreign Host), an Origin must be ours, and the
// browser's Sec-Fetch-Site must not show another site. A page on another port of the same
// host is "same-site" (cookies and SameSite do not separate ports): such requests are
// refused unless they are a top-level navigation, which carries no credential.
import type http from 'node:http';

export interface ServedHosts {
  /** "host:port" values a request's Host header may have. */
  hosts: ReadonlySet<string>;
  /** "http://host:port" values an Origin header may have. */
  origins: ReadonlySet<string>;
}

export function servedHosts(bindHost: string, port: number): ServedHosts {
  const names = new Set([bindHost, '127.0.0.1', 'localhost', '::1']);
  const hosts = new Set([...names].map((h) => `${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`));
  return { hosts, origins: new Set([...hosts].map((h) => `http://${h}`)) };
}

/** Why the request is refused (403), or null when it comes from our own page or a non-browser client. */
export function siteRefusal(headers: http.IncomingHttpHeaders, served: ServedHosts): string | null {
  const host = headers.host ?? '';
  if (!served.hosts.has(host)) return `unexpected Host ${JSON.stringify(host.slice(0, 80))}`;
  const origin = headers.origin;
  if (origin !== undefined && !served.origins.has(origin)) return `cross-origin request from ${JSON.stringify(origin.slice(0, 80))}`;
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site') return 'cross-site request';
  if (site === 'same-site' && headers['sec-fetch-mode'] !== 'navigate') return 'request from another site on this host (another port)';
  return null;
}
