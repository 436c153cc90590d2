// Pods as training targets: one per pod profile ("pod:<id>"), over the pod's shared SSH
// connection (PodConnections owns it: releasing a target does not close it). ai-toolkit is
// installed at the pinned commit under <workspace>/ai-toolkit into its own venv
// <workspace>/ai-toolkit/.venv (never the generation worker's: their pins clash), by
// native/pod/install_ai_toolkit.sh; see docs/architecture.md, "Training".
import path from 'node:path';
import type { PodProfile } from '@shared/contract';
import type { Host } from '../hosts/host';
import { AI_TOOLKIT_COMMIT, AI_TOOLKIT_REPO, type TargetInfo, type ToolkitSource, type TrainingTargets, type TrainingWorkspace } from './targets';

export interface PodSource {
  list(): PodProfile[];
}
export interface PodHosts {
  host(pod: PodProfile): Promise<Host>;
}

export function podTrainingWorkspace(pod: PodProfile, podFilesDir: string, source: ToolkitSource = { repo: AI_TOOLKIT_REPO, commit: AI_TOOLKIT_COMMIT }): TrainingWorkspace {
  const ws = pod.workspace.replace(/\/+$/, '');
  const toolkitDir = path.posix.join(ws, 'ai-toolkit');
  const venv = path.posix.join(toolkitDir, '.venv');
  return {
    toolkitDir,
    python: path.posix.join(venv, 'bin', 'python'),
    datasetsDir: path.posix.join(ws, 'datasets'),
    trainingsDir: path.posix.join(ws, 'trainings'),
    install: { ...source, script: path.join(podFilesDir, 'install_ai_toolkit.sh'), venv },
  };
}

export function podTargets(pods: PodSource, connections: PodHosts, podFilesDir: string, source?: ToolkitSource): TrainingTargets {
  const info = (pod: PodProfile): TargetInfo => {
    const w = podTrainingWorkspace(pod, podFilesDir, source);
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
      return { id, label: pod.name, host, workspace: podTrainingWorkspace(pod, podFilesDir, source), release: async () => undefined };
    },
  };
}
