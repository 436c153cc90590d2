// The wizard's "Train on" note for a pod (issue 16, item 5): never "Ready." (a null note)
// unless the last connect saw a GPU; otherwise it says what is missing and where to fix it.
import { describe, expect, it } from 'vitest';
import type { PodProfile, PodStatus } from '@shared/contract';
import { podTargets } from '../../src-main/training/pod-targets';

const pod: PodProfile = {
  id: 'pod-1',
  name: 'box',
  host: '127.0.0.1',
  port: 22,
  user: 'root',
  keyPath: null,
  connectTimeoutSec: 10,
  workspace: '/workspace',
  python: null,
  pipeline: 'diffusers',
  modelPaths: { 'flux-dev': null, 'flux-schnell': null },
  hostKey: { fingerprint: 'SHA256:x', keyType: 'ssh-ed25519', pinnedAt: '2026-01-01T00:00:00Z' },
  hasPassphrase: false,
  runpodId: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

function status(patch: Partial<PodStatus>): PodStatus {
  return { id: pod.id, state: 'connected', error: null, gpus: [], gpuNote: null, prepared: null, worker: { state: 'none', device: null, pipeline: null }, updatedAt: '2026-01-01T00:00:00Z', ...patch };
}

async function note(p: PodProfile, s: PodStatus | undefined): Promise<{ ready: boolean; reason: string | null }> {
  const targets = podTargets({ list: () => [p] }, { host: () => Promise.reject(new Error('not used')), status: () => s as PodStatus }, '/tmp/pod-files');
  const [t] = await targets.list();
  if (!t) throw new Error('no target');
  return { ready: t.ready, reason: t.reason };
}

describe('pod training targets', () => {
  it('says the GPU is unchecked before a connect', async () => {
    expect(await note(pod, undefined)).toEqual({ ready: true, reason: 'box’s GPU is not checked yet: connect it on the Pods page.' });
    expect((await note(pod, status({ state: 'disconnected' }))).reason).toMatch(/not checked yet/);
  });

  it('names what nvidia-smi said when there is no GPU', async () => {
    const r = await note(pod, status({ gpuNote: 'no NVIDIA GPU (nvidia-smi not found on the pod)' }));
    expect(r.reason).toBe('box reports no NVIDIA GPU (nvidia-smi not found on the pod): training needs one (Pods page).');
  });

  it('has no note (the wizard says Ready) only with a GPU', async () => {
    expect((await note(pod, status({ gpus: [{ name: 'RTX 4090', memoryUsedMiB: 1, memoryTotalMiB: 24564 }] }))).reason).toBeNull();
  });

  it('is not ready without a trusted host key, whatever the status', async () => {
    expect(await note({ ...pod, hostKey: null }, status({ gpus: [{ name: 'RTX 4090', memoryUsedMiB: 1, memoryTotalMiB: 24564 }] }))).toEqual({ ready: false, reason: 'Trust box’s host key first (Pods).' });
  });
});
