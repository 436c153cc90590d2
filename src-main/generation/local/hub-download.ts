// Downloads a model folder from the Hugging Face Hub into the Hub's own cache layout
// (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub:
// models--org--name/{blobs,snapshots/<commit>,refs}), so Python tools and other apps share
// the files (docs/local-runtime.md, "Downloading models"; docs/architecture.md, local runtime).
// The official client (@huggingface/hub) resolves the revision to a commit and lists the files
// with their sizes and checksums; the bytes are fetched here, because the client's
// downloaders neither resume nor report progress: one file at a time with an HTTP Range
// from what a `.incomplete` blob already holds, each checked against the Hub's sha256 (LFS
// files) or git blob id (small files) before it is moved into place and linked from the
// snapshot. Free disk space is checked before the first byte.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { listFiles, modelInfo, type ListFileEntry } from '@huggingface/hub';

export const DEFAULT_HUB_URL = 'https://huggingface.co';

export type HubDownloadErrorCode = 'gated' | 'not_found' | 'corrupt' | 'disk_full' | 'network' | 'cancelled' | 'invalid';

export class HubDownloadError extends Error {
  constructor(
    readonly code: HubDownloadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HubDownloadError';
  }
}

export interface HubDownloadRequest {
  /** "org/name" */
  repo: string;
  /** A folder inside the repo holding the model (e.g. "onnx"); the whole repo when absent. */
  subfolder?: string | null;
  /** Branch, tag or commit; "main" when absent. */
  revision?: string | null;
}

export interface HubDownloadProgress {
  file: string;
  doneBytes: number;
  totalBytes: number;
  /** Over this session's transfer (resumed bytes are not counted). */
  bytesPerSecond: number | null;
  etaSeconds: number | null;
}

export interface HubDownloadOptions {
  /** The Hub (HF_ENDPOINT); https://huggingface.co by default. */
  hubUrl?: string;
  /** The Hub cache folder (hubCacheDir()). */
  cacheDir: string;
  /** For gated and private repos; sent only to hubUrl, never logged. */
  token?: string | null;
  signal?: AbortSignal;
  onProgress?: (p: HubDownloadProgress) => void;
  /** Free bytes where the cache lives (tests give a small number to act out a full disk). */
  freeBytes?: (dir: string) => number;
  /** Which files to fetch (path inside the subfolder); wantedForLocalRuntime by default. */
  include?: (file: string) => boolean;
  fetch?: typeof fetch;
}

const NOT_FOR_ONNX = /\.(safetensors|bin|ckpt|pt|pth|msgpack|h5|gguf|png|jpe?g|webp|gif|mp4)$/i;

/**
 * The files the local runtime reads: the ONNX graphs and their external data, configs,
 * tokenizers, scheduler. Model repos often hold PyTorch weights beside the ONNX export
 * (stabilityai/sdxl-turbo: both in unet/), and optimum writes a vae_encoder the text-to-image
 * pipeline never uses; those are skipped.
 */
export function wantedForLocalRuntime(file: string): boolean {
  const parts = file.split('/');
  if (parts.includes('vae_encoder') || parts.includes('vae') || parts.at(-1) === '.gitattributes') return false;
  return !NOT_FOR_ONNX.test(file);
}

export interface HubDownloadResult {
  /** The model folder: snapshots/<commit>/<subfolder>. */
  dir: string;
  repo: string;
  commit: string;
  files: number;
  totalBytes: number;
  /** Bytes fetched by this call (0 when everything was cached). */
  downloadedBytes: number;
  seconds: number;
}

/** Where the Hub's cache lives, as huggingface_hub decides it. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  const home = env.HF_HOME || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'huggingface');
  return path.join(home, 'hub');
}

const REPO_RE = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;
const REVISION_RE = /^[\w.][\w./-]{0,199}$/;

/** Checks a request's repo id, subfolder and revision (they become URL and file paths). */
export function checkRequest(req: HubDownloadRequest): { repo: string; subfolder: string; revision: string } {
  const repo = req.repo.trim();
  if (!REPO_RE.test(repo) || repo.includes('..')) throw new HubDownloadError('invalid', `"${repo}" is not a Hugging Face repo id (org/name)`);
  const subfolder = (req.subfolder ?? '').trim().replace(/^\/+|\/+$/g, '');
  if (subfolder && (subfolder.split('/').some((s) => s === '' || s === '.' || s === '..') || /[\\:]/.test(subfolder))) {
    throw new HubDownloadError('invalid', `subfolder "${subfolder}" is not a folder path inside the repo`);
  }
  const revision = (req.revision ?? 'main').trim() || 'main';
  if (!REVISION_RE.test(revision) || revision.includes('..')) throw new HubDownloadError('invalid', `"${revision}" is not a branch, tag or commit`);
  return { repo, subfolder, revision };
}

