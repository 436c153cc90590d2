// What several browser specs share: calling the API as another client would, a tiny valid
// JPEG for datasets, and a loopback "pod" (a real OpenSSH server on 127.0.0.1 with the pod
// venv as its Python and a temp folder as its workspace).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startSshd, sshdAvailable, type TestSshd } from '../../test/helpers/sshd';
import { test, expect, type Served } from './serve-fixture';

export const ROOT = path.resolve(__dirname, '..', '..');

/** A 64×64 baseline JPEG (grey), small enough to inline. */
export const TINY_JPEG = Buffer.from(
  '/9j/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCABAAEADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAP/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAUG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AiA0iaAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA//9k=',
  'base64',
);

/** One contract call over HTTP with the serve token; fails the test on an error answer. */
export async function api<T>(page: Page, served: Served, call: string, body: unknown = {}): Promise<T> {
  const res = await page.request.post(`${served.origin}/api/call/${call}`, { headers: { Authorization: `Bearer ${served.token}` }, data: body });
  const env = (await res.json()) as { ok: boolean; data: T; error?: unknown };
  expect(env.ok, `${call}: ${JSON.stringify(env.error)}`).toBe(true);
  return env.data;
}

export interface LoopbackPod {
  sshd: TestSshd;
  /** The pod venv's python (torch, diffusers…), used as the pod's Python. */
  python: string;
  /** The pod's workspace (a temp folder, real path). */
  ws: string;
}

/**
 * Inside a test.describe: skips it where sshd is missing, starts the server before its tests
 * and stops it (and removes the workspace) after. Read the fields inside tests.
 */
export function useLoopbackPod(prefix: string): LoopbackPod {
  const pod = {} as LoopbackPod;
  test.skip(!sshdAvailable(), '/usr/sbin/sshd is not installed');
  test.beforeAll(async () => {
    pod.sshd = await startSshd();
    pod.python = path.join(execFileSync('bash', [path.join(ROOT, 'scripts', 'pod-venv.sh')], { encoding: 'utf8' }).trim(), 'bin', 'python');
    pod.ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  });
  test.afterAll(async () => {
    await pod.sshd?.stop();
    if (pod.ws) fs.rmSync(pod.ws, { recursive: true, force: true });
  });
  return pod;
}
