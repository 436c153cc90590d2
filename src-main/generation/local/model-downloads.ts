// Getting a local model from inside the studio (docs/local-runtime.md, "Downloading models";
// docs/architecture.md, the local runtime row): a short curated catalog with the entry that
// suits this machine, and the download as a job (kind `local.download`, lane `downloads`:
// progress with ETA in the jobs tray, cancel, one download at a time). The files go to the
// Hugging Face cache (hub-download.ts); the folder is then checked and added as
// `local.addModel` does, and chosen when no model was.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Job } from '@shared/contract';
import type { LocalCatalog, LocalCatalogEntry } from '@shared/contract/local';
import { StudioError } from '../../core/studio-error';
import type { JobExecutor } from '../../jobs/job-service';
import { checkRequest, downloadFromHub, HubDownloadError, hubCacheDir, type HubDownloadRequest } from './hub-download';
import type { ProviderName } from './providers';

export const DOWNLOAD_KIND = 'local.download';

/**
 * The curated list. Only repos known to hold a diffusers-layout ONNX export (optimum's) are
 * listed; their sizes are the ONNX files alone (the download skips PyTorch weights). More can
 * be given in a JSON file (FLUX_STUDIO_MODEL_CATALOG) with the same fields.
 */
export const CURATED: LocalCatalogEntry[] = [
  {
    id: 'sdxl-turbo',
    title: 'SDXL-Turbo (Stability AI, fp32 ONNX)',
    repo: 'stabilityai/sdxl-turbo',
    subfolder: null,
    revision: 'main',
    kind: 'sdxl-turbo',
    sizeBytes: 13_900_000_000,
    runsWellOn: ['cuda', 'dml'],
    note: '512×512 in 1–4 steps. About 16 GB of GPU memory; on a CPU it needs 32 GB of RAM and minutes per image. Non-commercial licence: accept it on the model page.',
  },
];

const CatalogFile = z.array(
  z
    .object({
      id: z.string().min(1),
      title: z.string().min(1),
      repo: z.string().min(3),
      subfolder: z.string().nullable().default(null),
      revision: z.string().default('main'),
      kind: z.enum(['flux-dev', 'flux-schnell', 'sd-turbo', 'sdxl-turbo']),
      sizeBytes: z.number().nonnegative(),
      runsWellOn: z.array(z.enum(['cuda', 'dml', 'cpu'])),
      note: z.string().default(''),
    })
    .strict(),
);

