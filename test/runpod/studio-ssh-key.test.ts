// The studio's own SSH key: always a pair ssh2 can parse (its generator sometimes makes one
// it refuses itself), made once, 0600, replaced when an old one does not parse.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { utils } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureStudioKey, generateUsableKeyPair } from '../../src-main/runpod/studio-ssh-key';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-key-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

// One pair known to parse (ssh2's own generator fails now and then, which is the point of this module).
const GOOD = (() => {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519', { comment: 'flux-studio' });
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
})();
const good = () => GOOD;
// What ssh2's generator occasionally returns: a private half its own parser refuses.
const broken = () => ({ ...GOOD, private: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n' });

describe('studio SSH key', () => {
  it('skips a generated pair that does not parse', () => {
    let calls = 0;
    const pair = generateUsableKeyPair(() => (++calls === 1 ? broken() : good()));
    expect(calls).toBe(2);
    expect(utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
  });

  it('gives up with a clear error when no pair parses', () => {
    expect(() => generateUsableKeyPair(broken, 3)).toThrow(/could not generate an SSH key that parses \(3 attempts\)/);
  });

  it('makes the key once (0600) and keeps it', () => {
    const dir = tmp();
    const a = ensureStudioKey(dir);
    expect(fs.statSync(a.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(a.publicKey).toMatch(/^ssh-ed25519 \S+ flux-studio$/);
    expect(ensureStudioKey(dir).publicKey).toBe(a.publicKey);
  });

  it('replaces a stored pair that does not parse', () => {
    const dir = tmp();
    const a = ensureStudioKey(dir);
    fs.writeFileSync(a.privateKeyPath, broken().private);
    const b = ensureStudioKey(dir);
    expect(b.publicKey).not.toBe(a.publicKey);
    expect(utils.parseKey(fs.readFileSync(b.privateKeyPath, 'utf8'))).not.toBeInstanceOf(Error);
  });
});
