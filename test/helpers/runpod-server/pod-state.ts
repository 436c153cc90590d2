// The pod state machine of the local RunPod server (RunPod v2; runpod.md §2):
//
//   create → PROVISIONING ─provisionMs→ STARTING ─startMs (+ the start script)→ RUNNING
//   RUNNING ─stop─ stopMs→ EXITED ─start→ STARTING → RUNNING (new port, new host keys)
//   RUNNING ─restart→ STARTING → RUNNING          any ─terminate→ TERMINATED (gone from the API)
//   a start that fails (failNextStart) → ERROR ─start→ …
//
// `actions[]` per status is exactly what the spec lists; any other action answers 409.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePortAvoiding } from '../sshd';
import { PodMeter, type Accrual } from './billing';
import { startLoopbackPod, START_SCRIPT_KEY_TYPES, type HostKeyType, type LoopbackPod } from './loopback-pod';
import { PodLog } from './pod-logs';

export type PodStatus = 'PROVISIONING' | 'STARTING' | 'RUNNING' | 'EXITED' | 'ERROR' | 'TERMINATED';
export type PodAction = 'start' | 'stop' | 'restart' | 'terminate';

export const ACTIONS: Record<PodStatus, PodAction[]> = {
  PROVISIONING: ['stop', 'terminate'],
  STARTING: ['stop', 'terminate'],
  RUNNING: ['stop', 'restart', 'terminate'],
  EXITED: ['start', 'terminate'],
  ERROR: ['start', 'terminate'],
  TERMINATED: [],
};

export interface Delays {
  provisionMs: number;
  startMs: number;
  stopMs: number;
  /** After a start, GET keeps reporting the previous ssh.direct for this long (RunPod does right after a resume). */
  staleAddressMs: number;
}

export interface SshDirect {
  host: string;
  port: number;
  username: string;
  command: string;
}

export interface PodRecord {
  id: string;
  name: string;
  image: string;
  args: string;
  disk: number;
  ports: string[];
  env: Record<string, string>;
  registry: string | null;
  gpu: { id: string; count: number } | null;
  cloud: 'SECURE' | 'COMMUNITY';
  dataCenterId: string;
  cudaVersion: string;
  templateId: string | null;
  locked: boolean;
  createdAt: string;
  startedAt: string | null;
  runningSince: number | null;
  status: PodStatus;
  mounts: { persistent?: { size: number; path: string }; network?: { volumeId: string; path: string }[] };
  /** The directory of the pod's volume (persistent path or the network volume's path), or null. */
  volumePath: string | null;
  /** `startSsh: true` with the account's keys at creation (PUBLIC_KEY). */
  authorizedKeys: string[];
  /** RUNPOD_API_KEY inside the pod: accepted only for its own GET and stop. */
  podApiKey: string;
  /** Made on RunPod's website (addPod), not through this API. */
  madeOnWebsite: boolean;
  /** USD/h of the GPUs (price × count) at the pod's cloud. */
  gpuUsdPerHour: number;
  podRoot: string;
  direct: SshDirect | null;
  previousDirect: SshDirect | null;
  staleUntil: number;
  starts: number;
  loopback: LoopbackPod | null;
  log: PodLog;
  meter: PodMeter;
  timer: NodeJS.Timeout | null;
  /** Bumped on every transition: a pending timer or start of an older generation is void. */
  generation: number;
  failNextStart: string | null;
  /** RUNPOD_POD_HOSTNAME is `<pod id>-<8 hex>`. */
  hostSuffix: string;
  /** A stop answered before the pod's processes died (replyFirst): settles once they have. */
  halting: Promise<void> | null;
}

export interface MachineOptions {
  delays: Delays;
  serverId: string;
  apiBase: () => string;
  keyTypes: readonly HostKeyType[];
  rootDir: string;
  onChange?: (pod: PodRecord) => void;
}

export function newId(): string {
  // RunPod pod ids: 14 lowercase alphanumerics.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.randomBytes(14), (b) => alphabet[b % alphabet.length]).join('');
}

export class PodMachine {
  readonly pods = new Map<string, PodRecord>();
  private closing = false;
  private pending = new Set<Promise<unknown>>();

  constructor(private readonly opts: MachineOptions) {}

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  private billing(pod: PodRecord) {
    const running = pod.status === 'RUNNING';
    return {
      running,
      computeUsdPerHour: pod.gpuUsdPerHour,
      containerDiskGb: pod.disk,
      volumeGb: pod.mounts.persistent?.size ?? 0,
    };
  }

