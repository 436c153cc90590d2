// LoRA files from this computer (trained checkpoints) onto a pod, once: each lands at
// <workspace>/loras/<sha256 prefix>-<safe name>.safetensors, so the same bytes are never sent
// twice and two different files with one name never collide. A file already there is checked by
// size and by `sha256sum` run on the pod (argv, no shell); an upload goes through Host.put (temp
// name + rename: no partial file ever has the final name) and is checked the same way.
import fs from 'node:fs';
import path from 'node:path';
import type { Host } from '../../hosts/host';
import type { RuntimeLora } from '../runtime';
import { sha256FileStream } from '../../core/hash';

export class LoraUploadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LoraUploadError';
  }
}

/** The file name on the pod: `<16 hex of sha256>-<name with only [A-Za-z0-9._-]>.safetensors`. */
export function podLoraName(localPath: string, sha256: string): string {
  const stem = path.basename(localPath).replace(/\.safetensors$/i, '');
  const safe = stem.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 100) || 'lora';
  return `${sha256.slice(0, 16)}-${safe}.safetensors`;
}

interface HashEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface LoraUploadProgress {
  (message: string): void;
}

export class LoraUploader {
  /** Local file → its hash (recomputed when size or mtime change). */
  private readonly hashes = new Map<string, HashEntry>();
  /** "<pod id>\0<remote path>" → size and mtime of the copy already checked by sha256sum. */
  private readonly verified = new Map<string, { size: number; mtimeMs: number }>();
  /** How many files went up (tests and logs). */
  uploads = 0;

  async localSha256(file: string): Promise<{ sha256: string; size: number }> {
    const st = fs.statSync(file);
    const hit = this.hashes.get(file);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return { sha256: hit.sha256, size: st.size };
    const sha256 = await sha256FileStream(file);
    this.hashes.set(file, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
    return { sha256, size: st.size };
  }

  /** Every LoRA with a localPath, on the pod: returns the list with `path` set to the pod path. */
  async ensure(host: Host, podKey: string, workspace: string, loras: readonly RuntimeLora[], say: LoraUploadProgress, signal?: AbortSignal): Promise<RuntimeLora[]> {
    const out: RuntimeLora[] = [];
    for (const l of loras) {
      if (!l.localPath) {
        out.push(l);
        continue;
      }
      const podPath = await this.ensureOne(host, podKey, workspace, l.name, l.localPath, say, signal);
      out.push({ name: l.name, path: podPath, scale: l.scale, sha256: l.sha256 ?? null });
    }
    return out;
  }

  private async ensureOne(host: Host, podKey: string, workspace: string, name: string, localPath: string, say: LoraUploadProgress, signal?: AbortSignal): Promise<string> {
    if (!fs.existsSync(localPath)) throw new LoraUploadError('lora_missing', `The LoRA file ${localPath} is gone from this computer; pick it again.`);
    say(`checking LoRA ${name}`);
    const { sha256, size } = await this.localSha256(localPath);
    const dir = `${workspace.replace(/\/+$/, '')}/loras`;
    const remote = `${dir}/${podLoraName(localPath, sha256)}`;
    const key = `${podKey}\0${remote}`;
    const there = await host.stat(remote);
    if (there && !there.isDirectory && there.size === size) {
      const seen = this.verified.get(key);
      if (seen && seen.size === there.size && seen.mtimeMs === there.mtimeMs) return remote;
      if ((await this.podSha256(host, remote, signal)) === sha256) {
        this.verified.set(key, { size: there.size, mtimeMs: there.mtimeMs });
        return remote;
      }
    }
    // Missing, a different size, or different bytes: (re)upload.
    if (there) await host.remove(remote);
    await host.mkdir(dir);
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    say(`uploading LoRA ${name} 0 / ${mib(size)} MiB`);
    await host.put(localPath, remote, { signal, onProgress: (done, total) => say(`uploading LoRA ${name} ${mib(done)} / ${mib(total)} MiB`) });
    this.uploads++;
    const got = await this.podSha256(host, remote, signal);
    if (got !== null && got !== sha256) {
      await host.remove(remote).catch(() => undefined);
      throw new LoraUploadError('transfer_corrupt', `The LoRA ${name} arrived on the pod with different bytes (sha256 ${got.slice(0, 12)}… instead of ${sha256.slice(0, 12)}…). Try again.`);
    }
    const st = await host.stat(remote);
    if (st) this.verified.set(key, { size: st.size, mtimeMs: st.mtimeMs });
    return remote;
  }

  /** sha256 of a pod file via `sha256sum` (argv); null when the pod has no sha256sum (then size is all we check). */
  private async podSha256(host: Host, remote: string, signal?: AbortSignal): Promise<string | null> {
    let r;
    try {
      r = await host.exec(['sha256sum', '--', remote], { signal, timeoutMs: 10 * 60_000 });
    } catch {
      return null;
    }
    if (r.code === 127) return null;
    const m = /^([0-9a-f]{64})\b/.exec(r.stdout);
    if (r.code !== 0 || !m) return '';
    return m[1] ?? '';
  }
}
