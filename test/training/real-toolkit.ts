// The real ai-toolkit for the training tests (docs/architecture.md, "Training"): the venv
// scripts/ai-toolkit-venv.sh builds once from ../shared/vendor, the tiny random-weight FLUX
// (scripts/tiny-flux.sh) as the base model, a dataset of real images ai-toolkit accepts, the
// vendored sources as a git repository a pod install can clone, and what a real run wrote
// (loss_log.db). No vitest here: the bench uses it too (real-runs.ts counts a suite's launches).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { ToolkitSource } from '../../src-main/training/targets';
import { REPO_ROOT } from '../helpers/studio';

/** The checkout (the bench runs this bundled elsewhere and says where the checkout is). */
const ROOT = process.env.FLUX_STUDIO_ROOT ?? REPO_ROOT;
const CACHE = process.env.FLUX_STUDIO_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'flux-studio');
const VENDOR = process.env.FLUX_STUDIO_VENDOR ?? path.resolve(ROOT, '..', 'shared', 'vendor');

let toolkit: { dir: string; python: string } | null = null;
/** The real ai-toolkit (pinned commit, CPU patch) and its own venv's python. */
export function realToolkit(): { dir: string; python: string } {
  if (!toolkit) {
    const [dir, python] = execFileSync('bash', [path.join(ROOT, 'scripts', 'ai-toolkit-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n');
    if (!dir || !python) throw new Error('scripts/ai-toolkit-venv.sh printed no folder and python');
    toolkit = { dir, python };
  }
  return toolkit;
}

let tiny: string | null = null;
/** The tiny random-weight FLUX.1-dev diffusers folder. */
export function tinyFluxDev(): string {
  if (!tiny) {
    const dir = execFileSync('bash', [path.join(ROOT, 'scripts', 'tiny-flux.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    tiny = path.join(dir, 'flux-dev');
  }
  return tiny;
}

/** `count` PNG photos of 96–128 px (ai-toolkit's buckets) with captions, in ai-toolkit's folder format. */
export async function realDataset(dir: string, count = 4): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const sizes = [
    [96, 96],
    [128, 96],
    [96, 128],
    [128, 128],
  ] as const;
  for (let i = 0; i < count; i++) {
    const [w, h] = sizes[i % sizes.length] ?? [96, 96];
    const raw = Buffer.alloc(w * h * 3);
    for (let p = 0; p < raw.length; p++) raw[p] = (p * 7 + i * 31 + (p % 251)) & 0xff;
    await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path.join(dir, `img_${i}.png`));
    fs.writeFileSync(path.join(dir, `img_${i}.txt`), `[trigger] photo number ${i}`);
  }
  return dir;
}

/** Cheap sampling for CPU runs (a user may edit the YAML the same way): small images, few steps. */
export function cheapSamples(yaml: string): string {
  return yaml.replace(/^(\s+)width: \d+$/m, '$1width: 128').replace(/^(\s+)height: \d+$/m, '$1height: 128').replace(/^(\s+)sample_steps: \d+$/m, '$1sample_steps: 2');
}

/** The studio's step → loss as ai-toolkit's loss_log.db has it (db step s is the bar's s + 1). */
export function lossLogPoints(python: string, db: string): { step: number; loss: number }[] {
  const out = execFileSync(
    python,
    ['-c', "import json,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(json.dumps(c.execute(\"SELECT step, value_real FROM metrics WHERE key='loss/loss' ORDER BY step\").fetchall()))", db],
    { encoding: 'utf8' },
  );
  return (JSON.parse(out) as [number, number][]).map(([s, loss]) => ({ step: s + 1, loss }));
}

function sha(files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(fs.readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

/**
 * github.com/ostris/ai-toolkit as the pod install sees it, from ../shared/vendor: a git
 * repository of the pinned tree plus the CPU-only patch (a commit of its own, deterministic),
 * and the vendored diffusers folder for requirements' `git+` line. Torch comes from PyPI
 * (this machine has no NVIDIA driver for "auto" to read).
 */
export function vendoredToolkitSource(): Required<ToolkitSource> {
  const tgz = path.join(VENDOR, 'ai-toolkit-27a03a91f23e.tar.gz');
  const dtgz = path.join(VENDOR, 'diffusers-c943837899b1.tar.gz');
  const patch = path.join(VENDOR, 'ai-toolkit-cpu-only.patch');
  const root = path.join(CACHE, `ai-toolkit-src-${sha([tgz, dtgz, patch])}`);
  const repo = path.join(root, 'repo');
  if (!fs.existsSync(path.join(root, '.complete'))) {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(repo, { recursive: true });
    execFileSync('tar', ['-xzf', tgz, '-C', repo, '--strip-components=1']);
    execFileSync('tar', ['-xzf', dtgz, '-C', root]);
    execFileSync('patch', ['-p1', '--quiet', '-i', patch], { cwd: repo });
    const env = { ...process.env, GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' };
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=vendor', '-c', 'user.email=vendor@example.com', '-C', repo, ...args], { env, encoding: 'utf8' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'ai-toolkit 27a03a91f23e + CPU-only patch (../shared/vendor)');
    fs.writeFileSync(path.join(root, '.complete'), '');
  }
  const commit = execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const diffusers = fs.readdirSync(root).find((n) => n.startsWith('diffusers-'));
  if (!diffusers) throw new Error(`${root} has no diffusers folder`);
  return { repo, commit, diffusers: path.join(root, diffusers), torchIndex: 'pypi' };
}

/**
 * A persistent "network volume" for the loopback pod's <workspace>/ai-toolkit: ai-toolkit's
 * venv is ~6.4 GB and ~3.5 min to install here, so it survives between test runs like a
 * RunPod volume survives pod restarts. Keyed by the installer and the vendored sources: any
 * change to either installs afresh (through the studio's own install path, in the test).
 */
export function podToolkitVolume(): string {
  const key = sha([path.join(ROOT, 'native', 'pod', 'install_ai_toolkit.sh'), path.join(VENDOR, 'ai-toolkit-27a03a91f23e.tar.gz'), path.join(VENDOR, 'diffusers-c943837899b1.tar.gz'), path.join(VENDOR, 'ai-toolkit-cpu-only.patch')]);
  const dir = path.join(CACHE, `pod-volume-${key}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const old of fs.readdirSync(CACHE).filter((n) => n.startsWith('pod-volume-') && n !== `pod-volume-${key}`)) {
    fs.rmSync(path.join(CACHE, old), { recursive: true, force: true });
  }
  return dir;
}
