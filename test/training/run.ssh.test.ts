// Plumbing over SSH: a real OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts) is the
// "pod"; the stand-in run.py (printing and logging what the real one does) runs behind it
// so these runs can be long and cheap (the real program on a pod: pod-target.ssh.test.ts), launched detached through SshHost exec, its
// log followed over SFTP. Killing the SSH link mid-run must lose nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pinnedPolicy, SshHost } from '../../src-main/hosts/ssh-host';
import type { Studio } from '../../src-main/studio';
import type { TrainingTargets } from '../../src-main/training/targets';
import { requireSshd, startSshd, type TestSshd } from '../helpers/sshd';
import { makeStudio, tempDir } from '../helpers/studio';
import { syncSuite } from './sync-suite';
import { ENDED, makeDataset, realPython, STANDIN_DIR, waitRun } from './helpers';
import { lossLogPoints } from './real-toolkit';

requireSshd();
const run = describe;

/** A connection to the test sshd as the authorised user, with its host key pinned. */
function connectTo(sshd: TestSshd): Promise<SshHost> {
  return SshHost.connect({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKeyPath: sshd.clientKeyPath,
    hostKeyPolicy: pinnedPolicy(sshd.hostKeyFingerprint()),
    label: 'ssh:test',
    readyTimeoutMs: 5000,
  });
}

/** A pod target over the test sshd; every open() is a new SSH connection (as after a reconnect). */
export function sshTargets(sshd: TestSshd, root: string, counter?: { opens: number }): TrainingTargets {
  const layout = { datasetsDir: path.posix.join(root, 'datasets'), trainingsDir: path.posix.join(root, 'trainings') };
  return {
    async list() {
      return [{ id: 'pod:test', label: 'test pod', ready: true, reason: null, layout }];
    },
    async open(id) {
      if (id !== 'pod:test') throw new Error(`no target ${id}`);
      const host = await connectTo(sshd);
      if (counter) counter.opens++;
      return {
        id,
        label: 'test pod',
        host,
        workspace: { toolkitDir: STANDIN_DIR, python: realPython(), ...layout, install: null },
        release: () => host.close(),
      };
    },
  };
}

