// One SSH connection per pod, shared by everything that talks to it (status, preparation,
// the warm worker that generation starts through pod-links.ts, transfers). Connects on demand
// with the pod's pinned host key; keepalive is on; a dropped link is reported as a status
// change and queued work reconnects with backoff (1 s doubling to 30 s) while the failure is
// transient (refused, timeout, lost).
// Errors that need the user (auth, key, host key) fail at once with their message.
import type { PodProfile, PodStatus } from '@shared/contract/pods';
import { isSshError, SshError } from '../hosts/ssh-errors';
import { pinnedPolicy, SshHost, type HostKeyInfo, type SftpTuning } from '../hosts/ssh-host';
import type { Logger } from '../logging/logger';
import type { SecretsService } from '../secrets/secrets-service';
import { podPython, type PodRepo } from './pod-repo';
import { setTimeout as wait } from 'node:timers/promises';

export const passphraseSecret = (podId: string) => `pod.${podId}.passphrase`;

export interface ReconnectPolicy {
  /** First wait (ms), doubled each attempt up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up after this long in total (ms). */
  giveUpAfterMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 1000, maxDelayMs: 30_000, giveUpAfterMs: 5 * 60_000 };

export interface PodConnectionsOptions {
  repo: PodRepo;
  secrets: SecretsService;
  log: Logger;
  onStatus(status: PodStatus): void;
  reconnect?: Partial<ReconnectPolicy>;
  sftp?: Partial<SftpTuning>;
  noChacha?: boolean;
}

interface Entry {
  host: SshHost | null;
  connecting: Promise<SshHost> | null;
  status: PodStatus;
}

/** Waits ms, or rejects with an AbortError when the signal fires (node:timers/promises). */
function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return wait(ms, undefined, signal ? { signal } : undefined);
}

export class PodConnections {
  private readonly entries = new Map<string, Entry>();
  private readonly reconnect: ReconnectPolicy;
  private closed = false;
  private readonly beforeDisconnectListeners: ((podId: string) => Promise<void>)[] = [];

