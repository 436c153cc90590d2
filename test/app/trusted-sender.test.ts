import { describe, expect, test } from 'vitest';
import { APP_ORIGIN, devServerOrigin, originOf } from '../../src-main/app/origins';
import { isTrustedOrigin, isTrustedSender, type TrustedOrigins } from '../../src-main/app/trusted-sender';

const prod: TrustedOrigins = { appOrigin: APP_ORIGIN, devOrigin: null };
const dev: TrustedOrigins = { appOrigin: APP_ORIGIN, devOrigin: 'http://localhost:5173' };
const top = (url: string) => ({ url, isTopFrame: true });

describe('isTrustedSender', () => {
  test('the app page in its top frame is trusted', () => {
    expect(isTrustedSender(top('app://studio/index.html'), prod)).toBe(true);
    expect(isTrustedSender(top('app://studio/'), prod)).toBe(true);
    expect(isTrustedSender(top('app://studio/index.html#/gallery?x=1'), prod)).toBe(true);
    expect(isTrustedSender(top('APP://studio/index.html'), prod)).toBe(true); // the scheme is case-insensitive
  });

  test('null, undefined and destroyed frames are refused', () => {
    expect(isTrustedSender(null, prod)).toBe(false);
    expect(isTrustedSender(undefined, prod)).toBe(false);
  });

  test('a sub-frame of the app origin is refused', () => {
    expect(isTrustedSender({ url: 'app://studio/index.html', isTopFrame: false }, prod)).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5173/', isTopFrame: false }, dev)).toBe(false);
  });

  test.each([
    ['file:///home/user/index.html'],
    ['file://studio/index.html'],
    ['http://evil.example/'],
    ['https://evil.example/app://studio/'],
    ['https://studio/'],
    ['app://other/index.html'],
    ['app://studio.evil/index.html'],
    ['app://studio:8080/index.html'],
    ['app://user:pw@studio/index.html'],
    ['app://user@studio/index.html'],
    ['app-media://studio/index.html'],
    ['app-media://output/a.jpg'],
    ['about:blank'],
    ['about:srcdoc'],
    ['data:text/html,<script>1</script>'],
    ['blob:app://studio/1234'],
    ['javascript:alert(1)'],
    ['chrome://settings'],
    ['devtools://devtools/bundled/inspector.html'],
    [''],
    ['not a url'],
    ['app:studio/index.html'],
    ['app:///index.html'],
    ['//studio/index.html'],
    ['app://'],
  ])('hostile top-frame URL %s is refused', (url) => {
    expect(isTrustedSender(top(url), prod)).toBe(false);
    expect(isTrustedSender(top(url), dev)).toBe(false);
  });

  test('the dev server origin is trusted only when a dev origin is configured', () => {
    expect(isTrustedSender(top('http://localhost:5173/'), dev)).toBe(true);
    expect(isTrustedSender(top('http://localhost:5173/src/main.tsx'), dev)).toBe(true);
    expect(isTrustedSender(top('http://localhost:5173/'), prod)).toBe(false);
  });

  test('near-misses of the dev origin are refused', () => {
    for (const url of [
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'http://localhost:5173.evil.example/',
      'http://localhost.evil.example:5173/',
      'http://user@localhost:5173/',
      'ws://localhost:5173/',
    ]) {
      expect(isTrustedSender(top(url), dev), url).toBe(false);
    }
  });

  test('a frame object with the wrong shape is refused', () => {
    const odd = { url: 42, isTopFrame: true } as unknown as { url: string; isTopFrame: boolean };
    expect(isTrustedSender(odd, prod)).toBe(false);
    const truthy = { url: 'app://studio/', isTopFrame: 1 } as unknown as { url: string; isTopFrame: boolean };
    expect(isTrustedSender(truthy, prod)).toBe(false);
  });
});

describe('originOf and devServerOrigin', () => {
  test('origins of custom standard schemes are assembled (Node says "null" for them)', () => {
    expect(new URL('app://studio/x').origin).toBe('null');
    expect(originOf('app://studio/x')).toBe('app://studio');
    expect(originOf('https://example.com:8443/a')).toBe('https://example.com:8443');
    expect(originOf('file:///etc/passwd')).toBeNull();
    expect(originOf('%%%')).toBeNull();
    expect(isTrustedOrigin('app://studio/anything', prod)).toBe(true);
  });

  test('the dev origin comes only from an unpackaged app and a loopback http(s) URL', () => {
    expect(devServerOrigin('http://localhost:5173/', false)).toBe('http://localhost:5173');
    expect(devServerOrigin('http://127.0.0.1:5173', false)).toBe('http://127.0.0.1:5173');
    expect(devServerOrigin('http://localhost:5173/', true)).toBeNull();
    expect(devServerOrigin(undefined, false)).toBeNull();
    expect(devServerOrigin('', false)).toBeNull();
    expect(devServerOrigin('http://evil.example:5173/', false)).toBeNull();
    expect(devServerOrigin('file:///tmp/index.html', false)).toBeNull();
    expect(devServerOrigin('app://studio/', false)).toBeNull();
    expect(devServerOrigin('http://user:pw@localhost:5173/', false)).toBeNull();
    expect(devServerOrigin('nonsense', false)).toBeNull();
  });
});
