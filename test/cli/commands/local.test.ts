// `flux-studio local …` as a user runs it (bin → out/main/cli.js → out/main/local-worker.js).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { readImageParameters } from '../../../src-main/metadata/read-parameters';
import { formatSize } from '../../../src-shared/format-size';
import { REPO_ROOT, tempDir } from '../../helpers/studio';
import { onnxFixtures } from '../../generation/local/helpers';

const BIN = path.join(REPO_ROOT, 'bin', 'flux-studio.cjs');
let sd = '';

beforeAll(() => {
  for (const f of ['cli.js', 'local-worker.js']) {
    if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', f))) throw new Error(`out/main/${f} is missing: run \`npm run build\` first`);
  }
  sd = path.join(onnxFixtures(), 'sd-turbo', 'onnx');
}, 40 * 60_000);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('flux-studio local', () => {
  test('generate runs the shared generation job: parameters embedded, in the gallery, --out written; the same seed gives the same pixels; progress on stderr', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const run = (seed: number, out: string) =>
      cli(['local', 'generate', 'a red cube on a table', '--model', sd, '--steps', '2', '--seed', String(seed), '--width', '64', '--height', '96', '--out', out, '--data-dir', data, '--json']);
    const a = run(5, path.join(dir, 'a.png'));
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain('step 2/2');
    const info = JSON.parse(a.stdout) as { path: string; savedPath: string; imageId: string | null; kind: string; provider: string; seed: number; prng: string; steps: number; sigmas: number[] };
    expect(info).toMatchObject({ path: path.join(dir, 'a.png'), kind: 'sd-turbo', provider: 'cpu', seed: 5, steps: 2, prng: 'philox4x32-10+box-muller' });
    expect(info.sigmas.length).toBeGreaterThan(0);
    const meta = await sharp(info.path).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 96]);
    // Saved by the generation job too: by date in the output folder, the same bytes as --out.
    expect(info.savedPath).toMatch(new RegExp(`^${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/outputs/\\d{4}-\\d{2}-\\d{2}/flux_\\d{8}_\\d{6}_5\\.png$`));
    expect(fs.readFileSync(info.savedPath).equals(fs.readFileSync(info.path))).toBe(true);
    // The parameters are embedded (read back with the metadata reader) …
    const params = readImageParameters(fs.readFileSync(info.path));
    expect(params).toMatchObject({ prompt: 'a red cube on a table', seed: 5, steps: 2, width: 64, height: 96, runtime: 'local', model: 'sd-turbo', guidance: null, source: 'studio' });
    // … and the image is in the gallery.
    expect(info.imageId).not.toBeNull();
    const found = JSON.parse(cli(['gallery', 'search', 'red cube', '--json', '--data-dir', data]).stdout) as { items?: { path: string }[] } | { path: string }[];
    expect((Array.isArray(found) ? found : (found.items ?? [])).map((i) => i.path)).toContain(info.savedPath);
    // Same seed, same image (the files differ only in the time recorded with the parameters).
    expect(run(5, path.join(dir, 'b.png')).code).toBe(0);
    const pixels = (file: string) => sharp(file).raw().toBuffer();
    expect((await pixels(path.join(dir, 'b.png'))).equals(await pixels(info.path))).toBe(true);
    expect(run(6, path.join(dir, 'c.jpg')).code).toBe(0);
    expect((await sharp(path.join(dir, 'c.jpg')).metadata()).format).toBe('jpeg');
    expect(readImageParameters(fs.readFileSync(path.join(dir, 'c.jpg')))).toMatchObject({ seed: 6, runtime: 'local' });
  }, 300_000);

  test('SDXL-Turbo: local generate defaults to one step; generate --local --model DIR makes the image', async () => {
    const sdxl = path.join(path.dirname(path.dirname(sd)), 'sdxl-turbo', 'onnx');
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const a = cli(['local', 'generate', 'a red cube on a table', '--model', sdxl, '--seed', '3', '--width', '64', '--height', '96', '--out', path.join(dir, 'x.png'), '--data-dir', data, '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ kind: 'sdxl-turbo', steps: 1, width: 64, height: 96, seed: 3 });
    const meta = await sharp(path.join(dir, 'x.png')).metadata();
    expect([meta.width, meta.height]).toEqual([64, 96]);
    // --guidance is for FLUX.1-dev: SDXL-Turbo has no guidance input, so none is recorded.
    const r = cli(['generate', 'a lighthouse', '--local', '--model', sdxl, '--custom', '256x256', '--guidance', '5', '--seed', '4', '--quiet', '--data-dir', data]);
    expect(r.code, r.stderr).toBe(0);
    const file = r.stdout.trim();
    expect((await sharp(file).metadata()).width).toBe(256);
    // Distilled for 1–4 steps: one unless asked.
    expect(JSON.parse(cli(['metadata', 'read', file, '--json', '--data-dir', data]).stdout)).toMatchObject({ seed: 4, steps: 1, width: 256, height: 256, runtime: 'local', guidance: null });
  }, 300_000);

  test('a broken folder exits 2 with the reason; add/models/remove manage the list', () => {
    const data = path.join(tempDir(), 'data');
    const bad = cli(['local', 'generate', 'x', '--model', path.dirname(sd), '--data-dir', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--model: .*model_index\.json/);
    const added = cli(['local', 'add', sd, '--data-dir', data]);
    expect(added.code, added.stderr).toBe(0);
    const list = cli(['local', 'models', '--json', '--data-dir', data]);
    const models = JSON.parse(list.stdout) as { sizeBytes: number }[];
    expect(models).toMatchObject([{ path: sd, name: 'sd-turbo', kind: 'sd-turbo', valid: true, active: true }]);
    // The size reads as the UI writes it (src-shared/format-size.ts), e.g. "14 MB", not "0.01 GB".
    const size = formatSize(models[0]!.sizeBytes);
    expect(size).toMatch(/^\d+(\.\d)? (KB|MB|GB)$/);
    expect(added.stdout).toContain(`(sd-turbo, ${size})`);
    // `local list` is what users try first: the same as `local models`.
    const alias = cli(['local', 'list', '--json', '--data-dir', data]);
    expect(alias.code, alias.stderr).toBe(0);
    expect(JSON.parse(alias.stdout)).toEqual(JSON.parse(list.stdout));
    expect(cli(['local', 'list', '--data-dir', data]).stdout).toContain(size);
    // No pod, a local model: generate says to use --local with it.
    const noPod = cli(['generate', 'x', '--data-dir', data]);
    expect(noPod.code).toBe(1);
    expect(noPod.stderr).toContain('Generate on this machine with --local (it uses the local model sd-turbo)');
    expect(cli(['local', 'remove', sd, '--data-dir', data]).stdout).toContain('removed');
  }, 300_000);

  test('generate --local --model DIR runs the shared generation job: saved by date with parameters, indexed, path printed', () => {
    const flux = path.join(path.dirname(path.dirname(sd)), 'flux-schnell', 'onnx');
    const data = path.join(tempDir(), 'data');
    const r = cli(['generate', 'a lighthouse; $(touch pwned) `id`', '--local', '--model', flux, '--custom', '256x256', '--seed', '77', '--quiet', '--data-dir', data]);
    expect(r.code, r.stderr).toBe(0);
    const file = r.stdout.trim();
    expect(file).toMatch(new RegExp(`^${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/outputs/\\d{4}-\\d{2}-\\d{2}/flux_\\d{8}_\\d{6}_77\\.jpg$`));
    const meta = JSON.parse(cli(['metadata', 'read', file, '--json', '--data-dir', data]).stdout) as Record<string, unknown>;
    expect(meta).toMatchObject({ prompt: 'a lighthouse; $(touch pwned) `id`', seed: 77, steps: 4, width: 256, height: 256, runtime: 'local', model: 'flux-schnell' });
    const found = JSON.parse(cli(['gallery', 'search', 'lighthouse', '--json', '--data-dir', data]).stdout) as { items?: { path: string }[] } | { path: string }[];
    const items = Array.isArray(found) ? found : (found.items ?? []);
    expect(items.map((i) => i.path)).toContain(file);
    expect(fs.existsSync(path.join(REPO_ROOT, 'pwned'))).toBe(false);
    // A folder is a model only with --local.
    const noLocal = cli(['generate', 'x', '--model', flux, '--data-dir', data]);
    expect(noLocal.code).toBe(2);
    expect(noLocal.stderr).toContain('needs --local');
  }, 300_000);
});