  constructor(private readonly opts: PodConnectionsOptions) {
    this.reconnect = { ...DEFAULT_RECONNECT, ...opts.reconnect };
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = {
        host: null,
        connecting: null,
        status: { id, state: 'disconnected', error: null, gpus: [], gpuNote: null, prepared: null, worker: { state: 'none', device: null, pipeline: null }, updatedAt: new Date().toISOString() },
      };
      this.entries.set(id, e);
    }
    return e;
  }

  private setStatus(id: string, patch: Partial<PodStatus>): PodStatus {
    const e = this.entry(id);
    e.status = { ...e.status, ...patch, updatedAt: new Date().toISOString() };
    this.opts.onStatus(e.status);
    return e.status;
  }

  status(id: string): PodStatus {
    return this.entry(id).status;
  }

  allStatus(ids: readonly string[]): PodStatus[] {
    return ids.map((id) => this.status(id));
  }

  private connectOptions(pod: PodProfile) {
    return {
      host: pod.host,
      port: pod.port,
      username: pod.user,
      privateKeyPath: pod.keyPath,
      passphrase: this.opts.secrets.getNamed(passphraseSecret(pod.id)),
      readyTimeoutMs: pod.connectTimeoutSec * 1000,
      label: `ssh:${pod.name}`,
      sftp: this.opts.sftp,
      noChacha: this.opts.noChacha,
    };
  }

  /** The host key the pod presents now, without authenticating. */
  async scanHostKey(pod: PodProfile): Promise<HostKeyInfo> {
    let seen: HostKeyInfo | null = null;
    try {
      const host = await SshHost.connect({
        ...this.connectOptions(pod),
        hostKeyPolicy: (key) => {
          seen = key;
          return 'unknown';
        },
      });
      await host.close();
    } catch (err) {
      if (seen) return seen;
      throw err;
    }
    if (seen) return seen;
    throw new SshError('protocol', `${pod.host}:${pod.port} presented no host key.`);
  }

  /** The live connection, connecting once if needed (no retries). */
  async host(pod: PodProfile): Promise<SshHost> {
    if (this.closed) throw new SshError('closed', 'The studio is shutting down.');
    const e = this.entry(pod.id);
    if (e.host && !e.host.closed) return e.host;
    if (e.connecting) return e.connecting;
    this.setStatus(pod.id, { state: e.status.state === 'reconnecting' ? 'reconnecting' : 'connecting' });
    const attempt = SshHost.connect({ ...this.connectOptions(pod), hostKeyPolicy: pinnedPolicy(pod.hostKey?.fingerprint ?? null) }).then(
      (host) => {
        e.host = host;
        e.connecting = null;
        this.setStatus(pod.id, { state: 'connected', error: null });
        host.onClose((why) => {
          if (e.host !== host) return;
          e.host = null;
          this.opts.log.warn(`${host.label}: ${why.message}`);
          this.setStatus(pod.id, { state: why.code === 'lost' ? 'error' : 'disconnected', error: why.code === 'lost' ? { code: 'lost', message: why.message } : null, worker: { state: 'none', device: null, pipeline: null } });
        });
        return host;
      },
      (err: unknown) => {
        e.connecting = null;
        const se = isSshError(err) ? err : new SshError('protocol', String((err as Error)?.message ?? err));
        this.setStatus(pod.id, { state: 'error', error: { code: se.code, message: se.message } });
        throw se;
      },
    );
    e.connecting = attempt;
    return attempt;
  }

  /**
   * The connection, retrying transient failures with backoff (for queued work). `onWait`
   * hears each failure and the delay before the next try.
   */
  async hostWithRetry(pod: PodProfile, signal?: AbortSignal, onWait?: (err: SshError, delayMs: number, attempt: number) => void): Promise<SshHost> {
    const started = Date.now();
    let delay = this.reconnect.initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      try {
        return await this.host(pod);
      } catch (err) {
        if (!isSshError(err) || !err.transient || this.closed) throw err;
        if (Date.now() - started + delay > this.reconnect.giveUpAfterMs) {
          throw new SshError(err.code, `${err.message} (gave up reconnecting after ${Math.round((Date.now() - started) / 1000)} s)`);
        }
        this.setStatus(pod.id, { state: 'reconnecting', error: { code: err.code, message: err.message } });
        onWait?.(err, delay, attempt);
        this.opts.log.info(`ssh:${pod.name}: ${err.message} — retrying in ${Math.round(delay / 100) / 10} s (attempt ${attempt})`);
        await sleep(delay, signal);
        delay = Math.min(this.reconnect.maxDelayMs, delay * 2);
      }
    }
  }

  /** Connects (if needed) and reads GPU name and VRAM with nvidia-smi. */
  async refresh(pod: PodProfile): Promise<PodStatus> {
    let host: SshHost;
    try {
      host = await this.host(pod);
    } catch {
      return this.status(pod.id);
    }
    const r = await host
      .exec(['nvidia-smi', '--query-gpu=name,memory.used,memory.total', '--format=csv,noheader,nounits'], { timeoutMs: 15_000 })
      .catch((err: Error) => ({ code: null, stdout: '', stderr: err.message }));
    const prepared = await this.checkPrepared(pod, host);
    if (r.code === 0) {
      const gpus = parseNvidiaSmi(r.stdout);
      return this.setStatus(pod.id, { gpus, gpuNote: gpus.length === 0 ? 'nvidia-smi lists no GPU' : null, prepared });
    }
    const missing = r.code === 127 || /not found/i.test(r.stderr);
    return this.setStatus(pod.id, { gpus: [], gpuNote: missing ? 'no NVIDIA GPU (nvidia-smi not found on the pod)' : `nvidia-smi failed: ${r.stderr.trim().slice(0, 200) || `exit ${r.code}`}`, prepared });
  }

  /**
   * Whether the worker's python runs there: the profile's own python, or the venv bootstrap.sh
   * made with its requirements marker (a half-made venv is not prepared). null: could not tell.
   */
  private async checkPrepared(pod: PodProfile, host: SshHost): Promise<boolean | null> {
    const python = podPython(pod);
    const marker = pod.python === null ? `${pod.workspace.replace(/\/+$/, '')}/.venv/.flux-studio-requirements.sha256` : '';
    // A fixed script; the paths travel as its arguments (never spliced into it).
    const r = await host
      .exec(['sh', '-c', 'test -x "$1" || exit 1; [ -z "$2" ] || test -f "$2"', 'sh', python, marker], { timeoutMs: 15_000 })
      .catch(() => null);
    if (!r || r.code === null) return null;
    return r.code === 0;
  }

  /** Merges into the pod's status (the warm worker's state, reported by whoever runs it; prepared after a preparation). */
  updateStatus(id: string, patch: Partial<Pick<PodStatus, 'worker' | 'prepared'>>): PodStatus {
    return this.setStatus(id, patch);
  }

  /** `listener` runs before a pod's connection is closed on purpose (it stops what runs over it). */
  beforeDisconnect(listener: (podId: string) => Promise<void>): void {
    this.beforeDisconnectListeners.push(listener);
  }

  async disconnect(id: string): Promise<PodStatus> {
    const e = this.entry(id);
    const host = e.host;
    e.host = null;
    for (const listener of this.beforeDisconnectListeners) await listener(id).catch(() => undefined);
    await host?.close();
    return this.setStatus(id, { state: 'disconnected', error: null, worker: { state: 'none', device: null, pipeline: null } });
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.keys()].map((id) => this.disconnect(id).catch(() => undefined)));
  }
}

export function parseNvidiaSmi(text: string): { name: string; memoryUsedMiB: number; memoryTotalMiB: number }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const parts = l.split(',').map((p) => p.trim());
      const total = Number(parts.at(-1));
      const used = Number(parts.at(-2));
      return { name: parts.slice(0, -2).join(', '), memoryUsedMiB: Number.isFinite(used) ? used : 0, memoryTotalMiB: Number.isFinite(total) ? total : 0 };
    })
    .filter((g) => g.name !== '');
}
