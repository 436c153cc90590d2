// SshHost: the Host interface over one ssh2 connection (exec channels + one SFTP session).
// Commands are argv arrays quoted for the remote POSIX shell (shell-quote.ts); user text goes
// on stdin. The host key is checked by the caller's policy (trust on first use, pinned per
// pod) before authentication; keepalive is on; the connection never reconnects by itself —
// the pod connection manager does that — but reports its loss through onClose().
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Client, utils, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { ExecOptions, ExecResult, Host, HostDirEntry, HostProcess, HostStat, SpawnOptions, TransferOptions } from './host';
import { commandLine } from './shell-quote';
import { mapConnectError, SshError } from './ssh-errors';

export interface HostKeyInfo {
  /** OpenSSH format, as `ssh-keygen -lf` prints it: `SHA256:<base64 without padding>`. */
  fingerprint: string;
  /** e.g. ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa. */
  keyType: string;
}

/** How to treat the presented host key: 'accept' to go on; 'unknown' / 'changed' refuse it. */
export type HostKeyPolicy = (key: HostKeyInfo) => 'accept' | 'unknown' | 'changed';

/** Pinned fingerprint or none: refuses unknown and changed keys. */
export function pinnedPolicy(pinned: string | null): HostKeyPolicy {
  return (key) => (pinned === null ? 'unknown' : key.fingerprint === pinned ? 'accept' : 'changed');
}

export interface SftpTuning {
  /** Parallel SFTP requests per transfer (ssh2 default 64). */
  concurrency: number;
  /** Bytes per request (ssh2 default 32768; OpenSSH serves at most 256 KiB per read). */
  chunkSize: number;
}

// Measured on loopback (npm run bench:remote, best of 3): 64 × 64 KiB ≈ 1.4× scp, 64 × 32 KiB (ssh2's
// default) ≈ 0.4× scp. Every fetched image is checked against the worker's sha256 and fetched
// again with one request at a time on a mismatch (ssh2's chunk-size corruption reports).
export const DEFAULT_SFTP_TUNING: SftpTuning = { concurrency: 64, chunkSize: 65536 };

export interface SshConnectOptions {
  host: string;
  port: number;
  username: string;
  /** Path of an OpenSSH/PEM private key; or null to use the SSH agent. */
  privateKeyPath: string | null;
  /** The key's passphrase (from the SecretStore), if it has one. */
  passphrase?: string | null;
  /** The agent socket (default $SSH_AUTH_SOCK) when no key path is given. */
  agent?: string | null;
  /** Connection + handshake timeout (ms). */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  hostKeyPolicy: HostKeyPolicy;
  /** For logs and errors, e.g. "ssh:my-pod". */
  label: string;
  sftp?: Partial<SftpTuning>;
  /** Electron's BoringSSL lacks chacha20-poly1305: pass true there. */
  noChacha?: boolean;
}

/** `SHA256:…` of a raw SSH public key blob. */
export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

function keyTypeOf(keyBlob: Buffer): string {
  const parsed = utils.parseKey(keyBlob);
  if (parsed instanceof Error) return 'unknown';
  return (Array.isArray(parsed) ? parsed[0]?.type : parsed.type) ?? 'unknown';
}

/** Reads and checks a private key, mapping every failure to a clear SshError. */
export function loadPrivateKey(keyPath: string, passphrase: string | null | undefined): Buffer {
  let data: Buffer;
  try {
    data = fs.readFileSync(keyPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? 'error'})`;
    throw new SshError('key_unreadable', `The private key ${keyPath} ${why}.`);
  }
  const parsed = utils.parseKey(data, passphrase ?? undefined);
  if (parsed instanceof Error) {
    const m = parsed.message;
    if (/no passphrase given/i.test(m)) {
      throw new SshError('passphrase_needed', `The private key ${keyPath} is protected by a passphrase: enter it in the pod's settings (it is kept in the studio's secret store).`);
    }
    if (/bad passphrase|Failed to decrypt|integrity check failed|decrypt/i.test(m)) {
      throw new SshError('passphrase_wrong', `The passphrase for ${keyPath} is wrong: enter it again in the pod's settings.`);
    }
    throw new SshError('key_unreadable', `${keyPath} is not a private key ssh can use (${m}). Use an OpenSSH-format ed25519 or RSA key (\`ssh-keygen -p -f ${keyPath}\` converts PKCS#8).`);
  }
  return data;
}

const SFTP_NO_SUCH_FILE = 2;