  private setStatus(pod: PodRecord, status: PodStatus): void {
    pod.status = status;
    pod.generation++;
    if (pod.timer) clearTimeout(pod.timer);
    pod.timer = null;
    if (status === 'TERMINATED') pod.meter.end();
    else pod.meter.update(this.billing(pod));
    this.opts.onChange?.(pod);
  }

  private after(pod: PodRecord, ms: number, fn: () => void): void {
    const gen = pod.generation;
    pod.timer = setTimeout(() => {
      pod.timer = null;
      if (pod.generation === gen && !this.closing) fn();
    }, ms);
  }

  add(pod: PodRecord, initial: 'PROVISIONING' | 'RUNNING' | 'EXITED'): void {
    this.pods.set(pod.id, pod);
    fs.mkdirSync(pod.podRoot, { recursive: true });
    if (pod.volumePath) fs.mkdirSync(pod.volumePath, { recursive: true });
    if (initial === 'PROVISIONING') {
      pod.log.append('system', `create pod ${pod.id}: ${pod.gpu ? `${pod.gpu.count}x ${pod.gpu.id}` : 'cpu'}, image ${pod.image}`);
      this.setStatus(pod, 'PROVISIONING');
      this.after(pod, this.opts.delays.provisionMs, () => this.beginStart(pod));
    } else if (initial === 'RUNNING') {
      this.setStatus(pod, 'STARTING');
      this.beginStart(pod, 0);
    } else {
      this.setStatus(pod, 'EXITED');
    }
  }

  /** STARTING, then the start script (sshd) and RUNNING after startMs. */
  private beginStart(pod: PodRecord, delayMs = this.opts.delays.startMs): void {
    if (pod.status !== 'STARTING') this.setStatus(pod, 'STARTING');
    pod.log.append('system', 'start container');
    const gen = pod.generation;
    const t0 = Date.now();
    this.track(
      (async () => {
        if (pod.failNextStart) {
          const why = pod.failNextStart;
          pod.failNextStart = null;
          await new Promise((r) => setTimeout(r, delayMs));
          if (pod.generation !== gen || this.closing) return;
          pod.log.append('system', why);
          this.setStatus(pod, 'ERROR');
          return;
        }
        pod.starts++;
        const mark = `${this.opts.serverId}:${pod.id}:${pod.starts}`;
        const avoid = [pod.direct?.port, pod.previousDirect?.port].filter((p): p is number => typeof p === 'number');
        let loopback: LoopbackPod;
        try {
          loopback = await startLoopbackPod({
            podRoot: pod.podRoot,
            containerDir: path.join(pod.podRoot, 'container'),
            authorizedKeys: pod.authorizedKeys,
            env: { ...pod.env, ...(pod.authorizedKeys.length ? { PUBLIC_KEY: pod.authorizedKeys.join('\n') } : {}) },
            mark,
            keyTypes: this.opts.keyTypes,
            avoidPorts: avoid,
            reservePort: () => freePortAvoiding(avoid),
            log: (source, line) => pod.log.append(source, line),
            envForPort: (port) => this.podEnv(pod, port),
          });
        } catch (e) {
          if (pod.generation !== gen) return;
          pod.log.append('system', `start failed: ${(e as Error).message}`);
          this.setStatus(pod, 'ERROR');
          return;
        }
        if (pod.generation !== gen || this.closing) {
          await loopback.stop();
          return;
        }
        pod.loopback = loopback;
        const wait = Math.max(0, delayMs - (Date.now() - t0));
        this.after(pod, wait, () => this.becomeRunning(pod));
      })(),
    );
  }

  private podEnv(pod: PodRecord, port: number): Record<string, string> {
    return {
      RUNPOD_POD_ID: pod.id,
      RUNPOD_API_KEY: pod.podApiKey,
      RUNPOD_POD_HOSTNAME: `${pod.id}-${pod.hostSuffix}`,
      RUNPOD_CPU_COUNT: '8',
      RUNPOD_PUBLIC_IP: '127.0.0.1',
      RUNPOD_TCP_PORT_22: String(port),
      RUNPOD_GPU_COUNT: String(pod.gpu?.count ?? 0),
      RUNPOD_DC_ID: pod.dataCenterId,
      ...(pod.mounts.network?.[0] ? { RUNPOD_VOLUME_ID: pod.mounts.network[0].volumeId } : {}),
      // Test-only: where the on-pod watchdog reaches this server instead of api.runpod.io.
      RUNPOD_API_BASE: this.opts.apiBase(),
    };
  }

