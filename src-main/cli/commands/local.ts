// `flux-studio schedule …` (the sigmas and timesteps a sampler uses, as one JSON object)
// and `flux-studio local …` (generate on this machine's ONNX Runtime, manage model folders).
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { GenerationResult } from '@shared/contract/generation';
import { formatSize } from '@shared/format-size';
import { CliError, callOrThrow, common, decimal, followJob, integer, print, withStudio, type Common } from '../cli-kit';
import { writeFileAtomic } from '../../core/atomic-write';
import { StudioError } from '../../core/studio-error';
import { localGeneration } from '../../generation/local/local-runtime';
import { NOISE_PRNG } from '../../generation/local/latents';
import { KNOWN_SCHEDULES, knownSchedule, type KnownScheduleModel } from '../../generation/local/schedule';
import type { Studio } from '../../studio';

interface LocalGenerateFlags extends Common {
  model: string;
  steps?: number;
  seed?: number;
  width?: number;
  height?: number;
  guidance?: number;
  maxSequenceLength?: number;
  jpegQuality?: number;
  out?: string;
  json?: boolean;
}

/**
 * `local generate`: the model folder's request (its own defaults) through the shared generation
 * job, like `generate --local`: saved by date in the output folder with its parameters embedded,
 * indexed in the gallery; `--out FILE` also writes that image to FILE. Progress as `step N/M`
 * on stderr; Ctrl-C cancels the job.
 */
async function localGenerate(studio: Studio, prompt: string, opts: LocalGenerateFlags) {
  const dir = path.resolve(opts.model);
  const { info, error } = studio.local.inspect(dir, true);
  if (!info) throw new CliError(`--model: ${error ?? `${dir} is not a model folder`}`, 2);
  const format = opts.out && /\.png$/i.test(opts.out) ? 'png' : 'jpeg';
  let job;
  try {
    const generation = localGeneration(info, {
      prompt,
      steps: opts.steps,
      seed: opts.seed,
      width: opts.width,
      height: opts.height,
      guidance: opts.guidance,
      maxSequenceLength: opts.maxSequenceLength,
      jpegQuality: opts.jpegQuality ?? studio.settings.get().jpegQuality,
    });
    job = studio.generation.submitLocal({ generation, localModel: dir, format });
  } catch (err) {
    if (err instanceof StudioError) throw new CliError(err.message, err.code === 'invalid_input' ? 2 : 1);
    throw err;
  }
  const steps = (job.params as { generation: { steps: number } }).generation.steps;
  let last = '';
  const off = studio.events.subscribe((name, payload) => {
    if (name !== 'job.progress') return;
    const { jobId, progress } = payload as { jobId: string; progress: { step: number; total: number | null } };
    if (jobId !== job.id || progress.step <= 0) return;
    const text = `step ${progress.step}/${progress.total ?? '?'}`;
    if (text !== last) process.stderr.write(`${text}\n`);
    last = text;
  });
  const onSigint = () => void studio.dispatch('jobs.cancel', { id: job.id });
  process.once('SIGINT', onSigint);
  let done;
  try {
    done = await followJob(studio, job.id, true);
  } finally {
    process.off('SIGINT', onSigint);
    off();
  }
  if (done.state !== 'succeeded') throw new CliError(`generation ${done.state}: ${done.error?.message ?? ''}`, done.error?.code === 'invalid_input' ? 2 : 1);
  const result = done.result as GenerationResult;
  let file = result.path;
  if (opts.out) {
    file = path.resolve(opts.out);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, fs.readFileSync(result.path));
  }
  return {
    path: file,
    savedPath: result.path,
    imageId: result.imageId,
    model: info.name,
    kind: info.kind,
    seed: result.seed,
    steps,
    width: result.width,
    height: result.height,
    provider: result.device ?? 'unknown',
    prng: NOISE_PRNG,
    loadSeconds: result.loadSeconds,
    seconds: result.totalSeconds,
    sigmas: result.sigmas ?? [],
  };
}


