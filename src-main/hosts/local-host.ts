// LocalHost: the Host interface over this machine's child_process + fs. Commands are argv
// arrays run without a shell; writes and copies go to a temp name beside the target and are
// renamed into place, so no reader ever sees a half-written file under its final name.
import { spawn as spawnChild } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ExecOptions, ExecResult, Host, HostDirEntry, HostProcess, HostStat, SpawnOptions, TransferOptions } from './host';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const DEFAULT_MAX_BUFFER = 1024 * 1024;

function checkArgv(argv: readonly string[]): void {
  if (argv.length === 0 || !argv[0]) throw new Error('exec: argv must name a command');
  for (const a of argv) if (a.includes('\0')) throw new Error('exec: arguments must not contain NUL bytes');
}

function mergedEnv(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (!ENV_NAME.test(k)) throw new Error(`exec: environment name ${JSON.stringify(k)} is not allowed`);
    env[k] = v;
  }
  return env;
}

function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.part`);
}

/** Copy `from` to `to` atomically, in chunks, with progress and cancellation. */
async function copyAtomic(from: string, to: string, opts: TransferOptions = {}): Promise<void> {
  await fs.promises.mkdir(path.dirname(to), { recursive: true });
  const total = (await fs.promises.stat(from)).size;
  const tmp = tempBeside(to);
  const src = await fs.promises.open(from, 'r');
  let dst: fs.promises.FileHandle | null = null;
  try {
    dst = await fs.promises.open(tmp, 'w', opts.mode ?? 0o644);
    const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, Math.max(1, total)));
    let done = 0;
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
      const { bytesRead } = await src.read(buf, 0, buf.length, done);
      if (bytesRead === 0) break;
      await dst.write(buf, 0, bytesRead);
      done += bytesRead;
      opts.onProgress?.(done, total);
    }
    if (total === 0) opts.onProgress?.(0, 0);
    await dst.close();
    dst = null;
    if (opts.mode !== undefined) await fs.promises.chmod(tmp, opts.mode);
    await fs.promises.rename(tmp, to);
  } catch (err) {
    await dst?.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw err;
  } finally {
    await src.close();
  }
}

function toStat(s: fs.Stats): HostStat {
  return { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory() };
}

export class LocalHost implements Host {
  readonly kind = 'local' as const;
  readonly label = 'local';

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
    return new Promise((resolve, reject) => {
      checkArgv(argv); // a throw here rejects the promise
      const child = spawnChild(argv[0] as string, argv.slice(1), {
        cwd: opts.cwd,
        env: mergedEnv(opts.env),
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        signal: opts.signal,
        timeout: opts.timeoutMs,
        killSignal: 'SIGKILL',
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      child.stdout.on('data', (c: Buffer) => {
        opts.onStdout?.(c);
        if (outLen < maxBuffer) out.push(c.subarray(0, maxBuffer - outLen));
        outLen += c.length;
      });
      child.stderr.on('data', (c: Buffer) => {
        opts.onStderr?.(c);
        if (errLen < maxBuffer) err.push(c.subarray(0, maxBuffer - errLen));
        errLen += c.length;
      });
      child.on('error', (e) => {
        if ((e as NodeJS.ErrnoException).code === 'ABORT_ERR') return; // 'close' follows with the signal
        reject(e);
      });
      child.on('close', (code, signal) => {
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.on('error', () => undefined); // a command that exits without reading stdin
      if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
      else child.stdin.end();
    });
  }

  spawn(argv: readonly string[], opts: SpawnOptions = {}): HostProcess {
    checkArgv(argv);
    const child = spawnChild(argv[0] as string, argv.slice(1), {
      cwd: opts.cwd,
      env: mergedEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
    });
    const exited = new Promise<{ code: number | null; signal: string | null; lost: boolean }>((resolve) => {
      child.on('error', () => resolve({ code: null, signal: null, lost: true }));
      child.on('close', (code, signal) => resolve({ code, signal, lost: false }));
    });
    child.stdin.on('error', () => undefined);
    return {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      kill: (signal = 'TERM') => {
        child.kill(`SIG${signal}`);
      },
    };
  }

  put(localPath: string, hostPath: string, opts?: TransferOptions): Promise<void> {
    return copyAtomic(localPath, hostPath, opts);
  }

  get(hostPath: string, localPath: string, opts?: TransferOptions): Promise<void> {
    return copyAtomic(hostPath, localPath, opts);
  }

  async stat(hostPath: string): Promise<HostStat | null> {
    try {
      return toStat(await fs.promises.stat(hostPath));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw err;
    }
  }

  async list(hostDir: string): Promise<HostDirEntry[]> {
    const names = await fs.promises.readdir(hostDir);
    const out: HostDirEntry[] = [];
    for (const name of names) {
      try {
        out.push({ name, ...toStat(await fs.promises.stat(path.join(hostDir, name))) });
      } catch {
        // removed between readdir and stat
      }
    }
    return out;
  }

  async readFile(hostPath: string, opts: { start?: number; maxBytes?: number } = {}): Promise<Buffer> {
    const start = opts.start ?? 0;
    if (opts.maxBytes === undefined && start === 0) return fs.promises.readFile(hostPath);
    const fh = await fs.promises.open(hostPath, 'r');
    try {
      const size = (await fh.stat()).size;
      const len = Math.max(0, Math.min(opts.maxBytes ?? size, size - start));
      const buf = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const { bytesRead } = await fh.read(buf, got, len - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  }

  async writeFile(hostPath: string, data: string | Buffer, opts: { mode?: number } = {}): Promise<void> {
    await fs.promises.mkdir(path.dirname(hostPath), { recursive: true });
    const tmp = tempBeside(hostPath);
    try {
      await fs.promises.writeFile(tmp, data, { mode: opts.mode ?? 0o644 });
      if (opts.mode !== undefined) await fs.promises.chmod(tmp, opts.mode);
      await fs.promises.rename(tmp, hostPath);
    } catch (err) {
      await fs.promises.rm(tmp, { force: true });
      throw err;
    }
  }

  async mkdir(hostPath: string): Promise<void> {
    await fs.promises.mkdir(hostPath, { recursive: true });
  }

  async remove(hostPath: string): Promise<void> {
    await fs.promises.rm(hostPath, { recursive: true, force: true });
  }

  async rename(from: string, to: string): Promise<void> {
    await fs.promises.rename(from, to);
  }

  async close(): Promise<void> {
    // nothing held open
  }
}
