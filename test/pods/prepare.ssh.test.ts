// The pod preparation job against a real OpenSSH server: uploads native/pod by content hash,
// runs bootstrap.sh with the HF token on stdin only, streams its `::` lines as progress/log,
// and a second run is a fast no-op. Offline: no GPU check, an empty requirements file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@shared/contract';
import { startTestPod, unwrap, waitForJob, type TestPod } from '../helpers/remote-pod';
import { requireSshd } from '../helpers/sshd';
import { tempDir } from '../helpers/studio';

requireSshd();

describe('prepare a pod', () => {
  let t: TestPod;
  const TOKEN = 'hf_TestTokenThatMustNeverBeLogged123';
  const reqDir = tempDir('flux-prepare-req-');

  beforeAll(async () => {
    const req = path.join(reqDir, 'empty-requirements.txt');
    fs.writeFileSync(req, '# nothing to install offline\n');
    t = await startTestPod({ studio: { env: { HF_TOKEN: TOKEN }, pods: { bootstrapArgs: ['--skip-gpu-check', '--requirements', req, '--pip-arg', '--no-index'] } } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(reqDir, { recursive: true, force: true });
  });

  it('uploads the worker, bootstraps with the token on stdin, and is idempotent', async () => {
    const messages: string[] = [];
    const off = t.studio.events.subscribe((name, payload) => {
      if (name === 'job.progress') messages.push((payload as { progress: { message: string | null } }).progress.message ?? '');
    });
    const first = await waitForJob(t.studio, unwrap<Job>(await t.studio.dispatch('pods.prepare', { id: t.pod.id, model: 'none' })).id, 240_000);
    expect(first.state, JSON.stringify(first.error)).toBe('succeeded');
    const dir = path.join(t.workspace, 'flux-studio');
    for (const f of ['worker.py', 'protocol.py', 'bootstrap.sh', 'manifest.json']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    expect(fs.existsSync(path.join(t.workspace, '.venv', 'bin', 'python'))).toBe(true);
    const tokenFile = path.join(t.workspace, '.cache', 'token');
    expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(TOKEN);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(messages.some((m) => /venv|Python|disk/i.test(m))).toBe(true);
    const log = fs.readFileSync(path.join(t.studio.info.dataDir, 'logs', 'studio.log'), 'utf8');
    expect(log).not.toContain(TOKEN);
    expect((first.result as { uploaded: string[] }).uploaded).toContain('worker.py');

    const again = await waitForJob(t.studio, unwrap<Job>(await t.studio.dispatch('pods.prepare', { id: t.pod.id, model: 'none' })).id, 120_000);
    off();
    expect(again.state, JSON.stringify(again.error)).toBe('succeeded');
    expect((again.result as { uploaded: string[] }).uploaded).toEqual([]);
  }, 300_000);
});
