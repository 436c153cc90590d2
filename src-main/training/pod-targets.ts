// Pods as training targets: one per pod profile ("pod:<id>"), over the pod's shared SSH
// connection (PodConnections owns it: releasing a target does not close it). ai-toolkit is
// installed at the pinned commit under <workspace>/ai-toolkit and run with the pod venv.
import path from 'node:path';
import type { PodProfile } from '@shared/contract';
import type { Host } from '../hosts/host';
import { AI_TOOLKIT_COMMIT, AI_TOOLKIT_REPO, type TargetInfo, type TrainingTargets, type TrainingWorkspace } from './targets';

export interface PodSource {
  list(): PodProfile[];
}
export interface PodHosts {
  host(pod: PodProfile): Promise<Host>;
}

export function podTrainingWorkspace(pod: PodProfile, install: { repo: string; commit: string } = { repo: AI_TOOLKIT_REPO, commit: AI_TOOLKIT_COMMIT }): TrainingWorkspace {
  const ws = pod.workspace.replace(/\/+$/, '');
  return {
    toolkitDir: path.posix.join(ws, 'ai-toolkit'),
    python: pod.python ?? path.posix.join(ws, '.venv', 'bin', 'python'),
    datasetsDir: path.posix.join(ws, 'datasets'),
    trainingsDir: path.posix.join(ws, 'trainings'),
    install,
  };
}

export function podTargets(pods: PodSource, connections: PodHosts, install?: { repo: string; commit: string }): TrainingTargets {
  const info = (pod: PodProfile): TargetInfo => {
    const w = podTrainingWorkspace(pod, install);
    return {
      id: `pod:${pod.id}`,
      label: pod.name,
      ready: pod.hostKey !== null,
      reason: pod.hostKey === null ? `Trust ${pod.name}’s host key first (Pods).` : null,
      layout: { datasetsDir: w.datasetsDir, trainingsDir: w.trainingsDir },
    };
  };
  return {
    async list() {
      return pods.list().map(info);
    },
    async open(id) {
      const pod = pods.list().find((p) => `pod:${p.id}` === id);
      if (!pod) throw new Error(`No pod ${id.replace(/^pod:/, '')}.`);
      const i = info(pod);
      if (!i.ready) throw new Error(i.reason ?? 'not ready');
      const host = await connections.host(pod);
      return { id, label: pod.name, host, workspace: podTrainingWorkspace(pod, install), release: async () => undefined };
    },
  };
}
