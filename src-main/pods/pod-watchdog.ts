// The on-pod idle watchdog seen from the studio (docs/architecture.md, "RunPod: the idle
// watchdog"). native/pod/watchdog.py runs detached on the pod and stops it through RunPod's
// API after N idle minutes; this module arms it, reads its countdown, extends it and marks
// activity, over any Host (an SshHost for a pod). Commands are argv arrays of fixed words,
// paths from the profile and numbers; the RunPod key is never passed: the watchdog reads the
// pod-scoped key RunPod injects into the pod. Part of the pods layer: it knows nothing of
// src-main/runpod/, which calls it for `runpod.watchdog` / `runpod.extendWatchdog`.
import path from 'node:path';
import type { PodProfile } from '@shared/contract/pods';
import { WatchdogStatus } from '@shared/contract/runpod';
import type { Host } from '../hosts/host';
import { StudioError } from '../core/studio-error';
import { podDir, syncPodFiles } from './pod-files';

/** The setting's default (runpodIdleStopMinutes) and the watchdog's own. */
export const DEFAULT_IDLE_MINUTES = 15;
const COMMAND_TIMEOUT_MS = 60_000;

export interface WatchdogPaths {
  /** watchdog.py as pod-files.ts uploads it (<workspace>/flux-studio/watchdog.py). */
  script: string;
  /** <workspace>/flux-studio/watchdog: settings.json, state.json, activity, watchdog.lock, watchdog.log. */
  dir: string;
  /** The marker whose mtime is the last activity (the worker's --activity). */
  activity: string;
  log: string;
}

export function watchdogPaths(workspace: string): WatchdogPaths {
  const dir = path.posix.join(podDir(workspace), 'watchdog');
  return { script: path.posix.join(podDir(workspace), 'watchdog.py'), dir, activity: path.posix.join(dir, 'activity'), log: path.posix.join(dir, 'watchdog.log') };
}

export interface WatchdogCommandOptions {
  /** The interpreter on the host (default python3: the watchdog needs only the standard library). */
  python?: string;
}

export interface ArmWatchdogOptions extends WatchdogCommandOptions {
  workspace: string;
  /** Idle minutes before the pod is stopped (the setting runpodIdleStopMinutes). */
  idleMinutes: number;
  /** RunPod's API base; null/absent: the pod's RUNPOD_API_BASE, else https://api.runpod.io. */
  apiBase?: string | null;
  /** Tests only: a countdown in seconds instead of idleMinutes. */
  idleSeconds?: number;
  /** Tests only: seconds between the daemon's checks (default 15). */
  tickSeconds?: number;
  /** Where RUNPOD_* are read from when the daemon's environment lacks them (default /etc/rp_environment). */
  envFile?: string;
}

function checkPositive(name: string, n: number, max: number): void {
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new StudioError('invalid_input', `${name} must be a number between 0 and ${max} (got ${n})`, name);
}

async function runWatchdog(host: Host, workspace: string, args: readonly string[], o: WatchdogCommandOptions): Promise<WatchdogStatus> {
  const p = watchdogPaths(workspace);
  const argv = [o.python ?? 'python3', p.script, ...args.slice(0, 1), '--workspace', workspace.replace(/\/+$/, ''), ...args.slice(1)];
  const r = await host.exec(argv, { timeoutMs: COMMAND_TIMEOUT_MS });
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ').slice(0, 500);
    throw new StudioError('unavailable', `${host.label}: the idle watchdog's ${args[0]} failed (exit ${r.code ?? r.signal}): ${why || 'no output'}`);
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new StudioError('internal', `${host.label}: the idle watchdog printed no status (${line.slice(0, 200) || 'nothing'})`);
  }
  const parsed = WatchdogStatus.safeParse(json);
  if (!parsed.success) throw new StudioError('internal', `${host.label}: the idle watchdog's status does not fit (${parsed.error.issues[0]?.message ?? 'unknown'})`);
  return parsed.data;
}

/**
 * Starts the watchdog on the host (or replaces a running one's settings: one per workspace)
 * and counts this as activity. watchdog.py must be on the host (pod-files.ts syncPodFiles
 * uploads it with the worker).
 */
export async function armWatchdog(host: Host, o: ArmWatchdogOptions): Promise<WatchdogStatus> {
  const args: string[] = ['arm'];
  if (o.idleSeconds !== undefined) {
    checkPositive('idleSeconds', o.idleSeconds, 7 * 24 * 3600);
    args.push('--idle-seconds', String(o.idleSeconds));
  } else {
    checkPositive('idleMinutes', o.idleMinutes, 7 * 24 * 60);
    args.push('--idle-minutes', String(o.idleMinutes));
  }
  if (o.apiBase) {
    if (!/^https?:\/\/[^\s]+$/.test(o.apiBase)) throw new StudioError('invalid_input', `apiBase must be an http(s) URL (got ${o.apiBase})`, 'apiBase');
    args.push('--api-base', o.apiBase);
  }
  if (o.tickSeconds !== undefined) {
    checkPositive('tickSeconds', o.tickSeconds, 3600);
    args.push('--tick', String(o.tickSeconds));
  }
  if (o.envFile) args.push('--env-file', o.envFile);
  return runWatchdog(host, o.workspace, args, o);
}

