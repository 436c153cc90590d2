// `flux-studio local download REPO [--subfolder S] [--revision R]` as a user runs it, against a
// local server speaking the Hugging Face Hub's API (test/generation/local/hub-server.ts): a
// download killed half way resumes with a Range request, the model is added and generates;
// a gated repo fails without the token and downloads with the one saved by `secrets set`.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, tempDir } from '../../helpers/studio';
import { optimumFixtures } from '../../generation/local/helpers';
import { startHubServer, type HubServer } from '../../generation/local/hub-server';

const BIN = path.join(REPO_ROOT, 'bin', 'flux-studio.cjs');
const TOKEN = 'hf_clitesttoken9876543210';
let hub: HubServer;
let hfHome = '';

beforeAll(async () => {
  for (const f of ['cli.js', 'local-worker.js']) {
    if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', f))) throw new Error(`out/main/${f} is missing: run \`npm run build\` first`);
  }
  const repo = tempDir('flux-studio-hubrepo-');
  fs.cpSync(path.join(optimumFixtures(), 'sd-turbo', 'onnx'), path.join(repo, 'onnx'), { recursive: true });
  hub = await startHubServer({ 'tiny/sd-turbo-onnx': { dir: repo }, 'tiny/gated-onnx': { dir: repo, gated: true } }, { token: TOKEN });
  hfHome = tempDir('flux-studio-hfhome-');
}, 45 * 60_000);

afterAll(async () => {
  await hub?.close();
});

/** The CLI as a child process (async: the Hub server answers from this process). */
function cli(args: string[], opts: { input?: string; onStderr?: (text: string) => void } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HF_HOME: hfHome, HF_ENDPOINT: hub.url },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    opts.onStderr?.(stderr);
  });
  child.stdin.end(opts.input ?? '');
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

describe('flux-studio local download', () => {
  test('killed half way, run again: resumes with a Range request, adds the model, and it generates', async () => {
    const data = tempDir();
    const file = 'onnx/unet/model.onnx';
    hub.stallAfter(file, 300_000);
    const blobs = path.join(hfHome, 'hub', 'models--tiny--sd-turbo-onnx', 'blobs');
    // The unet's blob is named by its sha256 (an LFS file).
    const sha = createHash('sha256').update(fs.readFileSync(path.join(optimumFixtures(), 'sd-turbo', 'onnx', 'unet', 'model.onnx'))).digest('hex');
    const incomplete = path.join(blobs, `${sha}.incomplete`);
    const first = cli(['local', 'download', 'tiny/sd-turbo-onnx', '--subfolder', 'onnx', '--data-dir', data]);
    // Wait until the stalled file has bytes on disk, then kill the process outright.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(fs.existsSync(incomplete) && fs.statSync(incomplete).size >= 300_000)) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const kept = fs.statSync(incomplete).size;
    expect(kept).toBe(300_000);

    hub.requests.length = 0;
    const second = await cli(['local', 'download', 'tiny/sd-turbo-onnx', '--subfolder', 'onnx', '--data-dir', data, '--json']).done;
    expect(second.code, second.stderr).toBe(0);
    const r = JSON.parse(second.stdout) as { path: string; kind: string; downloadedBytes: number; totalBytes: number; bytesPerSecond: number | null };
    expect(r.kind).toBe('sd-turbo');
    expect(r.path.startsWith(path.join(hfHome, 'hub', 'models--tiny--sd-turbo-onnx', 'snapshots'))).toBe(true);
    const resumed = hub.requests.filter((q) => q.path.endsWith(`/${file}`));
    expect(resumed.map((q) => q.range)).toEqual([`bytes=${kept}-`]);
    expect(r.downloadedBytes).toBeLessThan(r.totalBytes);

    const models = JSON.parse((await cli(['local', 'models', '--json', '--data-dir', data]).done).stdout) as { path: string; valid: boolean; active: boolean }[];
    expect(models).toEqual([expect.objectContaining({ path: r.path, valid: true, active: true })]);
    const gen = await cli(['local', 'generate', 'a lighthouse', '--model', r.path, '--steps', '1', '--width', '64', '--height', '64', '--seed', '3', '--data-dir', data, '--json']).done;
    expect(gen.code, gen.stderr).toBe(0);
    expect(JSON.parse(gen.stdout)).toMatchObject({ kind: 'sd-turbo', width: 64, height: 64, seed: 3 });
  }, 300_000);

  test('a gated repo: refused without a token (exit 1, what to do); downloads with the token saved by `secrets set`, never printed', async () => {
    const data = tempDir();
    const no = await cli(['local', 'download', 'tiny/gated-onnx', '--subfolder', 'onnx', '--data-dir', data]).done;
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/download failed: .*gated or private \(HTTP 401\).*Settings → Secrets/);
    const set = await cli(['secrets', 'set', 'huggingface', '--data-dir', data], { input: TOKEN }).done;
    expect(set.code, set.stderr).toBe(0);
    const yes = await cli(['local', 'download', 'tiny/gated-onnx', '--subfolder', 'onnx', '--data-dir', data, '--json']).done;
    expect(yes.code, yes.stderr).toBe(0);
    expect(JSON.parse(yes.stdout)).toMatchObject({ kind: 'sd-turbo' });
    for (const out of [no, set, yes]) expect(out.stdout + out.stderr).not.toContain(TOKEN);
  }, 300_000);

  test('a bad repo id is refused before any request (exit 2)', async () => {
    hub.requests.length = 0;
    const r = await cli(['local', 'download', '../etc/passwd', '--data-dir', tempDir()]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/repo/);
    expect(hub.requests).toEqual([]);
  });
});