run('training over SSH (OpenSSH on 127.0.0.1)', () => {
  let sshd: TestSshd;
  const studios: Studio[] = [];
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    for (const s of studios) await s.close().catch(() => undefined);
    await sshd?.stop();
  });

  async function podStudio(dataDir: string, root: string, counter?: { opens: number }): Promise<Studio> {
    const s = await makeStudio({ dataDir, training: { pollMs: 100, stopGraceMs: 3000, targets: () => sshTargets(sshd, root, counter) } });
    studios.push(s);
    return s;
  }

  async function start(studio: Studio, name: string, steps: number, stepSeconds: number) {
    const plan = await studio.training.plan({
      dataset: 'faces',
      model: 'flux-dev',
      preset: '24gb-quick',
      target: 'pod:test',
      name,
      trigger: 'p3r5on',
      steps,
      saveEvery: 5,
      sampleEvery: 10,
      samplePrompts: ['[trigger] smiling', 'a portrait of [trigger]'],
      test: { step_seconds: stepSeconds },
    });
    return studio.training.start({ yaml: plan.yaml, dataset: 'faces', model: 'flux-dev', target: 'pod:test' });
  }

  test('incremental sync over SFTP', async () => {
    await syncSuite(async () => {
      const host = await connectTo(sshd);
      return { host, root: tempDir('flux-pod-'), done: () => host.close() };
    });
  });

  test('a full run on the pod: dataset synced, samples and checkpoints pulled, completed', async () => {
    const dataDir = tempDir('flux-training-ssh-');
    makeDataset(path.join(dataDir, 'datasets', 'faces'), 5);
    const root = tempDir('flux-pod-');
    const studio = await podStudio(dataDir, root);
    const r = await start(studio, 'ssh_full', 12, 0.1);
    const end = await waitRun(studio, r.id, ENDED);
    expect(end.state).toBe('completed');
    expect(end.hostLabel).toBe('test pod');
    expect(fs.readdirSync(path.join(root, 'datasets', 'faces')).filter((f) => f.endsWith('.jpg'))).toHaveLength(5);
    const d = studio.training.get(r.id);
    // The chart is the run's loss_log.db (the stand-in writes it as ai-toolkit does), read over SSH.
    expect(d.loss).toEqual(lossLogPoints(realPython(), path.join(root, 'trainings', 'ssh_full', 'ssh_full', 'loss_log.db')));
    expect(d.loss.map((p) => p.step)).toEqual(Array.from({ length: 11 }, (_, i) => i + 2));
    expect(d.checkpoints.map((c) => c.file).sort()).toEqual(['ssh_full.safetensors', 'ssh_full_000000005.safetensors', 'ssh_full_000000010.safetensors']);
    expect(d.samples.map((s) => s.step)).toEqual([0, 0, 10, 10, 12, 12]);
    expect(fs.readFileSync(path.join(dataDir, 'trainings', 'ssh_full', 'train.log'))).toEqual(fs.readFileSync(path.join(root, 'trainings', 'ssh_full', 'train.log')));
  });

  test('killing the SSH link mid-run: the run keeps going, the studio reconnects, nothing is missing', async () => {
    const dataDir = tempDir('flux-training-ssh-');
    makeDataset(path.join(dataDir, 'datasets', 'faces'), 4);
    const root = tempDir('flux-pod-');
    const counter = { opens: 0 };
    const studio = await podStudio(dataDir, root, counter);
    const r = await start(studio, 'ssh_cut', 30, 0.12);
    await waitRun(studio, r.id, (x) => x.step >= 5);
    const opensBefore = counter.opens;
    expect(sshd.killSessions()).toBeGreaterThan(0);
    const reconnecting = await waitRun(studio, r.id, (x) => (x.message ?? '').startsWith('connection lost'), 20_000);
    expect(reconnecting.state).toBe('running');
    await waitRun(studio, r.id, (x) => x.message !== null && !x.message.startsWith('connection lost'), 20_000);
    expect(counter.opens).toBeGreaterThan(opensBefore);
    // Cut it once more, late in the run.
    await waitRun(studio, r.id, (x) => x.step >= 18);
    sshd.killSessions();
    const end = await waitRun(studio, r.id, ENDED);
    expect(end.state).toBe('completed');
    const d = studio.training.get(r.id);
    expect(d.loss).toEqual(lossLogPoints(realPython(), path.join(root, 'trainings', 'ssh_cut', 'ssh_cut', 'loss_log.db')));
    expect(d.loss.map((p) => p.step)).toEqual(Array.from({ length: 29 }, (_, i) => i + 2));
    expect(d.checkpoints.map((c) => c.step)).toEqual([null, 25, 20, 15, 10, 5]);
    expect(d.samples.map((s) => s.step)).toEqual([0, 0, 10, 10, 20, 20, 30, 30]);
    expect(fs.readFileSync(path.join(dataDir, 'trainings', 'ssh_cut', 'train.log'))).toEqual(fs.readFileSync(path.join(root, 'trainings', 'ssh_cut', 'train.log')));
  });

  test('the studio closes mid-run; a new one reattaches over a new link; stop and resume over SSH', async () => {
    const dataDir = tempDir('flux-training-ssh-');
    makeDataset(path.join(dataDir, 'datasets', 'faces'), 4);
    const root = tempDir('flux-pod-');
    const first = await podStudio(dataDir, root);
    const r = await start(first, 'ssh_reattach', 40, 0.1);
    await waitRun(first, r.id, (x) => x.step >= 4);
    await first.close();
    const second = await podStudio(dataDir, root);
    await waitRun(second, r.id, (x) => x.attached && x.step >= 12);
    await second.training.stop(r.id);
    const stopped = await waitRun(second, r.id, ENDED);
    expect(stopped.state).toBe('stopped');
    await second.training.resume(r.id);
    const resumed = await waitRun(second, r.id, (x) => x.resumedFromStep !== null);
    // ai-toolkit saves step_num N while its bar shows N, then moves the bar to N + 1.
    expect(resumed.resumedFromStep).toBe(Math.floor((stopped.step - 1) / 5) * 5);
    const end = await waitRun(second, r.id, ENDED);
    expect(end.state).toBe('completed');
    expect(second.training.get(r.id).loss).toEqual(lossLogPoints(realPython(), path.join(root, 'trainings', 'ssh_reattach', 'ssh_reattach', 'loss_log.db')));
  });
});
