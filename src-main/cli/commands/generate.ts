// `flux-studio generate "PROMPT"` with the flags users know from the original shell
// workflow (--fast/--balanced/--quality, --square…--4k/--custom WxH, --seed/--random-seed,
// --creative/--guidance/--strict, --jpeg-quality, --enhance-ai). Flags become a
// GenerationDraft resolved by the same presets service as the Generate page; --dry-run
// prints the fully resolved request as JSON. Otherwise the image is made on a pod (--pod NAME)
// or here (--local [--model DIR]) by the shared generation job, saved and its path printed.
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MAX_SEED, MODEL_IDS, type GenerationDraft, type ModelId } from '@shared/contract';
import { CliError, callOrThrow, common, decimal, followJob, integer, withStudio, type Common } from '../cli-kit';
import type { Studio } from '../../studio';

interface GenerateOptions extends Common {
  fast?: boolean;
  balanced?: boolean;
  quality?: boolean;
  steps?: number;
  square?: boolean;
  portrait?: boolean;
  landscape?: boolean;
  hd?: boolean;
  '4k'?: boolean;
  custom?: { width: number; height: number };
  seed?: number;
  randomSeed?: boolean;
  creative?: boolean;
  strict?: boolean;
  guidance?: number;
  jpegQuality?: number;
  /** A model id, or (with --local) a model folder. */
  model?: string;
  local?: boolean;
  cpuOffload?: boolean;
  enhanceAi?: boolean;
  dryRun?: boolean;
  pod?: string;
  quiet?: boolean;
}

/**
 * Where the image is made: `--pod NAME` (the remote runtime), or the only pod there is. The
 * local runtime's flag (`--local`) plugs in here: return { runtime: 'local', podId: undefined }.
 */
export function runtimeTarget(studio: Studio, o: GenerateOptions): { runtime: 'remote' | 'local'; podId?: string } {
  if (o.local) return { runtime: 'local' };
  if (o.pod) return { runtime: 'remote', podId: studio.pods.find(o.pod).id };
  const pods = studio.pods.list();
  if (pods.length === 1 && pods[0]) return { runtime: 'remote', podId: pods[0].id };
  if (pods.length > 1) throw new CliError(`Choose a pod with --pod NAME (${pods.map((p) => p.name).join(', ')}), or generate on this machine with --local.`, 2);
  const active = studio.local.activeModel();
  throw new CliError(noRuntimeMessage(active ? (studio.local.inspect(active).info?.name ?? path.basename(active)) : null), 1);
}

/** What to do when there is no pod (`activeLocalModel`: the local model's name, if one is set up): both runtimes exist, so name the commands. */
export function noRuntimeMessage(activeLocalModel: string | null): string {
  if (activeLocalModel) {
    return `No pod is set up. Generate on this machine with --local (it uses the local model ${activeLocalModel}), or add a pod: \`flux-studio pods add NAME --from-ssh "ssh root@IP -p PORT -i KEY"\`.`;
  }
  return [
    'No GPU runtime is set up yet. Either:',
    '  - add a pod: `flux-studio pods add NAME --from-ssh "ssh root@IP -p PORT -i KEY"`, then run this again (or pick it with --pod NAME);',
    '  - or generate on this machine with --local: first add a model (`flux-studio local add DIR` for an ONNX folder, or `flux-studio local download REPO --subfolder onnx`).',
    'Use --dry-run to print the resolved request without generating.',
  ].join('\n');
}

/**
 * --model with --local: a model folder (validated now, with the folder's own error), or an id
 * (the folder chosen in Settings is used). Without --local only the ids are models.
 */
function localModelOption(studio: Studio, o: GenerateOptions): { dir: string; kind: string } | null {
  const isId = o.model === undefined || (MODEL_IDS as readonly string[]).includes(o.model);
  if (!o.local) {
    if (!isId) throw new CliError(`--model: “${o.model}” is not one of ${MODEL_IDS.join(', ')} (a model folder needs --local)`, 2);
    return null;
  }
  if (isId) return null;
  const dir = path.resolve(o.model as string);
  const { info, error } = studio.local.inspect(dir, true);
  if (!info) throw new CliError(`--model: ${error ?? `${dir} is not a model folder`}`, 2);
  return { dir, kind: info.kind };
}