/** The countdown as the pod sees it now. A host without watchdog.py reads as not armed. */
export async function readWatchdog(host: Host, workspace: string, o: WatchdogCommandOptions = {}): Promise<WatchdogStatus> {
  if (!(await host.stat(watchdogPaths(workspace).script))) {
    return { armed: false, idleMinutes: DEFAULT_IDLE_MINUTES, deadline: null, lastActivity: null, note: 'the idle watchdog is not installed on this pod', readAt: new Date().toISOString() };
  }
  return runWatchdog(host, workspace, ['status'], o);
}

/** Pushes the deadline back to at least `minutes` from now (a shorter one than the idle deadline changes nothing). */
export async function extendWatchdog(host: Host, workspace: string, minutes: number, o: WatchdogCommandOptions = {}): Promise<WatchdogStatus> {
  checkPositive('minutes', minutes, 24 * 60);
  return runWatchdog(host, workspace, ['extend', '--minutes', String(minutes)], o);
}

/** Ends the watchdog (the pod is no longer watched; nothing is stopped). */
export async function disarmWatchdog(host: Host, workspace: string, o: WatchdogCommandOptions = {}): Promise<WatchdogStatus> {
  return runWatchdog(host, workspace, ['disarm'], o);
}

/**
 * Marks the pod as in use now (the countdown starts again). Studio jobs that work on a pod
 * without its worker (syncing a dataset, pulling checkpoints) call this at least once a
 * minute; see `keepAlive`.
 */
export async function touch(host: Host, workspace: string): Promise<void> {
  const p = watchdogPaths(workspace);
  const r = await host.exec(['touch', '--', p.activity], { timeoutMs: COMMAND_TIMEOUT_MS });
  if (r.code === 0) return;
  await host.mkdir(p.dir);
  const again = await host.exec(['touch', '--', p.activity], { timeoutMs: COMMAND_TIMEOUT_MS });
  if (again.code !== 0) throw new StudioError('unavailable', `${host.label}: could not mark activity (${again.stderr.trim().slice(0, 200)})`);
}

/** Touches now and then every `intervalMs` until the returned function is called (errors are reported, never thrown). */
export function keepAlive(host: Host, workspace: string, opts: { intervalMs?: number; onError?: (err: unknown) => void } = {}): () => void {
  const beat = (): void => void touch(host, workspace).catch((err: unknown) => opts.onError?.(err));
  beat();
  const timer = setInterval(beat, opts.intervalMs ?? 60_000);
  timer.unref?.();
  return () => clearInterval(timer);
}

/** How the watchdog is armed for a studio's RunPod-linked profiles: the settings, and test knobs. */
export interface WatchdogArming {
  /** The setting runpodIdleStopMinutes (read at each arming). */
  idleMinutes(): number;
  /** RunPod's API base the watchdog calls; null: the pod's RUNPOD_API_BASE, else RunPod's. */
  apiBase?(): string | null;
  /** Tests only: a countdown in seconds and the daemon's check interval. */
  idleSeconds?: number;
  tickSeconds?: number;
  envFile?: string;
  /** Arming failed (the caller goes on: generating or training matters more than the watchdog). */
  onError?(podId: string, err: unknown): void;
}

/** The arming options for a profile, or null when it is not linked to a RunPod pod (a plain SSH host is never stopped). */
export function watchdogArming(pod: PodProfile, w: WatchdogArming | undefined): ArmWatchdogOptions | null {
  if (pod.runpodId === null) return null;
  return {
    workspace: pod.workspace.replace(/\/+$/, ''),
    idleMinutes: w?.idleMinutes() ?? DEFAULT_IDLE_MINUTES,
    apiBase: w?.apiBase?.() ?? null,
    ...(w?.idleSeconds !== undefined ? { idleSeconds: w.idleSeconds } : {}),
    ...(w?.tickSeconds !== undefined ? { tickSeconds: w.tickSeconds } : {}),
    ...(w?.envFile !== undefined ? { envFile: w.envFile } : {}),
  };
}

/**
 * Arms the watchdog for a profile when it is linked to a RunPod pod (otherwise does nothing
 * and answers null). Never throws: a failure goes to `w.onError`. The hook for work that
 * starts on a pod without its worker, e.g. a training: pass `podFilesDir` (native/pod here)
 * so watchdog.py is uploaded first when the pod lacks it or has an older one.
 */
export async function armForProfile(host: Host, pod: PodProfile, w: WatchdogArming | undefined, opts: { podFilesDir?: string } = {}): Promise<WatchdogStatus | null> {
  const arming = watchdogArming(pod, w);
  if (!arming) return null;
  try {
    if (opts.podFilesDir) await syncPodFiles(host, opts.podFilesDir, arming.workspace);
    return await armWatchdog(host, arming);
  } catch (err) {
    w?.onError?.(pod.id, err);
    return null;
  }
}
