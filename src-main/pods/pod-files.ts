// The studio's pod-side files (native/pod: worker.py, protocol.py, bootstrap.sh, pinned
// requirements) are uploaded to <workspace>/flux-studio/ when their content hash differs
// from the pod's copy, recorded in <workspace>/flux-studio/manifest.json.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Host } from '../hosts/host';

const POD_FILE = /^[A-Za-z0-9_.-]+\.(py|sh|txt)$/;

export interface PodFile {
  name: string;
  local: string;
  sha256: string;
  mode: number;
}

/** Top-level files of native/pod (not tests, not caches). */
export function localPodFiles(podDir: string): PodFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(podDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => POD_FILE.test(n) && n !== 'conftest.py' && fs.statSync(path.join(podDir, n)).isFile())
    .sort()
    .map((name) => {
      const local = path.join(podDir, name);
      return { name, local, sha256: createHash('sha256').update(fs.readFileSync(local)).digest('hex'), mode: name.endsWith('.sh') ? 0o755 : 0o644 };
    });
}

export function podDir(workspace: string): string {
  return `${workspace.replace(/\/+$/, '')}/flux-studio`;
}

/** Uploads what changed; returns the names uploaded. */
export async function syncPodFiles(host: Host, localDir: string, workspace: string, opts: { signal?: AbortSignal; onFile?: (name: string, done: number, total: number) => void } = {}): Promise<string[]> {
  const files = localPodFiles(localDir);
  if (files.length === 0) throw new Error(`No pod files found in ${localDir}.`);
  const dir = podDir(workspace);
  await host.mkdir(`${dir}/run`);
  let remote: Record<string, string> = {};
  try {
    remote = JSON.parse((await host.readFile(`${dir}/manifest.json`)).toString('utf8')) as Record<string, string>;
  } catch {
    remote = {};
  }
  const changed = files.filter((f) => remote[f.name] !== f.sha256);
  // A file removed on the pod by hand is uploaded again.
  if (changed.length < files.length) {
    const present = new Set((await host.list(dir)).map((e) => e.name));
    for (const f of files) if (!present.has(f.name) && !changed.includes(f)) changed.push(f);
  }
  for (const [k, f] of changed.entries()) {
    if (opts.signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    opts.onFile?.(f.name, k, changed.length);
    await host.put(f.local, `${dir}/${f.name}`, { mode: f.mode, signal: opts.signal });
  }
  if (changed.length > 0) {
    await host.writeFile(`${dir}/manifest.json`, JSON.stringify(Object.fromEntries(files.map((f) => [f.name, f.sha256])), null, 1) + '\n');
  }
  return changed.map((f) => f.name);
}
