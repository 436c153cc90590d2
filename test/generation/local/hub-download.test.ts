// Downloading a model from the Hub (issue 18), against a local server speaking the Hub's HTTP
// API (hub-server.ts) over a real optimum-cli export: the Hub cache layout, a resumed download
// after the connection dropped, gated repos without and with a token, a corrupt file refused,
// a full disk refused before the first byte; the downloaded folder is checked and generates.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { checkRequest, downloadFromHub, hubCacheDir, HubDownloadError, type HubDownloadProgress } from '../../../src-main/generation/local/hub-download';
import { inspectModelFolder } from '../../../src-main/generation/local/model-folder';
import { LocalPipeline } from '../../../src-main/generation/local/pipeline';
import { tempDir } from '../../helpers/studio';
import { optimumFixtures } from './helpers';
import { startHubServer, type HubServer } from './hub-server';

const TOKEN = 'hf_localtesttoken0123456789';
let hub: HubServer;
let cache: string;

beforeAll(async () => {
  // A repo as they are on the Hub: a README at the top, the ONNX export in a subfolder.
  const repo = tempDir('flux-studio-hubrepo-');
  fs.writeFileSync(path.join(repo, 'README.md'), '# tiny sd-turbo\n');
  fs.cpSync(path.join(optimumFixtures(), 'sd-turbo', 'onnx'), path.join(repo, 'onnx'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'onnx', 'scheduler', 'empty.txt'), ''); // empty files exist in real repos
  fs.writeFileSync(path.join(repo, 'onnx', 'unet', 'diffusion_pytorch_model.safetensors'), Buffer.alloc(4096, 1)); // beside the ONNX, as in stabilityai/sdxl-turbo
  hub = await startHubServer({ 'tiny/sd-turbo-onnx': { dir: repo }, 'tiny/gated-onnx': { dir: repo, gated: true } }, { token: TOKEN });
}, 45 * 60_000);

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => {
  cache = tempDir('flux-studio-hfcache-');
  hub.requests.length = 0;
});

const resolves = () => hub.requests.filter((r) => r.path.includes('/resolve/'));

async function failure(p: Promise<unknown>): Promise<HubDownloadError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HubDownloadError);
  return err as HubDownloadError;
}

