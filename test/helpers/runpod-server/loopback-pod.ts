// A "pod" made real on this machine: what RunPod's start script does when a pod starts with
// PUBLIC_KEY set, with a real OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts).
//
//  - host keys generated fresh on the container disk (wiped on stop, so every start has new
//    keys) and their `ssh-keygen -lf` fingerprints printed to the pod log (pod-logs.ts);
//  - an sshd on a NEW free port each start, accepting the account's SSH keys registered when
//    the pod was created, whose sessions carry the pod's environment (RUNPOD_POD_ID,
//    RUNPOD_API_KEY, RUNPOD_PUBLIC_IP, RUNPOD_TCP_PORT_22, …) via sshd_config SetEnv;
//  - the same variables in `<podRoot>/rp_environment` (RunPod: /etc/rp_environment);
//  - every process a session starts, detached or not, carries MARK_VAR in its environment, so
//    stop() finds and kills them by scanning /proc (as a stopped container's processes die).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startSshd, type TestSshd } from '../sshd';
import type { LogSource } from './pod-logs';

export const MARK_VAR = 'FLUX_TEST_RUNPOD_POD';

export type HostKeyType = 'rsa' | 'dsa' | 'ecdsa' | 'ed25519';
/** The start script's order; sshd serves all but DSA (OpenSSH's default host keys). */
export const START_SCRIPT_KEY_TYPES: readonly HostKeyType[] = ['rsa', 'dsa', 'ecdsa', 'ed25519'];

export interface LoopbackPodOptions {
  podRoot: string;
  /** Wiped before each start (and on stop): the container disk. */
  containerDir: string;
  /** authorized_keys; empty: the start script starts no sshd (nothing listens on the port). */
  authorizedKeys: readonly string[];
  env: Record<string, string>;
  /** Unique per start: the value of MARK_VAR in every session. */
  mark: string;
  keyTypes: readonly HostKeyType[];
  avoidPorts: readonly number[];
  /** Reserve this port when no sshd is started (so the API can still report an address). */
  reservePort: () => Promise<number>;
  log: (source: LogSource, line: string) => void;
  /** The port the sshd will listen on is only known after start: env values may use it. */
  envForPort: (port: number) => Record<string, string>;
}

export interface LoopbackPod {
  readonly port: number;
  readonly sshd: TestSshd | null;
  readonly envFile: string;
  readonly hostname: string;
  /** `SHA256:…` of each key the sshd serves. */
  readonly fingerprints: string[];
  stop(): Promise<void>;
}

const LABEL: Record<HostKeyType, string> = { rsa: 'RSA', dsa: 'DSA', ecdsa: 'ECDSA', ed25519: 'ED25519' };

function fingerprintLine(pubFile: string): string {
  return execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' }).trim();
}

/** Pids whose environment holds `${MARK_VAR}=<value starting with prefix>`. */
export function markedPids(prefix: string): number[] {
  const needle = Buffer.from(`${MARK_VAR}=${prefix}`);
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`);
      let at = env.indexOf(needle);
      while (at >= 0) {
        if (at === 0 || env[at - 1] === 0) {
          out.push(Number(name));
          break;
        }
        at = env.indexOf(needle, at + 1);
      }
    } catch {
      // gone, or a kernel thread
    }
  }
  return out;
}

/** SIGKILL every process marked with `prefix` until none is left (children may fork meanwhile). */
export async function killMarked(prefix: string): Promise<number> {
  let killed = 0;
  for (let round = 0; round < 20; round++) {
    const pids = markedPids(prefix);
    if (!pids.length) return killed;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return killed;
}

function quoteForEnvFile(value: string): string {
  return value.replace(/["\\$`]/g, (c) => `\\${c}`);
}

export async function startLoopbackPod(opts: LoopbackPodOptions): Promise<LoopbackPod> {
  fs.rmSync(opts.containerDir, { recursive: true, force: true });
  const sshDir = path.join(opts.containerDir, 'etc', 'ssh');
  fs.mkdirSync(sshDir, { recursive: true, mode: 0o755 });
  const hostname = randomBytes(6).toString('hex'); // a container id, as `hostname` prints in a pod
  const log = opts.log;
  log('container', 'Pod Started');
  const served: string[] = [];
  if (opts.authorizedKeys.length) {
    log('container', 'Setting up SSH...');
    const made: { type: HostKeyType; file: string }[] = [];
    for (const type of opts.keyTypes) {
      const file = path.join(sshDir, `ssh_host_${type}_key`);
      try {
        execFileSync('ssh-keygen', ['-t', type, '-f', file, '-q', '-N', '', '-C', `root@${hostname}`], { stdio: 'ignore' });
      } catch {
        continue; // an ssh-keygen without DSA support: the key is simply absent
      }
      log('container', `${LABEL[type]} key fingerprint:`);
      log('container', fingerprintLine(`${file}.pub`));
      made.push({ type, file });
    }
    for (const k of made) if (k.type !== 'dsa') served.push(k.file);
    if (!served.length) throw new Error('loopback pod: no host key could be generated');
  }

  let sshd: TestSshd | null = null;
  let port: number;
  let env: Record<string, string>;
  if (served.length) {
    // The port is chosen by startSshd; the session env needs it, so pick it first.
    port = await opts.reservePort();
    env = { ...opts.env, ...opts.envForPort(port) };
    sshd = await startSshd({
      hostKeyPaths: served,
      authorizedKeys: [...opts.authorizedKeys],
      setEnv: { ...sshEnv(env), [MARK_VAR]: opts.mark },
      avoidPorts: [...opts.avoidPorts],
      port,
      // The sshd itself carries the mark too, so a crashed test's leftovers can be found.
      processEnv: { [MARK_VAR]: opts.mark },
    });
    log('container', ' * Starting OpenBSD Secure Shell server sshd');
    log('container', '   ...done.');
    log('container', 'SSH host keys:');
    for (const pub of fs.readdirSync(sshDir).filter((f) => f.endsWith('.pub')).sort()) {
      log('container', `Key: /etc/ssh/${pub}`);
      log('container', fingerprintLine(path.join(sshDir, pub)));
    }
  } else {
    port = await opts.reservePort();
    env = { ...opts.env, ...opts.envForPort(port) };
  }

  log('container', 'Exporting environment variables...');
  const envFile = path.join(opts.podRoot, 'rp_environment');
  fs.writeFileSync(
    envFile,
    Object.entries(env)
      .filter(([k]) => /^[A-Z_][A-Z0-9_]*$/.test(k) && k !== 'PUBLIC_KEY')
      .map(([k, v]) => `export ${k}="${quoteForEnvFile(v)}"\n`)
      .join(''),
    { mode: 0o600 },
  );
  log('container', 'Start script(s) finished, Pod is ready to use.');

  const fingerprints = served.map((f) => fingerprintLine(`${f}.pub`).split(/\s+/)[1] ?? '');
  let stopped = false;
  return {
    port,
    sshd,
    envFile,
    hostname,
    fingerprints,
    async stop() {
      if (stopped) return;
      stopped = true;
      await killMarked(opts.mark);
      if (sshd) await sshd.stop();
      await killMarked(opts.mark);
      fs.rmSync(opts.containerDir, { recursive: true, force: true });
    },
  };
}

/** The variables sshd_config SetEnv can carry (no quotes or newlines; PUBLIC_KEY stays out, as in the start script). */
function sshEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !/["\r\n]/.test(v) && k !== 'PUBLIC_KEY'));
}
