// Pods as training targets: one per pod profile ("pod:<id>"), over the pod's shared SSH
// connection (PodConnections owns it: releasing a target does not close it). ai-toolkit is
// installed at the pinned commit under <workspace>/ai-toolkit into its own venv
// <workspace>/ai-toolkit/.venv (never the generation worker's: their pins clash), by
// native/pod/install_ai_toolkit.sh; see docs/architecture.md, "Training".
import path from 'node:path';
import type { PodProfile, PodStatus } from '@shared/contract';
import type { Host } from '../hosts/host';
import { AI_TOOLKIT_COMMIT, AI_TOOLKIT_REPO, type TargetInfo, type ToolkitSource, type TrainingTargets, type TrainingWorkspace } from './targets';

export interface PodSource {
  list(): PodProfile[];
}
export interface PodHosts {
  host(pod: PodProfile): Promise<Host>;
  /** What the last connect found (GPU, worker environment); the wizard says what is missing. */
  status?(id: string): PodStatus;
}

/**
 * What the wizard says under "Train on" for a pod it may use: never "Ready." unless the pod was
 * seen with a GPU (issue 16, item 5). Training installs ai-toolkit itself, so a missing worker
 * environment does not matter here; a missing GPU does.
 */
function podNote(pod: PodProfile, s: PodStatus | undefined): string | null {
  if (!s || s.state !== 'connected') return `${pod.name}’s GPU is not checked yet: connect it on the Pods page.`;
  if (s.gpus.length === 0) return `${pod.name} reports ${s.gpuNote ?? 'no NVIDIA GPU'}: training needs one (Pods page).`;
  return null;
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
      reason: pod.hostKey === null ? `Trust ${pod.name}’s host key first (Pods).` : podNote(pod, connections.status?.(pod.id)),
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
