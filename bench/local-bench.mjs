// npm run bench:local — the local runtime with a synthetic denoiser of realistic width.
//
// Model: the tiny FLUX.1-dev fixture's tokenizers, scheduler and VAE decoder, the synthetic
// FLUX-shaped transformer of native/fixtures/onnx/make_synthetic_denoiser.py (≈300 MB of
// fp32 weights, real FLUX I/O: T5 width 4096, pooled 768), and two small synthetic text
// encoders with the real output widths, all in one diffusers-ONNX folder (cached).
// It runs through the real inference child process and measures:
//   - per denoising step, the share of time outside session.run (tensor prep, scheduler, copies);
//   - the studio's memory (this process + the inference process) before load, while the
//     model is loaded, and after unload (the child process ended).
//   - a model download (hub-download.ts) of that folder from a local server speaking the
//     Hugging Face Hub's API (test/generation/local/hub-server.ts): fetch + sha256 check + HF cache layout.
// Ends with: local: overhead <pct>%, rss base <MB> MB, loaded <MB> MB, unloaded <MB> MB, download <MB>/s
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WIDTH_MB = Number(process.env.BENCH_LOCAL_WIDTH_MB ?? 300);
const SIZE = Number(process.env.BENCH_LOCAL_SIZE ?? 512);
const STEPS = Number(process.env.BENCH_LOCAL_STEPS ?? 4);
const PROVIDER = process.env.BENCH_LOCAL_PROVIDER ?? 'cpu';
const MB = 1024 * 1024;

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * MB, ...opts }).trim();
}

// ---------- the bench model folder (built once, cached) ----------
const fixtures = sh('bash', [path.join(ROOT, 'scripts', 'onnx-fixtures.sh')]).split('\n').at(-1);
const venv = sh('bash', [path.join(ROOT, 'scripts', 'pod-venv.sh')]).split('\n').at(-1);
const python = path.join(venv, 'bin', 'python');
const synthScript = path.join(ROOT, 'native', 'fixtures', 'onnx', 'make_synthetic_denoiser.py');
const key = crypto.createHash('sha256').update(fs.readFileSync(synthScript)).update(`${WIDTH_MB}|${fixtures}|v1`).digest('hex').slice(0, 12);
const cache = process.env.FLUX_STUDIO_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'flux-studio');
const modelDir = path.join(cache, `bench-local-${key}`);

if (!fs.existsSync(path.join(modelDir, '.complete'))) {
  const tmp = `${modelDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const src = path.join(fixtures, 'flux-dev', 'onnx');
  for (const part of ['model_index.json', 'scheduler', 'tokenizer', 'tokenizer_2', 'vae_decoder']) {
    fs.cpSync(path.join(src, part), path.join(tmp, part), { recursive: true });
  }
  process.stderr.write(`bench: building a ${WIDTH_MB} MB synthetic denoiser in ${modelDir}\n`);
  sh(python, [synthScript, '--out', tmp, '--width-mb', String(WIDTH_MB)]);
  // Text encoders with the real widths (CLIP pooled 768, T5 4096): ids → a linear embedding.
  const encoders = `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto as T
def enc(path, width, pooled):
    rng = np.random.default_rng(width)
    w = numpy_helper.from_array((rng.standard_normal((1, width)) * 1e-3).astype(np.float32), "w")
    ax = numpy_helper.from_array(np.array([-1], dtype=np.int64), "ax")
    ax1 = numpy_helper.from_array(np.array([1], dtype=np.int64), "ax1")
    nodes = [helper.make_node("Cast", ["input_ids"], ["f"], to=T.FLOAT),
             helper.make_node("Unsqueeze", ["f", "ax"], ["f3"]),
             helper.make_node("MatMul", ["f3", "w"], ["last_hidden_state"])]
    outs = [helper.make_tensor_value_info("last_hidden_state", T.FLOAT, ["batch_size", "sequence_length", width])]
    if pooled:
        nodes.append(helper.make_node("ReduceMean", ["last_hidden_state", "ax1"], ["pooler_output"], keepdims=0))
        outs.append(helper.make_tensor_value_info("pooler_output", T.FLOAT, ["batch_size", width]))
    g = helper.make_graph(nodes, "enc", [helper.make_tensor_value_info("input_ids", T.INT64, ["batch_size", "sequence_length"])], outs, [w, ax, ax1])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)]); m.ir_version = 9
    onnx.checker.check_model(m)
    import os; os.makedirs(os.path.dirname(path), exist_ok=True); onnx.save(m, path)