// Fixed scripts (never user text): report the pid, cd to $1 when given, exec the rest.
const WRAPPER = 'printf "\\036%s\\036" "$$" >&2; if [ -n "$1" ]; then cd -- "$1" || exit 127; fi; shift; exec "$@"';
// eslint-disable-next-line no-control-regex -- the wrapper's pid marker is framed by \x1e bytes
const PID_MARK = /^\x1e(\d+)\x1e/;
// Signal $2's process group (sshd makes each session its own), else the process itself.
const KILLER = [
  'pg=$(cut -d" " -f5 "/proc/$2/stat" 2>/dev/null)',
  'if [ -n "$pg" ] && [ "$pg" != 0 ]; then',
  '  if command -v bash >/dev/null 2>&1; then bash -c \'kill -s "$1" -- "-$2"\' k "$1" "$pg" 2>/dev/null && exit 0; fi',
  '  /bin/kill -s "$1" -- "-$pg" 2>/dev/null && exit 0',
  'fi',
  'kill -s "$1" "$2"',
].join('\n');

function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

export class SshHost implements Host {
  readonly kind = 'ssh' as const;
  private sftpSession: Promise<SFTPWrapper> | null = null;
  private closedFlag = false;
  private closeListeners = new Set<(err: SshError) => void>();
  private readonly tuning: SftpTuning;

  private constructor(
    private readonly conn: Client,
    readonly label: string,
    readonly hostKey: HostKeyInfo,
    tuning: Partial<SftpTuning> | undefined,
  ) {
    this.tuning = { ...DEFAULT_SFTP_TUNING, ...tuning };
    conn.on('close', () => {
      const wasOpen = !this.closedFlag;
      this.closedFlag = true;
      this.sftpSession = null;
      const err = wasOpen ? new SshError('lost', `The connection to ${label} was lost.`) : new SshError('closed', `The connection to ${label} was closed.`);
      for (const l of this.closeListeners) l(err);
      this.closeListeners.clear();
    });
  }

