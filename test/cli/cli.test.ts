// The real `flux-studio` command (bin/flux-studio.cjs → out/main/cli.js), as a user runs it.
// Needs `npm run build` first; `npm test` builds before running the suites.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildProgram } from '../../src-main/cli/main';
import { REPO_ROOT, tempDir } from '../helpers/studio';

const BIN = path.join(REPO_ROOT, 'bin', 'flux-studio.cjs');

function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cliAsync(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', 'cli.js'))) {
    throw new Error('out/main/cli.js is missing: run `npm run build` (npm test does) before the CLI tests');
  }
});

describe('flux-studio CLI', () => {
  test('every command answers --help', async () => {
    const names: string[][] = [];
    const groups = new Set<string>();
    const walk = (cmd: ReturnType<typeof buildProgram>, prefix: string[]) => {
      for (const sub of cmd.commands) {
        names.push([...prefix, sub.name()]);
        if (sub.commands.length > 0) groups.add([...prefix, sub.name()].join(' '));
        walk(sub, [...prefix, sub.name()]);
      }
    };
    walk(buildProgram(), []);
    expect(names.length).toBeGreaterThanOrEqual(10);
    // One real process per command (there are dozens): a few at a time, so the test's
    // wall time does not grow with every command added.
    const all = [[], ...names];
    const results = new Map<string, { code: number | null; stdout: string }>();
    let next = 0;
    const worker = async () => {
      while (next < all.length) {
        const n = all[next++]!;
        results.set(n.join(' '), await cliAsync([...n, '--help']));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    for (const n of all) {
      const r = results.get(n.join(' '))!;
      expect(r.code, `${n.join(' ')} --help`).toBe(0);
      expect(r.stdout).toContain('Usage: flux-studio');
      // Every leaf command takes --data-dir.
      if (n.length > 0 && !groups.has(n.join(' '))) expect(r.stdout, n.join(' ')).toContain('--data-dir');
    }
  }, 180_000);

  test('--data-dir and FLUX_STUDIO_DATA_DIR choose the data folder; the flag wins', () => {
    const a = tempDir();
    const b = tempDir();
    const viaEnv = JSON.parse(cli(['info', '--json'], { env: { FLUX_STUDIO_DATA_DIR: a } }).stdout) as { dataDir: string; dataDirSource: string };
    expect(viaEnv).toMatchObject({ dataDir: a, dataDirSource: 'env' });
    const viaFlag = JSON.parse(cli(['info', '--json', '--data-dir', b], { env: { FLUX_STUDIO_DATA_DIR: a } }).stdout) as { dataDir: string; dataDirSource: string };
    expect(viaFlag).toMatchObject({ dataDir: b, dataDirSource: 'flag' });
    expect(fs.existsSync(path.join(b, 'studio.db'))).toBe(true);
  });

  test('settings set/get persist in the data dir; bad values exit 2 with the field named', () => {
    const d = tempDir();
    expect(cli(['settings', 'set', 'defaultRuntime', 'local', '--data-dir', d]).code).toBe(0);
    const got = JSON.parse(cli(['settings', 'get', '--json', '--data-dir', d]).stdout) as { defaultRuntime: string };
    expect(got.defaultRuntime).toBe('local');
    const bad = cli(['settings', 'set', 'defaultRuntime', 'cloud9', '--data-dir', d]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('defaultRuntime');
  });

  test('secrets are read from stdin and never printed', () => {
    const d = tempDir();
    const value = 'hf_cli_secret_value_0123456789';
    const set = cli(['secrets', 'set', 'huggingface', '--data-dir', d], { input: value + '\n' });
    expect(set.code).toBe(0);
    const status = cli(['secrets', 'status', '--data-dir', d]);
    expect(status.stdout).toMatch(/huggingface\s+set \(stored\)/);
    for (const text of [set.stdout, set.stderr, status.stdout, status.stderr, fs.readFileSync(path.join(d, 'logs', 'studio.log'), 'utf8')]) {
      expect(text).not.toContain(value);
    }
    expect((fs.statSync(path.join(d, 'secrets.json')).mode & 0o777).toString(8)).toBe('600');
  });

  test('backup writes a database copy', () => {
    const d = tempDir();
    const r = cli(['backup', '--json', '--data-dir', d]);
    expect(r.code).toBe(0);
    const { file } = JSON.parse(r.stdout) as { file: string };
    expect(path.dirname(file)).toBe(path.join(d, 'backups'));
    expect(fs.statSync(file).size).toBeGreaterThan(0);
  });

  test('serve prints one line with the tokenised URL and enforces the token', async () => {
    const d = tempDir();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', d], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
          if (m) resolve(m[0]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
        setTimeout(() => reject(new Error('serve did not print its URL within 10 s')), 10_000);
      });
      const url = new URL(line);
      expect(url.hostname).toBe('127.0.0.1');
      // The page is public (no data in it); the API needs the token.
      expect((await fetch(new URL('/api/call/app.info', url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(401);
      const page = await fetch(line);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const api = await fetch(new URL('/api/call/app.info', url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${url.searchParams.get('token')}` },
        body: '{}',
      });
      expect(await api.json()).toMatchObject({ ok: true, data: { transport: 'http', dataDir: d, dataDirSource: 'flag' } });
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0); // graceful shutdown on SIGTERM
  });

  test('an unbuilt checkout says what to do', () => {
    const fake = tempDir();
    fs.mkdirSync(path.join(fake, 'bin'));
    fs.copyFileSync(BIN, path.join(fake, 'bin', 'flux-studio.cjs'));
    const r = spawnSync(process.execPath, [path.join(fake, 'bin', 'flux-studio.cjs'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('npm run build');
  });
});