export function registerLocalCommands(program: Command): void {
  common(
    program
      .command('schedule')
      .description('Print the sigmas and timesteps a model\'s sampler uses (diffusers-exact), e.g. to compare with other tools.')
      .addOption(new Option('--model <model>', 'sampler of which model').choices(Object.keys(KNOWN_SCHEDULES)).makeOptionMandatory())
      .requiredOption('--steps <n>', 'number of steps', integer('--steps', 1, 1000))
      .option('--width <px>', 'image width', integer('--width', 16, 8192), 1024)
      .option('--height <px>', 'image height', integer('--height', 16, 8192), 1024)
      .option('--json', 'print one JSON object { sigmas, timesteps }'),
  ).action((opts: Common & { model: KnownScheduleModel; steps: number; width: number; height: number; json?: boolean }) => {
    const s = knownSchedule(opts.model, opts.steps, opts.width, opts.height);
    const out = { model: opts.model, steps: opts.steps, width: opts.width, height: opts.height, mu: s.mu, sigmas: s.sigmas, timesteps: s.timesteps };
    print(out, opts.json, () =>
      [
        `${opts.model}, ${opts.steps} steps at ${opts.width}×${opts.height}${s.mu !== null ? ` (mu ${s.mu.toFixed(6)})` : ''}`,
        `sigmas:    ${s.sigmas.map((v) => v.toFixed(6)).join(' ')}`,
        `timesteps: ${s.timesteps.map((v) => v.toFixed(3)).join(' ')}`,
      ].join('\n'),
    );
  });

  const local = program.command('local').description('The local runtime: ONNX Runtime on this machine (CUDA, DirectML or CPU).');
  common(
    local
      .command('generate')
      .description('Generate one image with a local model folder (diffusers ONNX layout).')
      .argument('<prompt>', 'the prompt')
      .requiredOption('--model <dir>', 'model folder (FLUX.1-dev / -schnell, SD-Turbo or SDXL-Turbo ONNX export)')
      .option('--steps <n>', 'steps (default: 28 dev, 4 schnell, 1 SD-Turbo / SDXL-Turbo)', integer('--steps', 1, 200))
      .option('--seed <n>', 'seed (random when absent)', integer('--seed', 0, 4294967295))
      .option('--width <px>', 'width (default 1024; 512 for SD-Turbo / SDXL-Turbo)', integer('--width', 16, 8192))
      .option('--height <px>', 'height (default 1024; 512 for SD-Turbo / SDXL-Turbo)', integer('--height', 16, 8192))
      .option('--guidance <g>', 'FLUX.1-dev guidance (default 3.5)', decimal('--guidance'))
      .option('--max-sequence-length <n>', 'T5 tokens (default 512 dev, 256 schnell)', integer('--max-sequence-length', 1, 512))
      .option('--jpeg-quality <q>', 'JPEG quality', integer('--jpeg-quality', 1, 100))
      .option('--out <file>', 'also write the image to this file (.png for PNG, else JPEG); it is always saved in the output folder, with its parameters, and indexed in the gallery')
      .option('--json', 'print one JSON object'),
  ).action(
    (prompt: string, opts: LocalGenerateFlags) =>
      withStudio(opts, async (studio) => {
        const r = await localGenerate(studio, prompt, opts);
        print(r, opts.json, () => `${r.path}\n${r.model} (${r.kind}) on ${r.provider}, seed ${r.seed}, ${r.steps} steps, ${r.width}×${r.height}, ${r.seconds.toFixed(1)} s`);
      }),
  );
  common(local.command('models').alias('list').description('List the local model folders (also `local list`).').option('--json', 'print one JSON array')).action((opts: Common & { json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const list = await callOrThrow(studio, 'local.models', {});
      print(list, opts.json, () =>
        list.length === 0
          ? 'no local models (add one with `flux-studio local add DIR`)'
          : list.map((m) => `${m.active ? '*' : ' '} ${m.name.padEnd(24)} ${(m.kind ?? 'invalid').padEnd(13)} ${formatSize(m.sizeBytes).padStart(9)}  ${m.path}${m.error ? `\n    ${m.error}` : ''}`).join('\n'),
      );
    }),
  );
  common(local.command('add').description('Add a local model folder (checked first).').argument('<dir>', 'model folder').option('--json', 'print one JSON object')).action(
    (dir: string, opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const m = await callOrThrow(studio, 'local.addModel', { path: path.resolve(dir) });
        print(m, opts.json, () => `added ${m.name} (${m.kind}, ${formatSize(m.sizeBytes)})`);
      }),
  );
  common(
    local
      .command('download')
      .description('Download an ONNX model folder from the Hugging Face Hub into its cache (HF_HOME), resuming what an earlier download left; then check and add it.')
      .argument('<repo>', 'Hugging Face repo id, e.g. stabilityai/sdxl-turbo')
      .option('--subfolder <dir>', 'the folder inside the repo that holds the ONNX export (e.g. onnx)')
      .option('--revision <rev>', 'branch, tag or commit (default main)')
      .option('--json', 'print one JSON object'),
  ).action((repo: string, opts: Common & { subfolder?: string; revision?: string; json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const job = await callOrThrow(studio, 'local.download', { repo, subfolder: opts.subfolder ?? null, revision: opts.revision ?? null });
      // Ctrl-C cancels the job; what arrived stays in the cache and the next download resumes it.
      const onSigint = () => void studio.dispatch('jobs.cancel', { id: job.id });
      process.once('SIGINT', onSigint);
      let done;
      try {
        done = await followJob(studio, job.id, opts.json === true);
      } finally {
        process.off('SIGINT', onSigint);
      }
      if (done.state !== 'succeeded') throw new CliError(`download ${done.state}: ${done.error?.message ?? ''}`, done.error?.code === 'invalid_input' ? 2 : 1);
      const r = done.result as { path: string; repo: string; commit: string; kind: string | null; downloadedBytes: number; totalBytes: number; seconds: number; bytesPerSecond: number | null };
      print(r, opts.json, () =>
        `${r.path}\n${r.repo}@${r.commit.slice(0, 10)} (${r.kind ?? '?'}, ${formatSize(r.totalBytes)}): ${formatSize(r.downloadedBytes)} fetched in ${r.seconds.toFixed(1)} s${r.bytesPerSecond ? ` (${(r.bytesPerSecond / 1024 ** 2).toFixed(1)} MB/s)` : ''}; added`,
      );
    }),
  );
  common(local.command('remove').description('Forget a local model folder (files stay).').argument('<dir>', 'model folder')).action((dir: string, opts: Common) =>
    withStudio(opts, async (studio) => {
      const r = await callOrThrow(studio, 'local.removeModel', { path: path.resolve(dir) });
      process.stdout.write(r.removed ? 'removed\n' : 'not in the list\n');
    }),
  );
}