  /** Connects, checks the host key with the policy, authenticates. Rejects with an SshError. */
  static async connect(opts: SshConnectOptions): Promise<SshHost> {
    const where = `${opts.username}@${opts.host}:${opts.port}`;
    let privateKey: Buffer | undefined;
    if (opts.privateKeyPath) privateKey = loadPrivateKey(opts.privateKeyPath, opts.passphrase);
    const agent = opts.privateKeyPath ? undefined : (opts.agent ?? process.env.SSH_AUTH_SOCK ?? undefined);
    if (!privateKey && !agent) {
      throw (new SshError('key_unreadable', `No private key is set for ${where} and no SSH agent is running (SSH_AUTH_SOCK). Choose a key file.`));
    }
    return new Promise<SshHost>((resolve, reject) => {
      const conn = new Client();
      let presented: HostKeyInfo | null = null;
      let refusal: SshError | null = null;
      let settled = false;
      const fail = (err: SshError) => {
        if (settled) return;
        settled = true;
        conn.end();
        reject(err);
      };
      conn.on('error', (err) => fail(refusal ?? mapConnectError(err, where)));
      conn.on('close', () => fail(refusal ?? new SshError('lost', `${where} closed the connection during the handshake.`)));
      conn.on('ready', () => {
        if (settled) return;
        settled = true;
        resolve(new SshHost(conn, opts.label, presented as HostKeyInfo, opts.sftp));
      });
      const config: ConnectConfig = {
        host: opts.host,
        port: opts.port,
        username: opts.username,
        privateKey,
        passphrase: opts.passphrase ?? undefined,
        agent,
        readyTimeout: opts.readyTimeoutMs ?? 10_000,
        keepaliveInterval: opts.keepaliveIntervalMs ?? 10_000,
        keepaliveCountMax: opts.keepaliveCountMax ?? 3,
        hostVerifier: (key: Buffer) => {
          presented = { fingerprint: fingerprintOf(key), keyType: keyTypeOf(key) };
          const verdict = opts.hostKeyPolicy(presented);
          if (verdict === 'accept') return true;
          refusal =
            verdict === 'unknown'
              ? new SshError('host_key_unknown', `${where} is not trusted yet. Its ${presented.keyType} host key fingerprint is ${presented.fingerprint}: trust it if it is the pod's.`, presented)
              : new SshError(
                  'host_key_changed',
                  `The host key of ${where} CHANGED: it now presents ${presented.fingerprint} (${presented.keyType}), not the pinned one. The connection was refused. If the pod was restarted or re-created (RunPod makes new host keys then), trust the new key explicitly; otherwise someone may be intercepting the connection.`,
                  presented,
                );
          return false;
        },
        algorithms: {
          cipher: [
            'aes128-gcm@openssh.com',
            ...(opts.noChacha ? [] : (['chacha20-poly1305@openssh.com'] as const)),
            'aes256-gcm@openssh.com',
            'aes128-ctr',
            'aes192-ctr',
            'aes256-ctr',
          ],
        },
      };
      try {
        conn.connect(config);
      } catch (err) {
        fail(mapConnectError(err, where));
      }
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Called once when the connection ends (code 'lost' when it dropped, 'closed' when we closed it). */
  onClose(listener: (err: SshError) => void): () => void {
    if (this.closedFlag) {
      queueMicrotask(() => listener(new SshError('lost', `The connection to ${this.label} is closed.`)));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private channel(cmd: string): Promise<ClientChannel> {
    if (this.closedFlag) return Promise.reject(new SshError('lost', `The connection to ${this.label} is closed.`));
    return new Promise((resolve, reject) => {
      try {
        this.conn.exec(cmd, (err, stream) => (err ? reject(new SshError(this.closedFlag ? 'lost' : 'protocol', `${this.label}: could not start a command (${err.message})`)) : resolve(stream)));
      } catch (err) {
        reject(new SshError('lost', `${this.label}: ${(err as Error).message}`));
      }
    });
  }

  /**
   * Opens a channel running argv under a tiny fixed wrapper that first reports its pid on
   * stderr (between two \x1e bytes, stripped here): OpenSSH ignores channel signals for
   * commands without a pty, so killing means `kill` on that pid's process group.
   */
  private async open(argv: readonly string[], opts: { cwd?: string; env?: Readonly<Record<string, string>> }): Promise<{ ch: ClientChannel; pid: Promise<number | null>; stderr: PassThrough }> {
    const envArgs = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const wrapped = ['sh', '-c', WRAPPER, 'sh', opts.cwd ?? '', ...(envArgs.length > 0 ? ['env', ...envArgs] : []), ...argv];
    for (const k of Object.keys(opts.env ?? {})) if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) throw new Error(`bad environment variable name ${JSON.stringify(k)}`);
    const ch = await this.channel(commandLine(wrapped));
    const stderr = new PassThrough();
    let head = Buffer.alloc(0);
    let resolvePid: (pid: number | null) => void = () => undefined;
    const pid = new Promise<number | null>((r) => (resolvePid = r));
    let parsed = false;
    ch.stderr.on('data', (c: Buffer) => {
      if (parsed) {
        stderr.write(c);
        return;
      }
      head = Buffer.concat([head, c]);
      const m = PID_MARK.exec(head.toString('latin1'));
      if (m) {
        parsed = true;
        resolvePid(Number(m[1]));
        const rest = head.subarray(m[0].length);
        if (rest.length > 0) stderr.write(rest);
      } else if (head.length > 32 || (head.length > 0 && head[0] !== 0x1e)) {
        parsed = true;
        resolvePid(null);
        stderr.write(head);
      }
    });
    ch.on('close', () => {
      resolvePid(null);
      stderr.end();
    });
    return { ch, pid, stderr };
  }

  /** Signals the process group of a command started by open() (best effort). */
  private async killRemote(pid: Promise<number | null>, sig: 'TERM' | 'KILL' | 'INT'): Promise<void> {
    const p = await Promise.race([pid, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    if (p === null || this.closedFlag) return;
    const ch = await this.channel(commandLine(['sh', '-c', KILLER, 'sh', sig, String(p)])).catch(() => null);
    if (!ch) return;
    ch.resume();
    ch.stderr.resume();
    ch.end();
  }

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (opts.signal?.aborted) throw abortError();
    const { ch: stream, pid, stderr } = await this.open(argv, opts);
    const max = opts.maxBuffer ?? 1024 * 1024;
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let code: number | null = null;
      let signal: string | null = null;
      let done = false;
      const finish = () => {
        done = true;
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const stop = (why: Error) => {
        if (done) return;
        finish();
        void this.killRemote(pid, 'KILL');
        stream.close();
        reject(why);
      };
      const onAbort = () => stop(abortError());
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = opts.timeoutMs ? setTimeout(() => stop(new SshError('timeout', `${this.label}: ${argv[0] ?? ''} did not finish within ${opts.timeoutMs} ms`)), opts.timeoutMs) : null;
      stream.on('data', (c: Buffer) => {
        opts.onStdout?.(c);
        if (outLen < max) out.push(c.subarray(0, max - outLen));
        outLen += c.length;
      });
      stderr.on('data', (c: Buffer) => {
        opts.onStderr?.(c);
        if (errLen < max) err.push(c.subarray(0, max - errLen));
        errLen += c.length;
      });
      stream.on('exit', (c: number | null, s?: string) => {
        code = typeof c === 'number' ? c : null;
        signal = s ?? null;
      });
      stream.on('close', () => {
        if (done) return;
        finish();
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      if (opts.stdin !== undefined) stream.end(opts.stdin);
      else stream.end();
    });
  }

  spawn(argv: readonly string[], opts: SpawnOptions = {}): HostProcess {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let pidP: Promise<number | null> | null = null;
    let pendingKill: 'TERM' | 'KILL' | 'INT' | null = null;
    const exited = new Promise<{ code: number | null; signal: string | null; lost: boolean }>((resolve) => {
      this.open(argv, opts).then(
        ({ ch, pid, stderr: err }) => {
          pidP = pid;
          let code: number | null = null;
          let signal: string | null = null;
          let sawExit = false;
          ch.on('exit', (c: number | null, s?: string) => {
            sawExit = true;
            code = typeof c === 'number' ? c : null;
            signal = s ?? null;
          });
          ch.pipe(stdout);
          err.pipe(stderr);
          stdin.pipe(ch);
          ch.on('close', () => {
            stdin.unpipe(ch);
            stdout.end();
            resolve({ code, signal, lost: !sawExit });
          });
          if (pendingKill) void this.killRemote(pid, pendingKill);
        },
        () => {
          stdout.end();
          stderr.end();
          resolve({ code: null, signal: null, lost: true });
        },
      );
    });
    return {
      stdin,
      stdout,
      stderr,
      exited,
      kill: (sig = 'TERM') => {
        if (pidP) void this.killRemote(pidP, sig);
        else pendingKill = sig;
      },
    };
  }

  private sftp(): Promise<SFTPWrapper> {
    if (this.closedFlag) return Promise.reject(new SshError('lost', `The connection to ${this.label} is closed.`));
    if (!this.sftpSession) {
      const session = new Promise<SFTPWrapper>((resolve, reject) => {
        this.conn.sftp((err, sftp) => {
          if (err) {
            reject(new SshError('protocol', `${this.label}: SFTP is not available (${err.message}). The pod's sshd needs "Subsystem sftp".`));
            return;
          }
          sftp.on('close', () => {
            if (this.sftpSession === session) this.sftpSession = null;
          });
          resolve(sftp);
        });
      });
      this.sftpSession = session;
      session.catch(() => {
        if (this.sftpSession === session) this.sftpSession = null;
      });
    }
    return this.sftpSession;
  }

  /** Ends the SFTP session (an in-flight fastGet/fastPut then fails): how a transfer is cancelled. */
  private async dropSftp(): Promise<void> {
    const s = this.sftpSession;
    this.sftpSession = null;
    if (s) (await s.catch(() => null))?.end();
  }

  private transfer(kind: 'get' | 'put', from: string, to: string, opts: TransferOptions, tuning: SftpTuning): Promise<void> {
    return this.sftp().then(
      (sftp) =>
        new Promise<void>((resolve, reject) => {
          if (opts.signal?.aborted) {
            reject(abortError());
            return;
          }
          let aborted = false;
          const onAbort = () => {
            aborted = true;
            void this.dropSftp();
          };
          opts.signal?.addEventListener('abort', onAbort, { once: true });
          const options = {
            concurrency: tuning.concurrency,
            chunkSize: tuning.chunkSize,
            step: (done: number, _chunk: number, total: number) => opts.onProgress?.(done, total),
          };
          const cb = (err: Error | null | undefined) => {
            opts.signal?.removeEventListener('abort', onAbort);
            if (aborted) reject(abortError());
            else if (err) reject(this.sftpError(err, kind === 'get' ? from : to));
            else resolve();
          };
          if (kind === 'get') sftp.fastGet(from, to, options, cb);
          else sftp.fastPut(from, to, options, cb);
        }),
    );
  }

  private sftpError(err: Error, p: string): Error {
    if (this.closedFlag) return new SshError('lost', `The connection to ${this.label} was lost during a transfer of ${p}.`);
    const code = (err as { code?: number }).code;
    if (code === SFTP_NO_SUCH_FILE) return Object.assign(new Error(`${this.label}: ${p} does not exist`), { code: 'ENOENT' });
    return new Error(`${this.label}: ${p}: ${err.message}`);
  }

  async put(localPath: string, hostPath: string, opts: TransferOptions = {}): Promise<void> {
    const tmp = `${hostPath}.part-${randomBytes(4).toString('hex')}`;
    try {
      await this.transfer('put', localPath, tmp, opts, this.tuning);
      if (opts.mode !== undefined) await this.sftpCall<void>((s, cb) => s.chmod(tmp, opts.mode as number, cb), tmp);
      await this.rename(tmp, hostPath);
    } catch (err) {
      await this.remove(tmp).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Fetches a file into a temp name beside localPath and renames it. `tuning` overrides the
   * SFTP request size/parallelism (the runtime retries a bad checksum with concurrency 1).
   */
  async get(hostPath: string, localPath: string, opts: TransferOptions & { tuning?: Partial<SftpTuning> } = {}): Promise<void> {
    const tmp = path.join(path.dirname(localPath), `.${path.basename(localPath)}.${randomBytes(4).toString('hex')}.partial`);
    fs.mkdirSync(path.dirname(localPath), { recursive: true });
    try {
      await this.transfer('get', hostPath, tmp, opts, { ...this.tuning, ...opts.tuning });
      if (opts.mode !== undefined) fs.chmodSync(tmp, opts.mode);
      fs.renameSync(tmp, localPath);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  private async sftpCall<T>(fn: (s: SFTPWrapper, cb: (err: Error | null | undefined, v?: T) => void) => void, p: string): Promise<T> {
    const sftp = await this.sftp();
    return new Promise<T>((resolve, reject) => fn(sftp, (err, v) => (err ? reject(this.sftpError(err, p)) : resolve(v as T))));
  }

  async stat(hostPath: string): Promise<HostStat | null> {
    try {
      const st = await this.sftpCall<import('ssh2').Stats>((s, cb) => s.stat(hostPath, cb), hostPath);
      return { size: st.size, mtimeMs: st.mtime * 1000, isDirectory: st.isDirectory() };
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return null;
      throw err;
    }
  }

  async list(hostDir: string): Promise<HostDirEntry[]> {
    const entries = await this.sftpCall<import('ssh2').FileEntryWithStats[]>((s, cb) => s.readdir(hostDir, cb), hostDir);
    return entries.map((e) => ({ name: e.filename, size: e.attrs.size, mtimeMs: e.attrs.mtime * 1000, isDirectory: e.attrs.isDirectory() }));
  }

  async readFile(hostPath: string, opts: { start?: number; maxBytes?: number } = {}): Promise<Buffer> {
    const sftp = await this.sftp();
    const start = opts.start ?? 0;
    const end = opts.maxBytes !== undefined ? start + opts.maxBytes - 1 : undefined;
    if (end !== undefined && end < start) return Buffer.alloc(0);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const rs = sftp.createReadStream(hostPath, { start, end });
      rs.on('data', (c: Buffer) => chunks.push(c));
      rs.on('error', (err: Error) => reject(this.sftpError(err, hostPath)));
      rs.on('end', () => resolve(Buffer.concat(chunks)));
    });
  }

  async writeFile(hostPath: string, data: string | Buffer, opts: { mode?: number } = {}): Promise<void> {
    const tmp = `${hostPath}.part-${randomBytes(4).toString('hex')}`;
    try {
      await this.sftpCall<void>((s, cb) => s.writeFile(tmp, data, { mode: opts.mode ?? 0o644 }, cb), tmp);
      if (opts.mode !== undefined) await this.sftpCall<void>((s, cb) => s.chmod(tmp, opts.mode as number, cb), tmp);
      await this.rename(tmp, hostPath);
    } catch (err) {
      await this.remove(tmp).catch(() => undefined);
      throw err;
    }
  }

  async mkdir(hostPath: string): Promise<void> {
    const r = await this.exec(['mkdir', '-p', '--', hostPath]);
    if (r.code !== 0) throw new Error(`${this.label}: cannot create ${hostPath}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  async remove(hostPath: string): Promise<void> {
    const r = await this.exec(['rm', '-rf', '--', hostPath]);
    if (r.code !== 0) throw new Error(`${this.label}: cannot remove ${hostPath}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  /** Atomic replace (OpenSSH posix-rename extension; plain SFTP rename where it is missing). */
  async rename(from: string, to: string): Promise<void> {
    try {
      await this.sftpCall<void>((s, cb) => s.ext_openssh_rename(from, to, cb), from);
    } catch (err) {
      if (!/not supported|Unsupported|extension/i.test((err as Error).message)) throw err;
      await this.sftpCall<void>((s, cb) => s.rename(from, to, cb), from);
    }
  }

  close(): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    this.closedFlag = true;
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 2000);
      this.conn.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.conn.end();
    });
  }
}