/** The curated list, plus (first) the entries of FLUX_STUDIO_MODEL_CATALOG when set. */
export function catalogEntries(env: NodeJS.ProcessEnv): LocalCatalogEntry[] {
  const file = env.FLUX_STUDIO_MODEL_CATALOG;
  if (!file) return CURATED;
  let extra: LocalCatalogEntry[];
  try {
    extra = CatalogFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw new StudioError('invalid_input', `FLUX_STUDIO_MODEL_CATALOG ${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return [...extra, ...CURATED.filter((c) => !extra.some((e) => e.id === c.id))];
}

/**
 * The provider this machine will most likely use: DirectML on Windows; CUDA on Linux x64 only
 * when onnxruntime-node's CUDA provider library is installed; else the CPU.
 */
export function likelyProvider(ortBinDir: string | null, platform: string = process.platform, arch: string = process.arch): ProviderName {
  if (platform === 'win32') return 'dml';
  if (platform === 'linux' && arch === 'x64' && ortBinDir && fs.existsSync(path.join(ortBinDir, 'libonnxruntime_providers_cuda.so'))) return 'cuda';
  return 'cpu';
}

/** onnxruntime-node's native binary folder for this platform, or null when it cannot be found. */
export function ortBinDir(): string | null {
  try {
    const pkg = createRequire(__filename).resolve('onnxruntime-node/package.json');
    return path.join(path.dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** The smallest entry that runs well on the provider and fits in memory; else the smallest that fits. */
export function recommend(entries: LocalCatalogEntry[], provider: string, memoryBytes: number): LocalCatalogEntry | null {
  const bySize = [...entries].sort((a, b) => a.sizeBytes - b.sizeBytes);
  const fits = bySize.filter((e) => e.sizeBytes <= memoryBytes);
  return fits.find((e) => (e.runsWellOn as string[]).includes(provider)) ?? fits[0] ?? null;
}

export interface DownloadParams {
  repo: string;
  subfolder: string | null;
  revision: string | null;
}

export interface ModelDownloadsOptions {
  env: NodeJS.ProcessEnv;
  /** The Hugging Face token from the secret store (null when none). Never logged. */
  token: () => string | null;
  /** Checks and adds the downloaded folder (LocalService.addModel), selecting it when asked. */
  addModel: (dir: string, select: boolean) => { kind: string | null; name: string };
  hasActiveModel: () => boolean;
  /** onnxruntime-node's binary folder (for likelyProvider). */
  ortBinDir: string | null;
  /** The job system's submit (JobService.submit). */
  submit: (kind: string, params: unknown) => Job;
  totalMemory?: () => number;
  freeBytes?: (dir: string) => number;
}

const mb = (n: number) => (n / 1024 ** 2).toFixed(0);

export class ModelDownloads {
  constructor(private readonly opts: ModelDownloadsOptions) {}

  get hubUrl(): string {
    return this.opts.env.HF_ENDPOINT || 'https://huggingface.co';
  }

  get cacheDir(): string {
    return hubCacheDir(this.opts.env);
  }

  /** Starts a download job (checked again by the executor's schema and by checkRequest). */
  download(req: { repo: string; subfolder?: string | null; revision?: string | null }): Job {
    const params: DownloadParams = { repo: req.repo, subfolder: req.subfolder || null, revision: req.revision || null };
    try {
      checkRequest(params);
    } catch (err) {
      if (err instanceof HubDownloadError) throw new StudioError('invalid_input', `local.download: ${err.message}`, 'repo');
      throw err;
    }
    return this.opts.submit(DOWNLOAD_KIND, params);
  }

  catalog(): LocalCatalog {
    const entries = catalogEntries(this.opts.env);
    const provider = likelyProvider(this.opts.ortBinDir);
    const memory = (this.opts.totalMemory ?? os.totalmem)();
    const rec = recommend(entries, provider, memory);
    return { entries, recommended: rec?.id ?? null, provider, cacheDir: this.cacheDir, hubUrl: this.hubUrl };
  }

  executor(): JobExecutor<DownloadParams> {
    return {
      kind: DOWNLOAD_KIND,
      params: z.object({ repo: z.string().min(3).max(200), subfolder: z.string().max(300).nullable(), revision: z.string().max(200).nullable() }).strict(),
      lane: () => 'downloads',
      title: (p) => `Download ${p.repo}${p.subfolder ? `/${p.subfolder}` : ''}`,
      run: async ({ params, signal, progress, log }) => {
        const req: HubDownloadRequest = params;
        fs.mkdirSync(this.cacheDir, { recursive: true });
        let result;
        try {
          result = await downloadFromHub(req, {
            hubUrl: this.hubUrl,
            cacheDir: this.cacheDir,
            token: this.opts.token(),
            signal,
            freeBytes: this.opts.freeBytes,
            onProgress: (p) => {
              const rate = p.bytesPerSecond ? ` at ${(p.bytesPerSecond / 1024 ** 2).toFixed(1)} MB/s` : '';
              progress({
                step: Math.floor(p.doneBytes / 1024 ** 2),
                total: Math.ceil(p.totalBytes / 1024 ** 2),
                fraction: p.totalBytes > 0 ? Math.min(1, p.doneBytes / p.totalBytes) : null,
                message: `${mb(p.doneBytes)} / ${mb(p.totalBytes)} MB${rate} — ${p.file}`,
                etaSeconds: p.etaSeconds,
              });
            },
          });
        } catch (err) {
          if (err instanceof HubDownloadError) {
            if (err.code === 'cancelled') throw err;
            const code = err.code === 'gated' ? 'forbidden' : err.code === 'not_found' ? 'not_found' : err.code === 'invalid' ? 'invalid_input' : err.code === 'network' ? 'network' : err.code === 'corrupt' ? 'upstream' : 'unavailable';
            throw new StudioError(code, err.message);
          }
          throw err;
        }
        log.info(`downloaded ${result.repo}@${result.commit.slice(0, 10)}: ${result.files} files, ${mb(result.downloadedBytes)} MB fetched in ${result.seconds.toFixed(1)} s → ${result.dir}`);
        const model = this.opts.addModel(result.dir, !this.opts.hasActiveModel());
        return {
          path: result.dir,
          repo: result.repo,
          commit: result.commit,
          kind: model.kind,
          name: model.name,
          totalBytes: result.totalBytes,
          downloadedBytes: result.downloadedBytes,
          seconds: result.seconds,
          bytesPerSecond: result.seconds > 0 ? result.downloadedBytes / result.seconds : null,
        };
      },
    };
  }
}
