// A real OpenSSH server on 127.0.0.1 for tests: `/usr/sbin/sshd -D -f <temp config> -e` on a
// free port, with a throw-away ed25519 host key and a throw-away client key in its
// authorized_keys. The "pod" is this machine: commands run as the current user (root in CI).
//
//   const sshd = await startSshd();
//   … connect to sshd.host:sshd.port as sshd.user with sshd.clientKeyPath …
//   await sshd.killSessions();        // SIGKILL every connection's server-side process
//   await sshd.swapHostKey();         // a new host key (as after a RunPod stop/start)
//   await sshd.stop();
//
// The local RunPod server's pods use the options below: their own host keys (hostKeyPaths),
// the account's keys (authorizedKeys), the pod's environment in every session (setEnv).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SSHD_BIN = '/usr/sbin/sshd';

export interface TestSshd {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Folder holding the config, keys and log. */
  readonly dir: string;
  /** OpenSSH-format private key that the server accepts. */
  readonly clientKeyPath: string;
  /** A second key the server does NOT accept (for auth-failure tests). */
  readonly wrongKeyPath: string;
  /** The server's host key fingerprint as `ssh-keygen -lf` prints it (SHA256:…). */
  hostKeyFingerprint(): string;
  /** Replace the host key with a new one and restart the server on the same port; returns the new fingerprint. */
  swapHostKey(): Promise<string>;
  /** SIGKILL the server-side process of every open connection (the link drops, the server keeps listening). */
  killSessions(): number;
  /** pids of the per-connection server processes. */
  sessionPids(): number[];
  /** An `ssh …` argv prefix for the OpenSSH client (no host-key prompts) for benchmarks. */
  sshArgs(): string[];
  stop(): Promise<void>;
}

export function sshdAvailable(): boolean {
  return fs.existsSync(SSHD_BIN) && process.platform === 'linux';
}

/**
 * The SSH suites (*.ssh.test.ts, vitest project `ssh`) never skip: without a real OpenSSH
 * server they fail at load with what to install (docs/architecture.md, "Tests").
 */
export function requireSshd(): void {
  if (!sshdAvailable()) throw new Error(`${SSHD_BIN} is missing: the SSH suites need a real OpenSSH server (Debian: apt-get install openssh-server; .ci/run installs it)`);
}

/** A built app (out/) the suite runs: missing means `npm run build` was not run (npm test builds first). */
export function requireBuilt(dir: string): void {
  if (!fs.existsSync(dir)) throw new Error(`${dir} is missing: run \`npm run build\` first (npm test builds before the suites)`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function keygen(file: string, comment: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdio: 'ignore' });
}

/** A new key at `file` of the same type as the one there (ed25519 when there is none). */
function keygenLike(file: string, comment: string): void {
  const type = fs.existsSync(`${file}.pub`) ? keyTypeOf(fs.readFileSync(`${file}.pub`, 'utf8')) : 'ed25519';
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', comment, '-f', file], { stdio: 'ignore' });
}

function keyTypeOf(pubLine: string): string {
  const algo = pubLine.trim().split(/\s+/)[0] ?? '';
  if (algo === 'ssh-rsa') return 'rsa';
  if (algo === 'ssh-dss') return 'dsa';
  if (algo.startsWith('ecdsa-')) return 'ecdsa';
  return 'ed25519';
}

/** SHA256:… of an OpenSSH public key line, exactly as `ssh-keygen -lf` prints it. */
export function fingerprintOfPublicKey(pubLine: string): string {
  const blob = Buffer.from(pubLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may contain spaces/parens: split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // the process went away
    }
  }
  return out;
}

