// Issue 17, item 11: a token given by file or environment never shows on serve's command line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/studio';

const BIN = path.join(REPO_ROOT, 'bin', 'flux-studio.cjs');
const built = fs.existsSync(path.join(REPO_ROOT, 'out', 'main', 'cli.js'));

async function startWith(args: string[], env: Record<string, string>): Promise<{ url: URL; cmdline: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', tempDir(), ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
    setTimeout(() => reject(new Error('serve did not print its URL within 15 s')), 15_000);
  });
  const cmdline = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').join(' ');
  return {
    url: new URL(line),
    cmdline,
    stop: async () => {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe.skipIf(!built || process.platform !== 'linux')('serve --token-file / FLUX_STUDIO_TOKEN', () => {
  test('the token from a file or the environment is used and is not in the command line', async () => {
    const file = path.join(tempDir(), 'token');
    fs.writeFileSync(file, 'token-from-a-file-0123456789\n', { mode: 0o600 });
    const a = await startWith(['--token-file', file], {});
    try {
      expect(a.url.searchParams.get('token')).toBe('token-from-a-file-0123456789');
      expect(a.cmdline).not.toContain('token-from-a-file');
      const res = await fetch(new URL('/api/call/app.info', a.url), { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer token-from-a-file-0123456789' }, body: '{}' });
      expect(res.status).toBe(200);
    } finally {
      await a.stop();
    }
    const b = await startWith([], { FLUX_STUDIO_TOKEN: 'token-from-the-environment-42' });
    try {
      expect(b.url.searchParams.get('token')).toBe('token-from-the-environment-42');
      expect(b.cmdline).not.toContain('token-from-the-environment');
    } finally {
      await b.stop();
    }
  }, 60_000);
});