/** Which flag to blame when the resolver names a field. */
const FLAG_FOR_FIELD: Record<string, string> = {
  width: '--custom',
  height: '--custom',
  steps: '--steps',
  seed: '--seed',
  guidanceValue: '--guidance',
  jpegQuality: '--jpeg-quality',
  prompt: 'PROMPT',
};



export function parseSize(value: string): { width: number; height: number } {
  const m = /^\s*(\d{1,6})\s*[x×X*]\s*(\d{1,6})\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected WIDTHxHEIGHT such as 1344x768, got “${value}”.`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

const group = (flags: string[]) => (self: string) => flags.filter((f) => f !== self);

export function draftFromOptions(prompt: string, o: GenerateOptions): GenerationDraft {
  const draft: GenerationDraft = { prompt };
  if (o.model && (MODEL_IDS as readonly string[]).includes(o.model)) draft.model = o.model as ModelId;
  if (o.fast) draft.quality = 'fast';
  if (o.balanced) draft.quality = 'balanced';
  if (o.quality) draft.quality = 'quality';
  if (o.steps !== undefined) draft.steps = o.steps;
  for (const size of ['square', 'portrait', 'landscape', 'hd', '4k'] as const) if (o[size]) draft.size = size;
  if (o.custom) Object.assign(draft, { size: 'custom', width: o.custom.width, height: o.custom.height });
  if (o.creative) draft.guidance = 'creative';
  if (o.strict) draft.guidance = 'strict';
  if (o.guidance !== undefined) Object.assign(draft, { guidance: 'custom', guidanceValue: o.guidance });
  if (o.seed !== undefined) draft.seed = o.seed;
  if (o.randomSeed) draft.seed = null;
  if (o.jpegQuality !== undefined) draft.jpegQuality = o.jpegQuality;
  if (o.cpuOffload !== undefined) draft.cpuOffload = o.cpuOffload;
  return draft;
}

export function registerGenerateCommand(program: Command): void {
  const quality = group(['fast', 'balanced', 'quality', 'steps']);
  const size = group(['square', 'portrait', 'landscape', 'hd', '4k', 'custom']);
  const guidance = group(['creative', 'strict', 'guidance']);
  const cmd = program
    .command('generate')
    .description('Generate an image from a prompt with the presets of the original workflow. --dry-run prints the resolved request.')
    .argument('<prompt>', 'what to draw (quote it)')
    .option('--model <id|dir>', `model: ${MODEL_IDS.join(' or ')}; with --local also a model folder (diffusers ONNX layout)`)
    .addOption(new Option('--fast', 'quality preset: 4 steps').conflicts(quality('fast')))
    .addOption(new Option('--balanced', 'quality preset: 20 steps (default)').conflicts(quality('balanced')))
    .addOption(new Option('--quality', 'quality preset: 50 steps').conflicts(quality('quality')))
    .addOption(new Option('--steps <n>', 'exact number of steps (1–200)').argParser(integer('--steps', 1, 200)).conflicts(quality('steps')))
    .addOption(new Option('--square', 'size: 1024×1024 (default)').conflicts(size('square')))
    .addOption(new Option('--portrait', 'size: 832×1216').conflicts(size('portrait')))
    .addOption(new Option('--landscape', 'size: 1216×832').conflicts(size('landscape')))
    .addOption(new Option('--hd', 'size: 1920×1088 (~1080p)').conflicts(size('hd')))
    .addOption(new Option('--4k', 'size: 3840×2160').conflicts(size('4k')))
    .addOption(new Option('--custom <WxH>', 'size: custom, rounded to multiples of 16 (256–4096 a side)').argParser(parseSize).conflicts(size('custom')))
    .addOption(new Option('--seed <n>', `fixed seed (0–${MAX_SEED})`).argParser(integer('--seed', 0, MAX_SEED)).conflicts(['randomSeed']))
    .addOption(new Option('--random-seed', 'draw a random seed (default); it is printed so the image can be reproduced'))
    .addOption(new Option('--creative', 'guidance 1.5').conflicts(guidance('creative')))
    .addOption(new Option('--strict', 'guidance 5.0').conflicts(guidance('strict')))
    .addOption(new Option('--guidance <x>', 'custom guidance (1.0–7.0; default 3.5)').argParser(decimal('--guidance')).conflicts(guidance('guidance')))
    .addOption(new Option('--jpeg-quality <n>', 'JPEG quality (1–100, default 95)').argParser(integer('--jpeg-quality', 1, 100)))
    .option('--cpu-offload', 'offload model parts to CPU RAM on the pod (default)')
    .option('--no-cpu-offload', 'keep the whole model on the GPU (faster; needs more VRAM)')
    .option('--enhance-ai', 'expand the prompt with Claude first (trimmed to CLIP’s 75 tokens)')
    .option('--dry-run', 'print the fully resolved request as JSON and stop')
    .addOption(new Option('--pod <name>', 'generate on this pod (default: the only pod there is)').conflicts(['local']))
    .option('--local', 'generate on this machine with ONNX Runtime (the model chosen in Settings → Models, or --model DIR)')
    .option('--quiet', 'no progress on stderr');
  common(cmd).action((prompt: string, opts: GenerateOptions) =>
    withStudio(opts, async (studio) => {
      if (prompt.trim() === '') throw new CliError('PROMPT: must not be empty', 2);
      const localModel = localModelOption(studio, opts);
      if (localModel?.kind === 'flux-dev' || localModel?.kind === 'flux-schnell') opts.model = localModel.kind;
      // SD-Turbo and SDXL-Turbo are distilled for 1–4 steps: one unless asked otherwise.
      if ((localModel?.kind === 'sd-turbo' || localModel?.kind === 'sdxl-turbo') && opts.steps === undefined && !opts.fast && !opts.balanced && !opts.quality) opts.steps = 1;
      let finalPrompt = prompt;
      let enhancedFrom: string | undefined;
      if (opts.enhanceAi) {
        process.stderr.write(`Sending the prompt to Anthropic (${studio.settings.get().enhanceModel}) to enhance it…\n`);
        const enhanced = await studio.dispatch('prompt.enhance', { prompt, trimToClip: true });
        if (!enhanced.ok) throw new CliError(`--enhance-ai: ${enhanced.error.message}`);
        const result = enhanced.data as { trimmed: string };
        enhancedFrom = prompt;
        finalPrompt = result.trimmed;
      }
      // With --local the model folder decides the model (and so the steps and guidance that apply).
      const where = opts.local ? { runtime: 'local' as const, ...(localModel ? { localModel: localModel.dir } : {}) } : {};
      const resolved = await studio.dispatch('generation.resolve', { ...draftFromOptions(finalPrompt, opts), ...where });
      if (!resolved.ok) {
        const flag = resolved.error.field ? FLAG_FOR_FIELD[resolved.error.field] : undefined;
        const message = resolved.error.message.replace(/^generation\.resolve: /, '');
        throw new CliError(flag ? `${flag}: ${message.replace(/^\w+: /, '')}` : message, resolved.error.code === 'invalid_input' ? 2 : 1);
      }
      const request = enhancedFrom === undefined ? resolved.data : { ...(resolved.data as object), enhancedFrom };
      if (opts.dryRun) {
        process.stdout.write(JSON.stringify(request, null, 2) + '\n');
        return;
      }
      const target = runtimeTarget(studio, opts);
      const job = await callOrThrow(studio, 'generation.submit', {
        // The seed drawn above, so the one printed is the one used.
        draft: { ...draftFromOptions(finalPrompt, opts), seed: (resolved.data as { seed: number }).seed },
        runtime: target.runtime,
        ...(target.podId ? { podId: target.podId } : {}),
        ...(localModel ? { localModel: localModel.dir } : {}),
        ...(enhancedFrom !== undefined ? { enhancedFrom } : {}),
      });
      const seed = (job.params as { generation?: { seed?: number } }).generation?.seed;
      if (!opts.quiet) process.stderr.write(`${job.title} (seed ${seed ?? '?'})\n`);
      const done = await followJob(studio, job.id, Boolean(opts.quiet));
      if (done.state !== 'succeeded') throw new CliError(`generation ${done.state}: ${done.error?.message ?? ''}`);
      process.stdout.write(`${(done.result as { path: string }).path}\n`);
    }),
  );
}