function waitListening(port: number, proc: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        reject(new Error(`sshd exited (${proc.exitCode ?? proc.signalCode}): ${log()}`));
        return;
      }
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${port}: ${log()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export interface StartSshdOptions {
  /** Extra sshd_config lines. */
  extraConfig?: string[];
  /**
   * Host private keys (OpenSSH files) to serve instead of one throw-away ed25519 key (a RunPod
   * pod serves the keys its start script generated). hostKeyFingerprint() reports the first;
   * swapHostKey() replaces the first with a new key of the same type.
   */
  hostKeyPaths?: string[];
  /**
   * authorized_keys holds exactly these lines instead of the throw-away client key (a pod
   * accepts the account's registered keys); clientKeyPath is then NOT accepted.
   */
  authorizedKeys?: string[];
  /** Environment of every session (sshd_config `SetEnv`); names `[A-Za-z_][A-Za-z0-9_]*`, values without `"` or newlines. */
  setEnv?: Record<string, string>;
  /** Ports the server must not listen on (a restarted pod gets a new port). */
  avoidPorts?: number[];
  /** Listen on this port (chosen by the caller, e.g. to put it in setEnv) instead of a free one. */
  port?: number;
  /** Extra environment of the sshd process itself (inherited by its per-connection children). */
  processEnv?: Record<string, string>;
}

/** One `SetEnv` line: sshd uses only the first SetEnv directive, so all variables go on it. */
function setEnvLines(env: Record<string, string>): string[] {
  const pairs = Object.entries(env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`setEnv: ${JSON.stringify(name)} is not an environment variable name`);
    if (/["\r\n]/.test(value)) throw new Error(`setEnv: the value of ${name} contains a quote or a newline, which sshd_config cannot carry`);
    return `${name}="${value}"`;
  });
  return pairs.length ? [`SetEnv ${pairs.join(' ')}`] : [];
}

export async function freePortAvoiding(avoid: readonly number[]): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    if (!avoid.includes(port)) return port;
  }
  throw new Error(`no free port outside ${avoid.join(', ')}`);
}

export async function startSshd(opts: StartSshdOptions = {}): Promise<TestSshd> {
  if (!sshdAvailable()) throw new Error(`${SSHD_BIN} is not installed`);
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-sshd-'));
  fs.chmodSync(dir, 0o700);
  const hostKeys = opts.hostKeyPaths?.length ? [...opts.hostKeyPaths] : [path.join(dir, 'ssh_host_ed25519_key')];
  const hostKey = hostKeys[0] as string;
  const clientKeyPath = path.join(dir, 'client_ed25519');
  const wrongKeyPath = path.join(dir, 'wrong_ed25519');
  if (!opts.hostKeyPaths?.length) keygen(hostKey, 'flux-studio-test-host');
  keygen(clientKeyPath, 'flux-studio-test-client');
  keygen(wrongKeyPath, 'flux-studio-test-wrong');
  if (opts.authorizedKeys) fs.writeFileSync(path.join(dir, 'authorized_keys'), opts.authorizedKeys.map((k) => k.trim() + '\n').join(''));
  else fs.copyFileSync(`${clientKeyPath}.pub`, path.join(dir, 'authorized_keys'));
  const port = opts.port ?? (await freePortAvoiding(opts.avoidPorts ?? []));
  const user = os.userInfo().username;
  const configPath = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    configPath,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      ...hostKeys.map((k) => `HostKey ${k}`),
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'Subsystem sftp internal-sftp',
      'MaxSessions 30',
      'MaxStartups 100:30:200',
      'LogLevel ERROR',
      'PrintMotd no',
      'UseDNS no',
      ...setEnvLines(opts.setEnv ?? {}),
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
  );

  let proc: ChildProcess;
  let log = '';
  const launch = async () => {
    log = '';
    proc = spawn(SSHD_BIN, ['-D', '-f', configPath, '-e'], { stdio: ['ignore', 'ignore', 'pipe'], ...(opts.processEnv ? { env: { ...process.env, ...opts.processEnv } } : {}) });
    proc.stderr?.on('data', (c: Buffer) => {
      log = (log + c.toString('utf8')).slice(-4000);
    });
    await waitListening(port, proc, () => log);
  };
  const halt = async () => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  };
  await launch();

  const sessionPids = () => (proc?.pid ? childrenOf(proc.pid) : []);
  const killSessions = () => {
    let n = 0;
    for (const pid of sessionPids()) {
      try {
        process.kill(pid, 'SIGKILL');
        n++;
      } catch {
        // already gone
      }
    }
    return n;
  };

  return {
    host: '127.0.0.1',
    port,
    user,
    dir,
    clientKeyPath,
    wrongKeyPath,
    hostKeyFingerprint: () => fingerprintOfPublicKey(fs.readFileSync(`${hostKey}.pub`, 'utf8')),
    async swapHostKey() {
      await halt();
      keygenLike(hostKey, 'flux-studio-test-host-2');
      await launch();
      return fingerprintOfPublicKey(fs.readFileSync(`${hostKey}.pub`, 'utf8'));
    },
    killSessions,
    sessionPids,
    sshArgs: () => [
      '-p',
      String(port),
      '-i',
      clientKeyPath,
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      `UserKnownHostsFile=${path.join(dir, 'known_hosts')}`,
      '-o',
      'BatchMode=yes',
      '-o',
      'LogLevel=ERROR',
      `${user}@127.0.0.1`,
    ],
    async stop() {
      killSessions();
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
