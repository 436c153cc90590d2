// LocalHost: the Host interface on this machine — argv without a shell, atomic writes and copies.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { LocalHost } from '../../src-main/hosts/local-host';
import { tempDir } from '../helpers/studio';

const host = new LocalHost();

describe('LocalHost', () => {
  test('exec runs argv without a shell: metacharacters stay literal', async () => {
    const dir = tempDir();
    const r = await host.exec(['echo', '$HOME; touch pwned && `id`', '*'], { cwd: dir });
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(r.stdout).toBe('$HOME; touch pwned && `id` *\n');
    expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
  });

  test('exec: cwd, env, stdin, exit codes, streaming, maxBuffer', async () => {
    const dir = tempDir();
    expect((await host.exec(['pwd'], { cwd: dir })).stdout.trim()).toBe(fs.realpathSync(dir));
    expect((await host.exec(['sh', '-c', 'echo "$FOO"'], { env: { FOO: 'bar' } })).stdout).toBe('bar\n');
    await expect(host.exec(['true'], { env: { 'BAD NAME': 'x' } })).rejects.toThrow(/not allowed/);
    expect((await host.exec(['cat'], { stdin: 'from stdin' })).stdout).toBe('from stdin');
    expect((await host.exec(['sh', '-c', 'echo oops >&2; exit 3'])).code).toBe(3);
    const chunks: Buffer[] = [];
    const big = await host.exec(['head', '-c', '100000', '/dev/zero'], { onStdout: (c) => chunks.push(c), maxBuffer: 1000 });
    expect(Buffer.concat(chunks).length).toBe(100000);
    expect(big.stdout.length).toBe(1000);
    await expect(host.exec([])).rejects.toThrow(/argv/);
  });

  test('exec: timeout and abort end the command', async () => {
    const t = await host.exec(['sleep', '10'], { timeoutMs: 200 });
    expect(t.code).toBeNull();
    expect(t.signal).toBe('SIGKILL');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const a = await host.exec(['sleep', '10'], { signal: ac.signal });
    expect(a.code).toBeNull();
  });

  test('spawn: live stdio and exit', async () => {
    const p = host.spawn(['cat']);
    const got = new Promise<string>((resolve) => p.stdout.once('data', (c: Buffer) => resolve(c.toString())));
    p.stdin.write('hello\n');
    expect(await got).toBe('hello\n');
    p.stdin.end();
    expect(await p.exited).toEqual({ code: 0, signal: null, lost: false });
    const s = host.spawn(['sleep', '10']);
    s.kill('TERM');
    expect((await s.exited).signal).toBe('SIGTERM');
  });

  test('put/get copy atomically with progress; writeFile is atomic with a mode; readFile reads ranges', async () => {
    const dir = tempDir();
    const src = path.join(dir, 'src.bin');
    fs.writeFileSync(src, Buffer.alloc(3 * 1024 * 1024, 7));
    const seen: number[] = [];
    await host.put(src, path.join(dir, 'a', 'b', 'dst.bin'), { onProgress: (d, t) => (expect(t).toBe(3 * 1024 * 1024), seen.push(d)) });
    expect(seen.at(-1)).toBe(3 * 1024 * 1024);
    expect(seen.length).toBeGreaterThan(1);
    expect(fs.readFileSync(path.join(dir, 'a', 'b', 'dst.bin')).equals(fs.readFileSync(src))).toBe(true);
    await host.get(path.join(dir, 'a', 'b', 'dst.bin'), path.join(dir, 'back.bin'));
    expect(fs.statSync(path.join(dir, 'back.bin')).size).toBe(3 * 1024 * 1024);
    // A cancelled copy leaves neither the target nor a temp file.
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(host.put(src, path.join(dir, 'never.bin'), { signal: ac.signal })).rejects.toThrow('stop');
    expect(fs.readdirSync(dir).filter((f) => f.includes('never'))).toEqual([]);

    await host.writeFile(path.join(dir, 'x', 'script.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    expect(fs.statSync(path.join(dir, 'x', 'script.sh')).mode & 0o777).toBe(0o755);
    expect((await host.exec([path.join(dir, 'x', 'script.sh')])).stdout).toBe('hi\n');
    expect(fs.readdirSync(path.join(dir, 'x'))).toEqual(['script.sh']);

    fs.writeFileSync(path.join(dir, 'log'), '0123456789');
    expect((await host.readFile(path.join(dir, 'log'), { start: 3, maxBytes: 4 })).toString()).toBe('3456');
    expect((await host.readFile(path.join(dir, 'log'), { start: 8 })).toString()).toBe('89');
    expect((await host.readFile(path.join(dir, 'log'), { start: 20 })).length).toBe(0);
    expect((await host.readFile(path.join(dir, 'log'))).toString()).toBe('0123456789');
  });

  test('stat, list, mkdir, rename, remove', async () => {
    const dir = tempDir();
    expect(await host.stat(path.join(dir, 'none'))).toBeNull();
    await host.mkdir(path.join(dir, 'd', 'e'));
    await host.mkdir(path.join(dir, 'd', 'e'));
    await host.writeFile(path.join(dir, 'd', 'f.txt'), 'abc');
    expect(await host.stat(path.join(dir, 'd', 'f.txt'))).toMatchObject({ size: 3, isDirectory: false });
    const names = (await host.list(path.join(dir, 'd'))).map((e) => `${e.name}:${e.isDirectory}`).sort();
    expect(names).toEqual(['e:true', 'f.txt:false']);
    await host.rename(path.join(dir, 'd', 'f.txt'), path.join(dir, 'd', 'g.txt'));
    expect(await host.stat(path.join(dir, 'd', 'g.txt'))).not.toBeNull();
    await host.remove(path.join(dir, 'd'));
    await host.remove(path.join(dir, 'd'));
    expect(await host.stat(path.join(dir, 'd'))).toBeNull();
    expect(host.kind).toBe('local');
    await host.close();
  });
});