  private becomeRunning(pod: PodRecord): void {
    const lb = pod.loopback;
    if (!lb) return;
    const user = os.userInfo().username;
    const direct: SshDirect | null = pod.ports.includes('22/tcp') ? { host: '127.0.0.1', port: lb.port, username: user, command: `ssh ${user}@127.0.0.1 -p ${lb.port}` } : null;
    if (pod.direct && this.opts.delays.staleAddressMs > 0) {
      pod.previousDirect = pod.direct;
      pod.staleUntil = Date.now() + this.opts.delays.staleAddressMs;
    } else {
      pod.previousDirect = null;
      pod.staleUntil = 0;
    }
    pod.direct = direct;
    pod.runningSince = Date.now();
    pod.startedAt = new Date().toISOString();
    this.setStatus(pod, 'RUNNING');
  }

  /** Kill the loopback pod (sshd, sessions, processes) and wipe the container disk. */
  private async halt(pod: PodRecord): Promise<void> {
    const lb = pod.loopback;
    pod.loopback = null;
    if (lb) await lb.stop();
  }

  /**
   * Apply an action; returns an error string when it is not valid for the current status (→ 409).
   * `replyFirst`: a stop asked from inside the pod (its own RUNPOD_API_KEY) reports EXITED at
   * once and kills the pod's processes just after, so the asking process (the on-pod watchdog)
   * still gets its answer, as from RunPod, whose API answers before the container stops.
   */
  async act(pod: PodRecord, action: PodAction, opts: { replyFirst?: boolean } = {}): Promise<string | null> {
    if (!ACTIONS[pod.status].includes(action)) {
      return `Cannot ${action} pod ${pod.id}: it is ${pod.status} (valid actions: ${ACTIONS[pod.status].join(', ') || 'none'}).`;
    }
    if (action === 'terminate') {
      await this.terminate(pod);
      return null;
    }
    if (action === 'start') {
      pod.log.append('system', 'resume pod');
      this.beginStart(pod);
      return null;
    }
    if (action === 'restart') {
      pod.log.append('system', 'restart container');
      pod.generation++;
      await this.halt(pod);
      pod.runningSince = null;
      this.beginStart(pod);
      return null;
    }
    // stop
    pod.log.append('system', 'stop container');
    const finish = async () => {
      await this.halt(pod);
      pod.runningSince = null;
      if (pod.status !== 'TERMINATED') this.setStatus(pod, 'EXITED');
    };
    if (opts.replyFirst) {
      pod.generation++;
      const lb = pod.loopback;
      pod.loopback = null;
      pod.runningSince = null;
      this.setStatus(pod, 'EXITED');
      if (lb) {
        const halted = new Promise<void>((resolve) => setTimeout(resolve, 200)).then(() => lb.stop());
        pod.halting = this.track(halted).finally(() => {
          pod.halting = null;
        });
      }
    } else if (this.opts.delays.stopMs <= 0 || pod.status !== 'RUNNING') {
      pod.generation++; // void a pending start
      await finish();
    } else {
      const gen = pod.generation;
      pod.timer = setTimeout(() => {
        pod.timer = null;
        if (pod.generation === gen && !this.closing) void this.track(finish());
      }, this.opts.delays.stopMs);
    }
    return null;
  }

  async terminate(pod: PodRecord): Promise<void> {
    pod.generation++;
    await this.halt(pod);
    pod.runningSince = null;
    pod.direct = null;
    pod.previousDirect = null;
    this.setStatus(pod, 'TERMINATED');
    pod.log.append('system', 'terminate pod');
    pod.log.end();
    if (pod.mounts.persistent && pod.volumePath) fs.rmSync(pod.volumePath, { recursive: true, force: true });
    fs.rmSync(pod.podRoot, { recursive: true, force: true });
  }

  /** The ssh.direct the API reports now (the previous one during the stale window). */
  reportedDirect(pod: PodRecord, now = Date.now()): SshDirect | null {
    if (pod.status !== 'RUNNING') return null;
    if (pod.previousDirect && now < pod.staleUntil) return pod.previousDirect;
    return pod.direct;
  }

  accrued(pod: PodRecord): Accrual {
    return pod.meter.read();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const pod of this.pods.values()) {
      if (pod.timer) clearTimeout(pod.timer);
      pod.timer = null;
      pod.generation++;
    }
    await Promise.allSettled([...this.pending]);
    await Promise.allSettled([...this.pods.values()].map((p) => this.halt(p)));
  }
}

export { START_SCRIPT_KEY_TYPES };