enc(sys.argv[1] + "/text_encoder/model.onnx", 768, True)
enc(sys.argv[1] + "/text_encoder_2/model.onnx", 4096, False)
`;
  sh(python, ['-c', encoders, tmp]);
  fs.writeFileSync(path.join(tmp, '.complete'), '');
  fs.rmSync(modelDir, { recursive: true, force: true });
  fs.renameSync(tmp, modelDir);
}

// ---------- the worker and its client, bundled as the app bundles them ----------
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-bench-local-'));
fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
const external = ['onnxruntime-node', 'sharp', '@huggingface/tokenizers', 'entities'];
buildSync({ entryPoints: [path.join(ROOT, 'src-main/generation/local/onnx-worker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: path.join(outdir, 'local-worker.js'), external, logLevel: 'error' });
buildSync({ entryPoints: [path.join(ROOT, 'src-main/generation/local/onnx-worker-client.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: path.join(outdir, 'client.cjs'), external, logLevel: 'error' });
const { createRequire } = await import('node:module');
const { LocalWorkerClient } = createRequire(import.meta.url)(path.join(outdir, 'client.cjs'));

/** Resident memory of a process, from /proc (Linux) or our own process.memoryUsage. */
function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const client = new LocalWorkerClient({ workerPath: path.join(outdir, 'local-worker.js'), idleMs: () => 0 });
const weights = fs.statSync(path.join(modelDir, 'transformer', 'model.onnx.data')).size;
process.stderr.write(`bench: ${(weights / 1e6).toFixed(0)} MB denoiser, ${SIZE}×${SIZE} (${(SIZE / 16) ** 2} image tokens), ${STEPS} steps, provider ${PROVIDER}\n`);

const base = process.memoryUsage.rss();
const t0 = performance.now();
await client.ensureLoaded(modelDir, PROVIDER, 0);
const loadMs = performance.now() - t0;
const req = { prompt: 'a lighthouse on a cliff at sunset', steps: STEPS, width: SIZE, height: SIZE, guidance: 3.5, seed: 1, format: 'jpeg', quality: 90 };
await client.generate(modelDir, { provider: PROVIDER, threads: 0 }, { ...req, steps: 1 }); // warm-up
const image = await client.generate(modelDir, { provider: PROVIDER, threads: 0 }, req);
const status = await client.refreshStatus();
const pid = client.pid;
const childRss = rssOf(pid) ?? status.rssBytes;
const loaded = process.memoryUsage.rss() + childRss;
await client.stop();
const gone = !alive(pid);
await new Promise((r) => setTimeout(r, 200));
const unloaded = process.memoryUsage.rss() + (gone ? 0 : (rssOf(pid) ?? 0));

let stepMs = 0;
let runMs = 0;
for (const s of image.steps) {
  stepMs += s.stepMs;
  runMs += s.runMs;
}
const overhead = ((stepMs - runMs) / stepMs) * 100;
const rows = image.steps.map((s) => `  step ${s.step}: ${s.stepMs.toFixed(1)} ms, session.run ${s.runMs.toFixed(1)} ms, outside ${(s.stepMs - s.runMs).toFixed(2)} ms`);
console.log(
  [
    `model: ${path.basename(modelDir)} (${(weights / 1e6).toFixed(0)} MB denoiser), provider ${status.provider?.detected ?? status.provider?.created}, load ${(loadMs / 1000).toFixed(2)} s`,
    ...rows,
    `encode ${image.encodeMs.toFixed(0)} ms, denoise ${image.denoiseMs.toFixed(0)} ms, decode ${image.decodeMs.toFixed(0)} ms`,
    `memory (this process + inference process): base ${(base / MB).toFixed(0)} MB, loaded ${(loaded / MB).toFixed(0)} MB (child ${(childRss / MB).toFixed(0)} MB), after unload ${(unloaded / MB).toFixed(0)} MB; child process ${gone ? 'ended' : 'STILL RUNNING'}`,
    `targets: overhead ≤ 5% ${overhead <= 5 ? 'met' : 'MISSED'}; unloaded within 10% of base ${Math.abs(unloaded - base) <= base * 0.1 ? 'met' : 'MISSED'}`,
  ].join('\n'),
);
// ---------- download: the same folder from a local Hub server into a fresh Hugging Face cache ----------
buildSync({ entryPoints: [path.join(ROOT, 'src-main/generation/local/hub-download.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: path.join(outdir, 'hub-download.cjs'), external: ['@huggingface/hub'], logLevel: 'error' });
buildSync({ entryPoints: [path.join(ROOT, 'test/generation/local/hub-server.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: path.join(outdir, 'hub-server.cjs'), logLevel: 'error' });
const req2 = createRequire(import.meta.url);
const { downloadFromHub } = req2(path.join(outdir, 'hub-download.cjs'));
const { startHubServer } = req2(path.join(outdir, 'hub-server.cjs'));
const hub = await startHubServer({ 'bench/synthetic-flux-onnx': { dir: modelDir } });
const hfCache = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-bench-hf-'));
const dl = await downloadFromHub({ repo: 'bench/synthetic-flux-onnx' }, { hubUrl: hub.url, cacheDir: hfCache, include: () => true });
await hub.close();
fs.rmSync(hfCache, { recursive: true, force: true });
const downloadMBs = dl.downloadedBytes / MB / dl.seconds;
console.log(`download: ${dl.files} files, ${(dl.downloadedBytes / MB).toFixed(0)} MB from a local Hub server in ${dl.seconds.toFixed(2)} s (fetch, sha256 check, Hugging Face cache layout)`);

fs.rmSync(outdir, { recursive: true, force: true });
console.log(`local: overhead ${overhead.toFixed(2)}%, rss base ${(base / MB).toFixed(0)} MB, loaded ${(loaded / MB).toFixed(0)} MB, unloaded ${(unloaded / MB).toFixed(0)} MB, download ${downloadMBs.toFixed(0)} MB/s`);
