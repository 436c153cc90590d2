// A "pod" for tests: this machine behind a real OpenSSH server on 127.0.0.1, a temp
// workspace, the pinned pod venv (scripts/pod-venv.sh) as the worker's python, and a studio
// with a profile added by pasting an SSH command and its host key trusted.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Envelope, Job, PodProfile } from '@shared/contract';
import type { Studio, StudioOptions } from '../../src-main/studio';
import { startSshd, type TestSshd } from './sshd';
import { makeStudio, REPO_ROOT, tempDir } from './studio';

let venvPython: string | null = null;
/** The pod venv's python (built once per requirements hash; cached). */
export function podVenvPython(): string {
  if (!venvPython) {
    const venv = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'pod-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    venvPython = path.join(venv, 'bin', 'python');
  }
  return venvPython;
}

export function unwrap<T>(e: Envelope<T> | Envelope<unknown>): T {
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`);
  return e.data as T;
}

export interface TestPod {
  sshd: TestSshd;
  studio: Studio;
  workspace: string;
  pod: PodProfile;
  sshCommand: string;
  close(): Promise<void>;
}

export async function startTestPod(opts: { studio?: Partial<StudioOptions>; pipeline?: 'standin' | 'diffusers'; trust?: boolean; sshd?: TestSshd; python?: string; modelPaths?: PodProfile['modelPaths'] } = {}): Promise<TestPod> {
  const sshd = opts.sshd ?? (await startSshd());
  const workspace = fs.realpathSync(tempDir('flux-pod-ws-'));
  const studio = await makeStudio({ ...opts.studio });
  unwrap(await studio.dispatch('settings.update', { openAfterGenerate: false }));
  const sshCommand = `ssh ${sshd.user}@${sshd.host} -p ${sshd.port} -i ${sshd.clientKeyPath}`;
  const parsed = unwrap<{ host: string; port: number; user: string; keyPath: string | null }>(await studio.dispatch('pods.parseCommand', { command: sshCommand }));
  let pod = unwrap<PodProfile>(
    await studio.dispatch('pods.save', {
      name: 'test pod',
      host: parsed.host,
      port: parsed.port,
      user: parsed.user,
      keyPath: parsed.keyPath,
      workspace,
      python: opts.python ?? podVenvPython(),
      pipeline: opts.pipeline ?? 'standin',
      ...(opts.modelPaths ? { modelPaths: opts.modelPaths } : {}),
    }),
  );
  if (opts.trust ?? true) pod = unwrap<PodProfile>(await studio.dispatch('pods.trust', { id: pod.id, fingerprint: sshd.hostKeyFingerprint() }));
  return {
    sshd,
    studio,
    workspace,
    pod,
    sshCommand,
    async close() {
      await studio.close();
      if (!opts.sshd) await sshd.stop();
      fs.rmSync(workspace, { recursive: true, force: true });
    },
  };
}

/** Resolves with the job row once it has finished. */
export function waitForJob(studio: Studio, id: string, timeoutMs = 60_000): Promise<Job> {
  return new Promise((resolve, reject) => {
    const done = (job: Job) => ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(job.state);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`job ${id} did not finish in ${timeoutMs} ms (state ${studio.jobs.get(id).state})`));
    }, timeoutMs);
    const off = studio.events.subscribe((name, payload) => {
      if (name !== 'job.updated') return;
      const job = payload as Job;
      if (job.id === id && done(job)) {
        clearTimeout(timer);
        off();
        resolve(job);
      }
    });
    const now = studio.jobs.get(id) as unknown as Job;
    if (done(now)) {
      clearTimeout(timer);
      off();
      resolve(now);
    }
  });
}

/** Resolves when the job reports a denoising step ≥ `step`. */
export function waitForStep(studio: Studio, id: string, step: number, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`job ${id} did not reach step ${step}`));
    }, timeoutMs);
    const off = studio.events.subscribe((name, payload) => {
      if (name !== 'job.progress') return;
      const { jobId, progress } = payload as { jobId: string; progress: { step: number; message: string | null } };
      if (jobId === id && progress.step >= step && (progress.message ?? '').startsWith('step')) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

/** The JSON the worker put in the JPEG's COM marker (what the worker itself received). */
export function jpegComment(bytes: Buffer): Record<string, unknown> | null {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1] as number;
    const len = bytes.readUInt16BE(i + 2);
    if (marker === 0xfe) return JSON.parse(bytes.subarray(i + 4, i + 2 + len).toString('utf8')) as Record<string, unknown>;
    if (marker === 0xda) break;
    i += 2 + len;
  }
  return null;
}
