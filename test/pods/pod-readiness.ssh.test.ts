// What "ready" rests on (issue 16, item 5): connecting reads the GPU and whether the worker's
// environment is there (PodStatus.prepared), against a real OpenSSH server whose host has no
// NVIDIA GPU. A profile with no python of its own is prepared only once bootstrap.sh made the
// venv and its requirements marker; a preparation says so at once.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, PodProfile, PodStatus } from '@shared/contract';
import { startTestPod, unwrap, waitForJob, type TestPod } from '../helpers/remote-pod';
import { requireSshd } from '../helpers/sshd';
import { tempDir } from '../helpers/studio';

requireSshd();

describe('pod readiness facts', () => {
  let t: TestPod;
  const reqDir = tempDir('flux-readiness-req-');

  beforeAll(async () => {
    const req = path.join(reqDir, 'empty-requirements.txt');
    fs.writeFileSync(req, '# nothing to install offline\n');
    t = await startTestPod({ studio: { pods: { bootstrapArgs: ['--skip-gpu-check', '--requirements', req, '--pip-arg', '--no-index'] } } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(reqDir, { recursive: true, force: true });
  });

  it('is null before connecting, false without the venv, true after Prepare and on the next connect', async () => {
    const before = unwrap<PodStatus[]>(await t.studio.dispatch('pods.status', {})).find((s) => s.id === t.pod.id);
    expect(before?.prepared).toBeNull();

    // The profile's own python (the pod venv) runs there: prepared, but no GPU.
    let s = unwrap<PodStatus>(await t.studio.dispatch('pods.connect', { id: t.pod.id }));
    expect(s.state).toBe('connected');
    expect(s.prepared).toBe(true);
    expect(s.gpus).toEqual([]);
    expect(s.gpuNote).toMatch(/no NVIDIA GPU|nvidia-smi/);

    // No python of its own: the workspace venv is missing, so it is not prepared.
    const { id, name, host, port, user, keyPath, workspace, pipeline } = t.pod;
    unwrap<PodProfile>(await t.studio.dispatch('pods.save', { id, name, host, port, user, keyPath, workspace, pipeline, python: null }));
    s = unwrap<PodStatus>(await t.studio.dispatch('pods.connect', { id }));
    expect(s.prepared).toBe(false);

    // A venv without the requirements marker (a preparation that died half-way) is not prepared either.
    fs.mkdirSync(path.join(workspace, '.venv', 'bin'), { recursive: true });
    fs.symlinkSync(process.execPath, path.join(workspace, '.venv', 'bin', 'python'));
    s = unwrap<PodStatus>(await t.studio.dispatch('pods.connect', { id }));
    expect(s.prepared).toBe(false);
    fs.rmSync(path.join(workspace, '.venv'), { recursive: true, force: true });

    const job = await waitForJob(t.studio, unwrap<Job>(await t.studio.dispatch('pods.prepare', { id, model: 'none' })).id, 240_000);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    const after = unwrap<PodStatus[]>(await t.studio.dispatch('pods.status', {})).find((x) => x.id === id);
    expect(after?.prepared).toBe(true);
    s = unwrap<PodStatus>(await t.studio.dispatch('pods.connect', { id }));
    expect(s.prepared).toBe(true);
  }, 300_000);
});