function statusError(status: number, what: string, repo: string, hasToken: boolean): HubDownloadError {
  if (status === 401 || status === 403) {
    return new HubDownloadError(
      'gated',
      hasToken
        ? `${what}: the Hub refused the token (HTTP ${status}); accept the model's terms on its page with the account the token belongs to, or save a token with read access in Settings → Secrets (Hugging Face)`
        : `${what}: ${repo} is gated or private (HTTP ${status}); accept its terms on its page and save a Hugging Face token in Settings → Secrets`,
    );
  }
  if (status === 404) return new HubDownloadError('not_found', `${what}: not found on the Hub (HTTP 404); check the repo id, subfolder and revision`);
  return new HubDownloadError('network', `${what}: the Hub answered HTTP ${status}`);
}

function hubError(err: unknown, what: string, repo: string, hasToken: boolean, signal?: AbortSignal): HubDownloadError {
  if (err instanceof HubDownloadError) return err;
  if (signal?.aborted) return new HubDownloadError('cancelled', 'cancelled');
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return statusError(status, what, repo, hasToken);
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOSPC') return new HubDownloadError('disk_full', `${what}: the disk is full; free some space and download again (it resumes)`);
  // Never echo a request (it may carry the token): the message only.
  return new HubDownloadError('network', `${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
}

/** sha256 of a file, or git's blob id (sha1 of "blob <size>\0" + bytes) for small non-LFS files. */
async function fileDigest(file: string, kind: 'sha256' | 'git-sha1', size: number): Promise<string> {
  const h = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-sha1') h.update(`blob ${size}\0`);
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function freeBytesOf(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

const gb = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GB`;

/** Downloads (or completes) a model folder into the Hub cache and returns where it is. */
export async function downloadFromHub(req: HubDownloadRequest, opts: HubDownloadOptions): Promise<HubDownloadResult> {
  const t0 = performance.now();
  const { repo, subfolder, revision } = checkRequest(req);
  const hubUrl = (opts.hubUrl || DEFAULT_HUB_URL).replace(/\/+$/, '');
  const token = opts.token || undefined;
  const signal = opts.signal;
  const baseFetch = opts.fetch ?? fetch;
  const fetchWithSignal: typeof fetch = (input, init) => baseFetch(input, { ...init, signal });
  const cancelled = () => {
    if (signal?.aborted) throw new HubDownloadError('cancelled', 'cancelled');
  };

  // The commit the revision points to, and the files under the subfolder at that commit.
  let commit: string;
  let entries: ListFileEntry[] = [];
  try {
    const info = await modelInfo({ name: repo, revision, hubUrl, accessToken: token, fetch: fetchWithSignal, additionalFields: ['sha'] });
    commit = String((info as { sha?: unknown }).sha ?? '');
    if (!/^[0-9a-f]{40}$/.test(commit)) throw new HubDownloadError('network', `${repo}@${revision}: the Hub gave no commit id`);
    for await (const e of listFiles({ repo, revision: commit, path: subfolder || undefined, recursive: true, hubUrl, accessToken: token, fetch: fetchWithSignal })) {
      if (e.type === 'file') entries.push(e);
    }
  } catch (err) {
    throw hubError(err, `${repo}@${revision}`, repo, token !== undefined, signal);
  }
  const include = opts.include ?? wantedForLocalRuntime;
  const inside = (p: string) => (subfolder && p.startsWith(`${subfolder}/`) ? p.slice(subfolder.length + 1) : p);
  entries = entries.filter((e) => !e.path.split('/').some((s) => s === '..' || s === '' || s.startsWith('.git')) && include(inside(e.path)));
  if (entries.length === 0) throw new HubDownloadError('not_found', `${repo}@${revision}${subfolder ? ` has no files under ${subfolder}/` : ' has no files'}`);

  const repoDir = path.join(opts.cacheDir, `models--${repo.replace('/', '--')}`);
  const blobs = path.join(repoDir, 'blobs');
  const snapshot = path.join(repoDir, 'snapshots', commit);
  fs.mkdirSync(blobs, { recursive: true });
  const files = entries.map((e) => {
    const sha256 = e.lfs?.oid ?? null;
    const blob = sha256 ?? e.oid ?? null;
    if (!blob || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(blob)) throw new HubDownloadError('network', `${e.path}: the Hub gave no checksum for it`);
    return { path: e.path, size: e.lfs?.size ?? e.size, blob: path.join(blobs, blob), check: sha256 ? ('sha256' as const) : ('git-sha1' as const), expect: blob };
  });
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  const partial = (f: { blob: string }) => (fs.existsSync(`${f.blob}.incomplete`) ? fs.statSync(`${f.blob}.incomplete`).size : 0);
  const missing = files.filter((f) => !fs.existsSync(f.blob));
  const need = missing.reduce((s, f) => s + Math.max(0, f.size - partial(f)), 0);
  const free = (opts.freeBytes ?? freeBytesOf)(opts.cacheDir);
  // A little room beyond the files (filesystem overhead, the studio's own writes).
  const margin = 64 * 1024 ** 2;
  if (need + margin > free) {
    throw new HubDownloadError('disk_full', `${repo}: needs ${gb(need)} more and only ${gb(free)} is free in ${opts.cacheDir}; free some space (or set HF_HOME to a bigger disk) and download again`);
  }

  let doneBytes = files.filter((f) => fs.existsSync(f.blob)).reduce((s, f) => s + f.size, 0);
  let sessionBytes = 0;
  const sessionStart = performance.now();
  let lastReport = 0;
  const report = (file: string, force = false) => {
    const now = performance.now();
    if (!force && now - lastReport < 250) return;
    lastReport = now;
    const secs = (now - sessionStart) / 1000;
    const rate = secs > 0.5 && sessionBytes > 0 ? sessionBytes / secs : null;
    opts.onProgress?.({ file, doneBytes, totalBytes, bytesPerSecond: rate, etaSeconds: rate ? (totalBytes - doneBytes) / rate : null });
  };

  for (const f of missing) {
    cancelled();
    const tmp = `${f.blob}.incomplete`;
    let start = partial(f);
    if (start > f.size) {
      fs.rmSync(tmp);
      start = 0;
    }
    doneBytes += start;
    if (f.size === 0) fs.writeFileSync(tmp, ''); // an empty file: nothing to fetch
    if (start < f.size) {
      const url = `${hubUrl}/${repo}/resolve/${commit}/${f.path.split('/').map(encodeURIComponent).join('/')}`;
      let res: Response;
      try {
        res = await fetchWithSignal(url, { headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(start > 0 ? { Range: `bytes=${start}-` } : {}) } });
      } catch (err) {
        throw hubError(err, f.path, repo, token !== undefined, signal);
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined); // free the connection (else it holds the process open)
        throw statusError(res.status, f.path, repo, token !== undefined);
      }
      if (start > 0 && res.status !== 206) {
        // The server sent the whole file: start over.
        doneBytes -= start;
        start = 0;
      }
      const out = fs.createWriteStream(tmp, { flags: start > 0 ? 'a' : 'w' });
      const body = res.body;
      if (!body) throw new HubDownloadError('network', `${f.path}: the Hub sent no body`);
      const counted = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
      counted.on('data', (chunk: Buffer) => {
        doneBytes += chunk.length;
        sessionBytes += chunk.length;
        report(f.path);
      });
      try {
        await streamPipeline(counted, out);
      } catch (err) {
        // What arrived stays in .incomplete: the next download resumes from there.
        throw hubError(err, f.path, repo, token !== undefined, signal);
      }
    }
    const got = fs.statSync(tmp).size;
    if (got !== f.size) throw new HubDownloadError('network', `${f.path}: got ${got} of ${f.size} bytes; download again to resume`);
    const digest = await fileDigest(tmp, f.check, f.size);
    if (digest !== f.expect) {
      fs.rmSync(tmp, { force: true });
      throw new HubDownloadError('corrupt', `${f.path}: ${f.check === 'sha256' ? 'sha256' : 'git blob id'} ${digest.slice(0, 12)}… is not the Hub's ${f.expect.slice(0, 12)}…; the file was deleted, download again`);
    }
    fs.renameSync(tmp, f.blob);
    report(f.path, true);
  }

  // The snapshot: one relative link per file into blobs/, as huggingface_hub makes it.
  for (const f of files) {
    const link = path.join(snapshot, ...f.path.split('/'));
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.rmSync(link, { force: true });
    try {
      fs.symlinkSync(path.relative(path.dirname(link), f.blob), link);
    } catch {
      fs.copyFileSync(f.blob, link); // no symlinks (Windows without developer mode): a copy
    }
  }
  if (revision !== commit) {
    const ref = path.join(repoDir, 'refs', ...revision.split('/'));
    fs.mkdirSync(path.dirname(ref), { recursive: true });
    fs.writeFileSync(ref, commit);
  }
  return {
    dir: subfolder ? path.join(snapshot, ...subfolder.split('/')) : snapshot,
    repo,
    commit,
    files: files.length,
    totalBytes,
    downloadedBytes: sessionBytes,
    seconds: (performance.now() - t0) / 1000,
  };
}
