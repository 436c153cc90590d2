// SshHost against a real OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedPolicy, SshHost, type SshConnectOptions } from '../../src-main/hosts/ssh-host';
import { SshError } from '../../src-main/hosts/ssh-errors';
import { shellQuote } from '../../src-main/hosts/shell-quote';
import { requireSshd, startSshd, type TestSshd } from '../helpers/sshd';
import { tempDir } from '../helpers/studio';

requireSshd();
const run = describe;

async function codeOf(p: Promise<unknown>): Promise<SshError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SshError) return err;
    throw err;
  }
  throw new Error('expected the connection to fail');
}

run('SshHost against OpenSSH', () => {
  let sshd: TestSshd;
  let opts: SshConnectOptions;
  const work = tempDir('flux-ssh-host-');

  beforeAll(async () => {
    sshd = await startSshd();
    opts = {
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKeyPath: sshd.clientKeyPath,
      hostKeyPolicy: pinnedPolicy(null),
      label: 'ssh:test',
    };
  });
  afterAll(async () => {
    await sshd?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('refuses an unknown host key and reports its SHA256 fingerprint as ssh-keygen prints it', async () => {
    const err = await codeOf(SshHost.connect(opts));
    expect(err.code).toBe('host_key_unknown');
    expect(err.hostKey?.fingerprint).toBe(sshd.hostKeyFingerprint());
    const keygen = execFileSync('ssh-keygen', ['-lf', path.join(sshd.dir, 'ssh_host_ed25519_key.pub')], { encoding: 'utf8' });
    expect(keygen).toContain(err.hostKey?.fingerprint);
    expect(err.hostKey?.keyType).toBe('ssh-ed25519');
    expect(err.message).toContain(sshd.hostKeyFingerprint());
  });

  it('connects with the pinned key, runs argv verbatim, moves files', async () => {
    const host = await SshHost.connect({ ...opts, hostKeyPolicy: pinnedPolicy(sshd.hostKeyFingerprint()) });
    try {
      expect(host.hostKey.fingerprint).toBe(sshd.hostKeyFingerprint());
      const nasty = ['a b', `it's`, '$(touch /tmp/x)', '`id`', 'semi;colon', 'new\nline', '"dq"', '', '*', '~'];
      const r = await host.exec(['printf', '%s\\0', ...nasty]);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\0').slice(0, -1)).toEqual(nasty);
      const env = await host.exec(['sh', '-c', 'printf %s "$FOO"; pwd'], { env: { FOO: `x'y $HOME` }, cwd: work });
      expect(env.stdout).toBe(`x'y $HOME${fs.realpathSync(work)}\n`);
      const stdin = await host.exec(['cat'], { stdin: 'hello\nworld' });
      expect(stdin.stdout).toBe('hello\nworld');
      const fail = await host.exec(['sh', '-c', 'echo oops >&2; exit 3']);
      expect(fail).toMatchObject({ code: 3, stderr: 'oops\n' });

      const local = path.join(work, 'blob.bin');
      const data = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 9)) & 0xff;
      fs.writeFileSync(local, data);
      const remoteDir = path.join(work, 'remote', 'deep');
      await host.mkdir(remoteDir);
      const seen: number[] = [];
      await host.put(local, path.join(remoteDir, 'blob.bin'), { onProgress: (d) => seen.push(d) });
      expect(fs.readFileSync(path.join(remoteDir, 'blob.bin')).equals(data)).toBe(true);
      expect(seen.at(-1)).toBe(data.length);
      await host.get(path.join(remoteDir, 'blob.bin'), path.join(work, 'back.bin'));
      expect(fs.readFileSync(path.join(work, 'back.bin')).equals(data)).toBe(true);
      expect(fs.readdirSync(work).filter((n) => n.includes('partial'))).toEqual([]);
      expect(await host.stat(path.join(remoteDir, 'blob.bin'))).toMatchObject({ size: data.length, isDirectory: false });
      expect(await host.stat(path.join(remoteDir, 'missing'))).toBeNull();
      expect((await host.list(remoteDir)).map((e) => e.name)).toEqual(['blob.bin']);
      expect((await host.readFile(path.join(remoteDir, 'blob.bin'), { start: 10, maxBytes: 5 })).equals(data.subarray(10, 15))).toBe(true);
      await host.writeFile(path.join(remoteDir, 'note.txt'), 'note', { mode: 0o600 });
      expect(fs.readFileSync(path.join(remoteDir, 'note.txt'), 'utf8')).toBe('note');
      expect(fs.statSync(path.join(remoteDir, 'note.txt')).mode & 0o777).toBe(0o600);
      await host.rename(path.join(remoteDir, 'note.txt'), path.join(remoteDir, 'note2.txt'));
      await host.remove(path.join(work, 'remote'));
      expect(fs.existsSync(path.join(work, 'remote'))).toBe(false);
    } finally {
      await host.close();
    }
  });

  it('cancels a running command and reports a dropped link to spawned processes', async () => {
    const host = await SshHost.connect({ ...opts, hostKeyPolicy: pinnedPolicy(sshd.hostKeyFingerprint()) });
    const ac = new AbortController();
    const slow = host.exec(['sleep', '30'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await expect(slow).rejects.toThrow(/cancelled/);

    const killed = host.spawn(['sh', '-c', 'echo up >&2; sleep 30; echo never']);
    await new Promise<void>((resolve) => killed.stderr.once('data', () => resolve()));
    killed.kill('KILL');
    expect(await killed.exited).toMatchObject({ lost: false });

    const proc = host.spawn(['sh', '-c', 'echo up; sleep 30']);
    await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
    const lost = new Promise<SshError>((resolve) => host.onClose(resolve));
    expect(sshd.killSessions()).toBeGreaterThan(0);
    expect((await proc.exited).lost).toBe(true);
    expect((await lost).code).toBe('lost');
    expect(host.closed).toBe(true);
    await expect(host.exec(['true'])).rejects.toMatchObject({ code: 'lost' });
  });

  it('maps the usual failures to clear errors', async () => {
    const pinned = pinnedPolicy(sshd.hostKeyFingerprint());
    const wrong = await codeOf(SshHost.connect({ ...opts, privateKeyPath: sshd.wrongKeyPath, hostKeyPolicy: pinned }));
    expect(wrong.code).toBe('auth');
    expect(wrong.message).toMatch(/refused the key/);

    const missing = await codeOf(SshHost.connect({ ...opts, privateKeyPath: path.join(work, 'nope'), hostKeyPolicy: pinned }));
    expect(missing).toMatchObject({ code: 'key_unreadable' });
    expect(missing.message).toMatch(/does not exist/);

    fs.writeFileSync(path.join(work, 'garbage'), 'not a key');
    expect(await codeOf(SshHost.connect({ ...opts, privateKeyPath: path.join(work, 'garbage'), hostKeyPolicy: pinned }))).toMatchObject({ code: 'key_unreadable' });

    const enc = path.join(work, 'enc_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'sesame', '-f', enc]);
    expect(await codeOf(SshHost.connect({ ...opts, privateKeyPath: enc, hostKeyPolicy: pinned }))).toMatchObject({ code: 'passphrase_needed' });
    expect(await codeOf(SshHost.connect({ ...opts, privateKeyPath: enc, passphrase: 'wrong', hostKeyPolicy: pinned }))).toMatchObject({ code: 'passphrase_wrong' });
    // The right passphrase opens the key; the server still refuses it (not authorized): auth.
    expect(await codeOf(SshHost.connect({ ...opts, privateKeyPath: enc, passphrase: 'sesame', hostKeyPolicy: pinned }))).toMatchObject({ code: 'auth' });

    const refused = await codeOf(SshHost.connect({ ...opts, port: 1, hostKeyPolicy: pinned }));
    expect(refused.code).toBe('refused');
    const dns = await codeOf(SshHost.connect({ ...opts, host: 'no-such-host.invalid', hostKeyPolicy: pinned }));
    expect(dns.code).toBe('dns');
  });

  it('refuses a changed host key', async () => {
    const old = sshd.hostKeyFingerprint();
    const fresh = await sshd.swapHostKey();
    expect(fresh).not.toBe(old);
    const err = await codeOf(SshHost.connect({ ...opts, hostKeyPolicy: pinnedPolicy(old) }));
    expect(err.code).toBe('host_key_changed');
    expect(err.hostKey?.fingerprint).toBe(fresh);
    expect(err.message).toMatch(/CHANGED/);
    const host = await SshHost.connect({ ...opts, hostKeyPolicy: pinnedPolicy(fresh) });
    await host.close();
  });

  it('quotes for a POSIX shell', () => {
    expect(shellQuote('plain/path-1.2')).toBe('plain/path-1.2');
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote('')).toBe(`''`);
    expect(() => shellQuote('a\0b')).toThrow();
  });
});
