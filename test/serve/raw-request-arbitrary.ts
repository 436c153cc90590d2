// Malformed and hostile raw HTTP requests for fuzzing serve (test/serve/serve-fuzz.test.ts,
// bench/serve-bench.mjs): request targets built from awkward fragments, any method, Host and
// Origin from ours and others, junk or valid credentials, broken cookies, Sec-Fetch-*
// headers, WebSocket upgrades with and without the auth subprotocol. Bodies always match
// their Content-Length (a short body would only wait for the server's timeout).
import fc from 'fast-check';
import { authProtocol, EVENTS_PROTOCOL } from '@shared/serve-protocol';

const FRAGMENTS = [
  '', '/', '//', '\\', '.', '..', '%', '%2e', '%2f', '%5c', '%00', '%E0%A4%A', '%ff', '?', '#', ';', '@', ':', '~',
  'api', 'call', 'media', 'events', 'upload', 'output', 'thumbs', 'datasets', 'source', 'assets', 'index.html',
  'settings.get', 'datasets.list', 'x.jpg', '..dots.png', 'CON.png', '\u202e', 'é', '😀', 'token=', 'exp=1&sig=00',
];

export function rawRequestArbitrary(port: number, token: string): fc.Arbitrary<Buffer> {
  const ours = `127.0.0.1:${port}`;
  const target = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 8 }), fc.constantFrom('/', '')).map(([parts, sep]) => '/' + parts.join(sep)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('/api/call/', '/media/', '/api/upload/', '/'), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 3 })).map(([root, parts]) => root + parts.join('/')) },
    { weight: 3, arbitrary: fc.constantFrom('/api/call/settings.get', '/api/events', '/media/output/x.jpg', '/api/upload/up-fuzz-0001?file=a.jpg&offset=0', '/', '//', '///', '/\\') },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => '/' + encodeURI(s)) },
    { weight: 1, arbitrary: fc.constantFrom('*', 'http://127.0.0.1/', 'evil.example:80', '/' + 'a'.repeat(5000)) },
  );
  const method = fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'BREW');
  // Each header is mostly absent or benign, sometimes hostile, so requests reach past the guards too.
  const header = (name: string, benign: string[], hostile: string[]) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('', ...benign.map((v) => `${name}: ${v}\r\n`)) },
      { weight: 1, arbitrary: fc.constantFrom(...hostile.map((v) => `${name}: ${v}\r\n`)) },
    );
  const headers = fc.tuple(
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(`Host: ${ours}\r\n`, `Host: localhost:${port}\r\n`) }, { weight: 1, arbitrary: header('Host', [], ['evil.example', `attacker.test:${port}`, '', '127.0.0.1']) }),
    header('Origin', [`http://${ours}`], ['http://127.0.0.1:1', 'https://evil.example', 'null', '']),
    header('Authorization', [`Bearer ${token}`], ['Bearer wrong', 'Bearer ', 'Basic Zm9vOmJhcg==', `Bearer ${token}x`]),
    header('Cookie', ['a=b'], [`flux_studio_token=${token}`, 'flux_studio_token=%E0%A4%A', 'flux_studio_token', ';;;=', 'a=b; flux_studio_token=%']),
    header('Sec-Fetch-Site', ['same-origin', 'none'], ['same-site', 'cross-site', 'junk']),
    header('Sec-Fetch-Mode', ['navigate', 'cors'], ['no-cors', 'websocket']),
    header('Content-Type', ['application/json', 'application/octet-stream'], ['text/plain', 'multipart/form-data; boundary=x']),
  );
  const upgrade = fc.option(
    fc
      .tuple(fc.constantFrom(EVENTS_PROTOCOL, `${EVENTS_PROTOCOL}, ${authProtocol(token)}`, `${EVENTS_PROTOCOL}, ${authProtocol('wrong-wrong-wrong-wrong')}`, 'flux-studio.auth.%%%', ''), fc.boolean())
      .map(([proto, key]) => `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n${key ? 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' : ''}${proto ? `Sec-WebSocket-Protocol: ${proto}\r\n` : ''}`),
    { nil: '' },
  );
  const body = fc.oneof(fc.constant(''), fc.constant('{}'), fc.json({ maxDepth: 2 }), fc.string({ maxLength: 200 }));
  return fc.tuple(method, target, headers, upgrade, body).map(([m, t, hs, up, b]) => {
    const bytes = Buffer.from(b, 'utf8');
    const head = `${m} ${t} HTTP/1.1\r\n${hs.join('')}${up}${up ? '' : 'Connection: close\r\n'}Content-Length: ${bytes.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'utf8'), bytes]);
  });
}
