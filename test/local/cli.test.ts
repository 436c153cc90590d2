// `flux-studio local …` as a user runs it (bin → out/main/cli.js → out/main/local-worker.js).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/studio';
import { onnxFixtures } from './helpers';

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
  test('generate writes the image; the same seed gives the same file; progress on stderr', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const run = (seed: number, out: string) =>
      cli(['local', 'generate', 'a red cube on a table', '--model', sd, '--steps', '2', '--seed', String(seed), '--width', '64', '--height', '96', '--out', out, '--data-dir', data, '--json']);
    const a = run(5, path.join(dir, 'a.png'));
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain('step 2/2');
    const info = JSON.parse(a.stdout) as { path: string; kind: string; provider: string; seed: number; prng: string };
    expect(info).toMatchObject({ path: path.join(dir, 'a.png'), kind: 'sd-turbo', provider: 'cpu', seed: 5, prng: 'philox4x32-10+box-muller' });
    const meta = await sharp(info.path).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 96]);
    expect(run(5, path.join(dir, 'b.png')).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'b.png')).equals(fs.readFileSync(info.path))).toBe(true);
    expect(run(6, path.join(dir, 'c.jpg')).code).toBe(0);
    expect((await sharp(path.join(dir, 'c.jpg')).metadata()).format).toBe('jpeg');
  }, 300_000);

  test('a broken folder exits 2 with the reason; add/models/remove manage the list', () => {
    const data = path.join(tempDir(), 'data');
    const bad = cli(['local', 'generate', 'x', '--model', path.dirname(sd), '--data-dir', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--model: .*model_index\.json/);
    expect(cli(['local', 'add', sd, '--data-dir', data]).code).toBe(0);
    const list = cli(['local', 'models', '--json', '--data-dir', data]);
    expect(JSON.parse(list.stdout)).toMatchObject([{ path: sd, name: 'sd-turbo', kind: 'sd-turbo', valid: true, active: true }]);
    expect(cli(['local', 'remove', sd, '--data-dir', data]).stdout).toContain('removed');
  }, 300_000);
});
