// Generation over SSH against a real OpenSSH server on 127.0.0.1 and the real worker.py
// (stand-in pipeline: deterministic image, real step callbacks, real time) in the pod venv.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationResult, Job, PodProfile, PodStatus } from '@shared/contract';
import { readImageParameters } from '../../../src-main/metadata/read-parameters';
import { requireSshd } from '../../helpers/sshd';
import { jpegComment, startTestPod, unwrap, waitForJob, waitForStep, type TestPod } from '../../helpers/remote-pod';

requireSshd();
const run = describe;

run('remote generation over SSH (stand-in worker)', () => {
  let t: TestPod;
  const submit = async (prompt: string, extra: Record<string, unknown> = {}, draft: Record<string, unknown> = {}) =>
    unwrap<Job>(await t.studio.dispatch('generation.submit', { draft: { prompt, quality: 'fast', ...draft }, runtime: 'remote', podId: t.pod.id, ...extra }));

  beforeAll(async () => {
    t = await startTestPod({
      trust: false,
      studio: {
        pods: { workerEnv: { FLUX_STUDIO_STANDIN_STEP_MS: '40' }, reconnect: { initialDelayMs: 200, maxDelayMs: 1000, giveUpAfterMs: 30_000 } },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('refuses an untrusted pod, shows its fingerprint, then trusts it on request', async () => {
    const before = await t.studio.dispatch('pods.connect', { id: t.pod.id });
    const status = unwrap<PodStatus>(before);
    expect(status.state).toBe('error');
    expect(status.error?.code).toBe('host_key_unknown');
    expect(status.error?.message).toContain(t.sshd.hostKeyFingerprint());
    const scan = unwrap<{ fingerprint: string; verdict: string }>(await t.studio.dispatch('pods.scanHostKey', { id: t.pod.id }));
    expect(scan).toMatchObject({ fingerprint: t.sshd.hostKeyFingerprint(), verdict: 'new' });
    const wrong = await t.studio.dispatch('pods.trust', { id: t.pod.id, fingerprint: 'SHA256:' + 'A'.repeat(43) });
    expect(wrong.ok).toBe(false);
    t.pod = unwrap<PodProfile>(await t.studio.dispatch('pods.trust', { id: t.pod.id, fingerprint: scan.fingerprint }));
    expect(t.pod.hostKey?.fingerprint).toBe(t.sshd.hostKeyFingerprint());
    const after = unwrap<PodStatus>(await t.studio.dispatch('pods.connect', { id: t.pod.id }));
    expect(after.state).toBe('connected');
    // This machine has no NVIDIA GPU: the status says so instead of failing.
    expect(after.gpus.length > 0 || /nvidia-smi/.test(after.gpuNote ?? '')).toBe(true);
  });

  it('generates three queued images into the output folder with their sizes and parameters', async () => {
    const sizes = [
      { size: 'custom', width: 256, height: 256 },
      { size: 'custom', width: 512, height: 256 },
      { size: 'custom', width: 256, height: 384 },
    ];
    const jobs = [];
    for (const [k, s] of sizes.entries()) jobs.push(await submit(`a lighthouse number ${k}`, {}, { ...s, seed: 1000 + k }));
    expect(new Set(jobs.map((j) => j.lane))).toEqual(new Set([`remote:${t.pod.id}`]));
    const done = await Promise.all(jobs.map((j) => waitForJob(t.studio, j.id)));
    const outputDir = t.studio.settings.get().outputDir;
    for (const [k, job] of done.entries()) {
      expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
      const r = job.result as GenerationResult;
      expect(path.dirname(path.dirname(r.path))).toBe(outputDir);
      expect(path.basename(r.path)).toMatch(new RegExp(`^flux_\\d{8}_\\d{6}_${1000 + k}(_\\d+)?\\.jpg$`));
      const meta = await sharp(r.path).metadata();
      expect([meta.width, meta.height]).toEqual([sizes[k]?.width, sizes[k]?.height]);
      const params = readImageParameters(fs.readFileSync(r.path));
      expect(params).toMatchObject({ prompt: `a lighthouse number ${k}`, seed: 1000 + k, steps: 4, runtime: 'remote', pod: 'test pod', model: 'flux-dev' });
      expect(r.remotePath?.startsWith(`${t.workspace}/outputs/`)).toBe(true);
      expect(r.imageId).not.toBeNull();
    }
    // Serial lane: each started after the previous one finished.
    for (let k = 1; k < done.length; k++) expect((done[k]?.startedAt ?? '') >= (done[k - 1]?.finishedAt ?? 'z')).toBe(true);
    const gallery = unwrap<{ total: number }>(await t.studio.dispatch('gallery.search', { text: 'lighthouse' }));
    expect(gallery.total).toBe(3);
  });

  it('cancels a running generation and keeps the worker for the next one', async () => {
    const long = await submit('a very slow painting', {}, { steps: 200 });
    await waitForStep(t.studio, long.id, 3);
    unwrap(await t.studio.dispatch('jobs.cancel', { id: long.id }));
    const cancelled = await waitForJob(t.studio, long.id, 20_000);
    expect(cancelled.state).toBe('cancelled');
    const next = await waitForJob(t.studio, (await submit('after the cancel')).id);
    expect(next.state).toBe('succeeded');
  });

  it('a prompt full of shell metacharacters reaches the worker byte-for-byte and runs nothing', async () => {
    const canary = path.join(t.workspace, 'canary');
    const prompt = `it's "quoted" $(touch ${canary}1) ; touch ${canary}2 \`touch ${canary}3\` | tee ${canary}4 && echo $HOME\nsecond line\t'\\'' > ${canary}5 \u2028 ünïcödé 🦀`;
    const job = await waitForJob(t.studio, (await submit(prompt)).id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    const bytes = fs.readFileSync((job.result as GenerationResult).path);
    expect(jpegComment(bytes)?.prompt).toBe(prompt); // what the worker itself received
    expect(readImageParameters(bytes).prompt).toBe(prompt); // what the studio recorded
    for (const n of [1, 2, 3, 4, 5]) expect(fs.existsSync(`${canary}${n}`)).toBe(false);
  });

  it('maps worker errors (out of GPU memory) to a clear job error', async () => {
    const job = await waitForJob(t.studio, (await submit('boom __standin_oom__')).id);
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('oom');
    expect(job.error?.message).toMatch(/smaller size|CPU offload/);
  });

  it('a killed SSH session mid-generation: the job reports the loss, reconnects and still fetches the finished image', async () => {
    const progress: string[] = [];
    const statuses: string[] = [];
    const off = t.studio.events.subscribe((name, payload) => {
      if (name === 'job.progress') progress.push((payload as { progress: { message: string | null } }).progress.message ?? '');
      if (name === 'pods.status') statuses.push((payload as PodStatus).state);
    });
    const job = await submit('survives a dropped link', {}, { steps: 60, seed: 4242 });
    await waitForStep(t.studio, job.id, 5);
    expect(t.sshd.killSessions()).toBeGreaterThan(0);
    const done = await waitForJob(t.studio, job.id, 60_000);
    off();
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const r = done.result as GenerationResult;
    expect(r.recovered).toBe(true);
    expect(r.seed).toBe(4242);
    expect(fs.existsSync(r.path)).toBe(true);
    expect(readImageParameters(fs.readFileSync(r.path))).toMatchObject({ prompt: 'survives a dropped link', seed: 4242, steps: 60 });
    expect(progress.some((m) => /connection to the pod was lost/i.test(m))).toBe(true);
    expect(statuses).toContain('connected');
    // And the pod is usable again: a new worker on the new connection.
    const again = await waitForJob(t.studio, (await submit('after the reconnect')).id);
    expect(again.state).toBe('succeeded');
  });

  it('refuses a worker answer naming a file outside <workspace>/outputs (../)', async () => {
    const fake = path.join(t.workspace, 'fake-python.sh');
    fs.writeFileSync(
      fake,
      [
        '#!/bin/sh',
        'echo \'{"event":"ready","protocol":1,"pipeline":"fake"}\'',
        'while IFS= read -r line; do',
        '  id=$(printf "%s" "$line" | sed -n \'s/^{"id":"\\([^"]*\\)".*/\\1/p\')',
        `  echo "{\\"event\\":\\"done\\",\\"id\\":\\"$id\\",\\"path\\":\\"${t.workspace}/outputs/../../../etc/passwd\\",\\"seed\\":1,\\"width\\":256,\\"height\\":256}"`,
        'done',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const evil = unwrap<PodProfile>(await t.studio.dispatch('pods.save', { name: 'evil pod', host: t.pod.host, port: t.pod.port, user: t.pod.user, keyPath: t.pod.keyPath, workspace: t.workspace, python: fake }));
    unwrap(await t.studio.dispatch('pods.trust', { id: evil.id, fingerprint: t.sshd.hostKeyFingerprint() }));
    const before = fs.readdirSync(t.studio.settings.get().outputDir, { recursive: true }).length;
    const job = unwrap<Job>(await t.studio.dispatch('generation.submit', { draft: { prompt: 'x', quality: 'fast' }, runtime: 'remote', podId: evil.id }));
    const done = await waitForJob(t.studio, job.id);
    expect(done.state).toBe('failed');
    expect(done.error?.code).toBe('bad_remote_path');
    expect(done.error?.message).toMatch(/\.\./);
    expect(fs.readdirSync(t.studio.settings.get().outputDir, { recursive: true }).length).toBe(before);
  });
  it('a wrong key is a clear auth error; a changed host key is refused until the new one is trusted', async () => {
    const wrong = unwrap<PodProfile>(await t.studio.dispatch('pods.save', { name: 'wrong key', host: t.pod.host, port: t.pod.port, user: t.pod.user, keyPath: t.sshd.wrongKeyPath, workspace: t.workspace }));
    unwrap(await t.studio.dispatch('pods.trust', { id: wrong.id, fingerprint: t.sshd.hostKeyFingerprint() }));
    const auth = unwrap<PodStatus>(await t.studio.dispatch('pods.connect', { id: wrong.id }));
    expect(auth.error).toMatchObject({ code: 'auth', message: expect.stringMatching(/refused the key/) });

    await t.studio.podConnections.disconnect(t.pod.id);
    const fresh = await t.sshd.swapHostKey();
    const refused = unwrap<PodStatus>(await t.studio.dispatch('pods.connect', { id: t.pod.id }));
    expect(refused.error?.code).toBe('host_key_changed');
    expect(refused.error?.message).toContain(fresh);
    const job = await waitForJob(t.studio, (await submit('not on a changed key')).id);
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('host_key_changed');
    const scan = unwrap<{ verdict: string; fingerprint: string }>(await t.studio.dispatch('pods.scanHostKey', { id: t.pod.id }));
    expect(scan).toMatchObject({ verdict: 'changed', fingerprint: fresh });
    t.pod = unwrap<PodProfile>(await t.studio.dispatch('pods.trust', { id: t.pod.id, fingerprint: fresh }));
    const ok = await waitForJob(t.studio, (await submit('on the new key')).id);
    expect(ok.state, JSON.stringify(ok.error)).toBe('succeeded');
  });
});
