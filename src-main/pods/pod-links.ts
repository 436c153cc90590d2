// Pods as generation sees them: the pods side of generation/remote/pod-link.ts (PodLinks),
// matched structurally so that pods imports nothing of generation. One lookup of the profile
// per link; the connection is the pod's shared one (PodConnections), the worker's files come
// from native/pod (pod-files.ts), and the worker's state goes into the pod's status.
// Before connecting, PodPower (pod-power.ts) starts a stopped rented pod and brings its new
// address; `onProgress` shows it ("starting pod, ~40 s").
// A profile linked to a RunPod pod (runpodId) gets the on-pod idle watchdog armed whenever
// its worker is installed; every worker touches the watchdog's activity marker on each
// request (docs/architecture.md, "RunPod: the idle watchdog").
import type { PodProfile, PodStatus } from '@shared/contract/pods';
import type { SshHost } from '../hosts/ssh-host';
import type { PodConnections } from './pod-connections';
import { alwaysOn, type PodPower } from './pod-power';
import { podDir, syncPodFiles } from './pod-files';
import { podPython } from './pod-repo';
import { armForProfile, watchdogPaths, type WatchdogArming } from './pod-watchdog';

/** How the idle watchdog is armed for RunPod-linked profiles (pod-watchdog.ts). */
export type PodLinkWatchdog = WatchdogArming;

export interface PodLinkOptions {
  /** The profile by id (throws not_found). */
  pod(id: string): PodProfile;
  connections: PodConnections;
  /** native/pod on this machine. */
  podFilesDir: string;
  /** Starts a stopped rented pod before connecting (default: none). */
  power?: PodPower;
  /** Absent: armed with the default idle minutes (15) and RunPod's own API base. */
  watchdog?: PodLinkWatchdog;
}

export function podLinks(o: PodLinkOptions) {
  const power = o.power ?? alwaysOn;
  const link = (id: string) => {
    let pod = o.pod(id);
    const ws = pod.workspace.replace(/\/+$/, '');
    const workerArgs: string[] = ['--pipeline', pod.pipeline, '--activity', watchdogPaths(ws).activity];
    for (const [model, p] of Object.entries(pod.modelPaths)) if (p) workerArgs.push('--model-path', `${model}=${p}`);
    return {
      id: pod.id,
      name: pod.name,
      workspace: pod.workspace,
      python: podPython(pod),
      workerArgs,
      async connect(signal?: AbortSignal, onWait?: (err: Error, delayMs: number, attempt: number) => void, onProgress?: (message: string) => void): Promise<SshHost> {
        pod = await power.ensureRunning(o.pod(id), (message) => onProgress?.(message), signal);
        return o.connections.hostWithRetry(pod, signal, onWait);
      },
      async installWorker(host: SshHost): Promise<{ script: string; outputs: string; runDir: string }> {
        await syncPodFiles(host, o.podFilesDir, ws);
        await host.mkdir(`${ws}/outputs`);
        // Old run files (a week) go; the recent ones may hold a result to recover.
        await host.exec(['find', `${podDir(ws)}/run`, '-type', 'f', '-mtime', '+7', '-delete']).catch(() => undefined);
        await armForProfile(host, pod, o.watchdog);
        return { script: `${podDir(ws)}/worker.py`, outputs: `${ws}/outputs`, runDir: `${podDir(ws)}/run` };
      },
      workerState: (worker: PodStatus['worker']): void => void o.connections.updateStatus(pod.id, { worker }),
      refresh: async (): Promise<void> => void (await o.connections.refresh(pod)),
    };
  };
  return {
    link,
    beforeDisconnect: (listener: (podId: string) => Promise<void>): void => o.connections.beforeDisconnect(listener),
  };
}