describe('downloadFromHub', () => {
  test('a subfolder lands in the Hub cache layout, is a valid model, generates; a second download fetches nothing', async () => {
    const seen: HubDownloadProgress[] = [];
    const r = await downloadFromHub({ repo: 'tiny/sd-turbo-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache, onProgress: (p) => seen.push(p) });
    const repoDir = path.join(cache, 'models--tiny--sd-turbo-onnx');
    expect(r.dir).toBe(path.join(repoDir, 'snapshots', r.commit, 'onnx'));
    expect(fs.readFileSync(path.join(repoDir, 'refs', 'main'), 'utf8')).toBe(r.commit);
    // Only the subfolder: no README.
    expect(fs.existsSync(path.join(repoDir, 'snapshots', r.commit, 'README.md'))).toBe(false);
    // Snapshot files are relative links to blobs named by their sha256 (LFS) or git blob id.
    const unet = path.join(r.dir, 'unet', 'model.onnx');
    const target = fs.readlinkSync(unet);
    expect(path.isAbsolute(target)).toBe(false);
    expect(path.basename(target)).toMatch(/^[0-9a-f]{64}$/);
    expect(path.basename(fs.readlinkSync(path.join(r.dir, 'model_index.json')))).toMatch(/^[0-9a-f]{40}$/);
    expect(fs.readFileSync(path.join(r.dir, 'scheduler', 'empty.txt'), 'utf8')).toBe('');
    // PyTorch weights and the VAE encoder are not what the local runtime reads: not fetched.
    expect(fs.existsSync(path.join(r.dir, 'vae_encoder'))).toBe(false);
    expect(fs.existsSync(path.join(r.dir, 'unet', 'diffusion_pytorch_model.safetensors'))).toBe(false);
    expect(r.downloadedBytes).toBe(r.totalBytes);
    expect(seen.at(-1)).toMatchObject({ doneBytes: r.totalBytes, totalBytes: r.totalBytes });
    expect(fs.readdirSync(path.join(repoDir, 'blobs')).some((f) => f.endsWith('.incomplete'))).toBe(false);

    const info = inspectModelFolder(r.dir);
    expect(info.kind).toBe('sd-turbo');
    const p = await LocalPipeline.load(r.dir, { provider: 'cpu', threads: 1 });
    try {
      const img = await p.generate({ prompt: 'a lighthouse', steps: 1, width: 64, height: 64, guidance: null, seed: 1 });
      expect(img.rgb.length).toBe(64 * 64 * 3);
    } finally {
      await p.release();
    }

    hub.requests.length = 0;
    const again = await downloadFromHub({ repo: 'tiny/sd-turbo-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache });
    expect(again.dir).toBe(r.dir);
    expect(again.downloadedBytes).toBe(0);
    expect(resolves()).toEqual([]);
  }, 120_000);

  test('a dropped connection leaves a .incomplete blob; the next download resumes it with a Range request', async () => {
    const file = 'onnx/unet/model.onnx';
    const size = fs.statSync(path.join(optimumFixtures(), 'sd-turbo', 'onnx', 'unet', 'model.onnx')).size;
    const half = Math.floor(size / 2);
    hub.cutAfter(file, half);
    const err = await failure(downloadFromHub({ repo: 'tiny/sd-turbo-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache }));
    expect(err.code).toBe('network');
    const blobs = path.join(cache, 'models--tiny--sd-turbo-onnx', 'blobs');
    const partial = fs.readdirSync(blobs).filter((f) => f.endsWith('.incomplete'));
    expect(partial).toHaveLength(1);
    // What was written before the drop (a little less than what was sent, never more).
    const kept = fs.statSync(path.join(blobs, partial[0]!)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(half);

    hub.requests.length = 0;
    const r = await downloadFromHub({ repo: 'tiny/sd-turbo-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache });
    const unetReq = resolves().filter((q) => q.path.endsWith(`/${file}`));
    expect(unetReq).toEqual([expect.objectContaining({ range: `bytes=${kept}-` })]);
    // Files finished before the cut are not fetched again.
    expect(resolves().some((q) => q.path.endsWith('/onnx/model_index.json'))).toBe(false);
    expect(r.downloadedBytes).toBeLessThan(r.totalBytes);
    expect(inspectModelFolder(r.dir).kind).toBe('sd-turbo');
  }, 120_000);

  test('a gated repo: refused without a token and with a wrong one (saying what to do), downloaded with the right one', async () => {
    const noToken = await failure(downloadFromHub({ repo: 'tiny/gated-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache }));
    expect(noToken.code).toBe('gated');
    expect(noToken.message).toMatch(/gated or private \(HTTP 401\); accept its terms .* Settings → Secrets/);
    const wrong = await failure(downloadFromHub({ repo: 'tiny/gated-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache, token: 'hf_wrong' }));
    expect(wrong.code).toBe('gated');
    expect(wrong.message).toMatch(/refused the token \(HTTP 403\)/);
    expect(wrong.message).not.toContain('hf_wrong');
    hub.requests.length = 0;
    const r = await downloadFromHub({ repo: 'tiny/gated-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache, token: TOKEN });
    expect(inspectModelFolder(r.dir).kind).toBe('sd-turbo');
    expect(resolves().every((q) => q.auth)).toBe(true);
  }, 120_000);

  test('a corrupt file is refused and deleted; the next download gets it whole', async () => {
    hub.corrupt('onnx/unet/model.onnx', true);
    try {
      const err = await failure(downloadFromHub({ repo: 'tiny/sd-turbo-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache }));
      expect(err.code).toBe('corrupt');
      expect(err.message).toMatch(/^onnx\/unet\/model\.onnx: sha256 [0-9a-f]{12}… is not the Hub's [0-9a-f]{12}…; the file was deleted/);
      const blobs = path.join(cache, 'models--tiny--sd-turbo-onnx', 'blobs');
      expect(fs.readdirSync(blobs).filter((f) => f.endsWith('.incomplete'))).toEqual([]);
      expect(fs.existsSync(path.join(cache, 'models--tiny--sd-turbo-onnx', 'snapshots'))).toBe(false);
    } finally {
      hub.corrupt('onnx/unet/model.onnx', false);
    }
    const r = await downloadFromHub({ repo: 'tiny/sd-turbo-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache });
    expect(inspectModelFolder(r.dir).kind).toBe('sd-turbo');
  }, 120_000);

  test('a full disk is refused before the first byte, with how much is needed', async () => {
    const err = await failure(downloadFromHub({ repo: 'tiny/sd-turbo-onnx', subfolder: 'onnx' }, { hubUrl: hub.url, cacheDir: cache, freeBytes: () => 1024 ** 2 }));
    expect(err.code).toBe('disk_full');
    expect(err.message).toMatch(/needs 0\.\d\d GB more and only 0\.00 GB is free in .*; free some space \(or set HF_HOME to a bigger disk\)/);
    expect(resolves()).toEqual([]);
  });

  test('missing repos, subfolders and revisions; bad ids refused before any request', async () => {
    expect((await failure(downloadFromHub({ repo: 'tiny/nope' }, { hubUrl: hub.url, cacheDir: cache }))).code).toBe('not_found');
    expect((await failure(downloadFromHub({ repo: 'tiny/sd-turbo-onnx', subfolder: 'fp16' }, { hubUrl: hub.url, cacheDir: cache }))).code).toBe('not_found');
    expect((await failure(downloadFromHub({ repo: 'tiny/sd-turbo-onnx', revision: 'v9' }, { hubUrl: hub.url, cacheDir: cache }))).code).toBe('not_found');
    hub.requests.length = 0;
    for (const req of [{ repo: '../etc' }, { repo: 'a/b/c' }, { repo: 'tiny/x', subfolder: '../..' }, { repo: 'tiny/x', revision: '../main' }]) {
      expect(() => checkRequest(req)).toThrow(HubDownloadError);
      expect((await failure(downloadFromHub(req, { hubUrl: hub.url, cacheDir: cache }))).code).toBe('invalid');
    }
    expect(hub.requests).toEqual([]);
  });

  test('the cache folder follows HF_HUB_CACHE, then HF_HOME, as huggingface_hub does', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/x/hub', HF_HOME: '/y' })).toBe('/x/hub');
    expect(hubCacheDir({ HF_HOME: '/y' })).toBe(path.join('/y', 'hub'));
    expect(hubCacheDir({ XDG_CACHE_HOME: '/c' })).toBe(path.join('/c', 'huggingface', 'hub'));
  });
});
