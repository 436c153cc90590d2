// `flux-studio dataset tag NAME --tagger DIR | --claude`: caption a dataset with a local
// WD14 tagger or Claude vision, with progress on stderr and a summary on stdout; a Claude
// run whose estimate reaches the confirmation threshold needs --yes. Ctrl-C cancels (what
// was written stays, and `dataset untag JOB` puts the old captions back).
// `flux-studio dataset untag JOB [--file F] [--force]`: undo a run.
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { Job } from '@shared/contract';
import type { CostEstimate, TaggingRequest, TaggingResults } from '@shared/contract/tagging';
import { TAGGING_MODES } from '@shared/contract/tagging';
import { CliError, callOrThrow, common, print, withStudio, type Common } from '../cli-kit';
import type { Studio } from '../../studio';

interface TagOptions extends Common {
  tagger?: string;
  claude?: boolean;
  mode: string;
  general?: string;
  character?: string;
  rating?: boolean;
  underscores: boolean;
  blacklist?: string;
  maxTags?: string;
  mcut?: boolean;
  instruction?: string;
  model?: string;
  concurrency?: string;
  yes?: boolean;
  json?: boolean;
}

function number(flag: string, value: string | undefined, min: number, max: number, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new CliError(`${flag}: ${value} is not ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`, 2);
  }
  return n;
}

/** The tagging.start request the flags describe. */
export function tagRequest(name: string, opts: TagOptions): TaggingRequest {
  if (Boolean(opts.tagger) === Boolean(opts.claude)) throw new CliError('give either --tagger DIR (a WD14 model folder) or --claude', 2);
  if (!(TAGGING_MODES as readonly string[]).includes(opts.mode)) throw new CliError(`--mode: use ${TAGGING_MODES.join(', ')}`, 2);
  const mode = opts.mode as TaggingRequest['mode'];
  if (opts.tagger) {
    return {
      dataset: name,
      mode,
      source: {
        kind: 'tagger',
        dir: path.resolve(opts.tagger),
        generalThreshold: number('--general', opts.general, 0, 1) ?? 0.35,
        characterThreshold: number('--character', opts.character, 0, 1) ?? 0.85,
        includeRating: opts.rating === true,
        underscoresToSpaces: opts.underscores,
        blacklist: (opts.blacklist ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''),
        maxTags: number('--max-tags', opts.maxTags, 1, 500, true) ?? null,
        mcut: opts.mcut === true,
      },
    };
  }
  return {
    dataset: name,
    mode,
    source: {
      kind: 'claude',
      ...(opts.instruction !== undefined ? { instruction: opts.instruction } : {}),
      ...(opts.model !== undefined ? { model: opts.model } : {}),
      ...(opts.concurrency !== undefined ? { concurrency: number('--concurrency', opts.concurrency, 1, 16, true) } : {}),
    },
  };
}

export function estimateText(e: CostEstimate): string {
  const cost = e.usd === null ? `no price for ${e.model} in configs/tagging.yaml` : `about $${e.usd.toFixed(e.usd < 0.1 ? 4 : 2)} at most`;
  return `Claude ${e.model}: ${e.images} image${e.images === 1 ? '' : 's'} to caption (${e.skipped} skipped), ${e.imageTokens + e.textTokens} input tokens, up to ${e.outputTokens} output tokens: ${cost}`;
}

export function summaryText(r: TaggingResults, jobId: string): string {
  const c = r.counts;
  const lines = [
    `${r.dataset}: ${c.written} written, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed${c.pending ? `, ${c.pending} not done` : ''} (${r.source} ${r.sourceDetail}, ${r.mode})`,
  ];
  if (r.usage) lines.push(`  tokens: ${r.usage.inputTokens} in, ${r.usage.outputTokens} out${r.usage.usd !== null ? ` ($${r.usage.usd.toFixed(4)})` : ''}`);
  for (const i of r.items) if (i.status === 'failed') lines.push(`  failed  ${i.file}: ${i.error ?? ''}`);
  if (c.written > 0) lines.push(`  undo with: flux-studio dataset untag ${jobId}`);
  return lines.join('\n');
}

async function runTag(studio: Studio, name: string, opts: TagOptions): Promise<void> {
  const req = tagRequest(name, opts);
  if (req.source.kind === 'claude') {
    const est = await callOrThrow(studio, 'tagging.estimate', req);
    process.stderr.write(`${estimateText(est)}\n`);
    if (est.images === 0) {
      print({ estimate: est, results: null }, opts.json, () => `${name}: nothing to caption (${est.skipped} already captioned; use --mode overwrite or append)`);
      return;
    }
    if (est.needsConfirmation && !opts.yes) {
      throw new CliError(
        est.usd === null
          ? 'The cost of this run is unknown; run again with --yes to go ahead.'
          : `This run may cost up to $${est.usd.toFixed(2)} (confirmation needed from $${est.confirmAboveUsd.toFixed(2)}); run again with --yes to go ahead.`,
        3,
      );
    }
  }
  const tty = process.stderr.isTTY && !opts.json;
  // A terminal gets one updating line; a pipe or log file a line per tenth of the run.
  // Subscribed before the job starts: its first steps can come before start() answers.
  type ProgressEvent = { jobId: string; progress: { message: string | null; fraction: number | null } };
  let lastTenth = -1;
  let ours: string | null = null;
  const early: ProgressEvent[] = [];
  const show = ({ jobId, progress }: ProgressEvent): void => {
    if (jobId !== ours) return;
    if (tty) process.stderr.write(`\r${(progress.message ?? '').slice(0, 100).padEnd(100)}`);
    else {
      const tenth = Math.floor((progress.fraction ?? 0) * 10);
      if (tenth > lastTenth || progress.message?.startsWith('paused')) {
        lastTenth = tenth;
        process.stderr.write(`${progress.message ?? ''}\n`);
      }
    }
  };
  const off = studio.events.subscribe((event, payload) => {
    if (event !== 'job.progress' || opts.json) return;
    if (ours === null) early.push(payload as ProgressEvent);
    else show(payload as ProgressEvent);
  });
  let job: Job;
  try {
    job = await callOrThrow(studio, 'tagging.start', req);
  } catch (err) {
    off();
    throw err;
  }
  ours = job.id;
  for (const e of early.splice(0)) show(e);
  const onSigint = () => {
    process.stderr.write('\ncancelling…\n');
    try {
      studio.jobs.cancel(job.id);
    } catch {
      // it ended meanwhile
    }
  };
  process.once('SIGINT', onSigint);
  try {
    await studio.jobs.whenIdle();
  } finally {
    off();
    process.removeListener('SIGINT', onSigint);
    if (tty) process.stderr.write('\n');
  }
  const done = await callOrThrow(studio, 'jobs.get', { id: job.id });
  let results: TaggingResults | null = null;
  try {
    results = await callOrThrow(studio, 'tagging.results', { jobId: job.id });
  } catch {
    results = null;
  }
  if (done.state !== 'succeeded') {
    if (results) process.stderr.write(`${summaryText(results, job.id)}\n`);
    throw new CliError(`tagging ${done.state}: ${done.error?.message ?? ''}`);
  }
  print({ jobId: job.id, ...results }, opts.json, () => summaryText(results!, job.id));
}

/** Adds `tag` and `untag` to the `dataset` command. */
export function registerDatasetTagCommand(dataset: Command): void {
  common(
    dataset
      .command('tag')
      .description('Caption a dataset automatically: a local WD14 tagger (tags) or Claude vision (sentences).')
      .argument('<name>', 'dataset name')
      .option('--tagger <dir>', 'WD14 / wd-v3 tagger folder (model.onnx + selected_tags.csv)')
      .option('--claude', 'caption with Claude vision (needs an Anthropic API key)')
      .addOption(new Option('--mode <mode>', 'fill: only images without a caption; overwrite; append').choices([...TAGGING_MODES]).default('fill'))
      .option('--general <p>', 'tagger: general tag threshold (default 0.35)')
      .option('--character <p>', 'tagger: character tag threshold (default 0.85)')
      .option('--rating', 'tagger: add the rating tag')
      .option('--no-underscores', 'tagger: keep underscores in tags (long_hair)')
      .option('--blacklist <tags>', 'tagger: comma-separated tags never written')
      .option('--max-tags <n>', 'tagger: at most this many tags per image')
      .option('--mcut', 'tagger: thresholds per image at the largest probability gap (MCut) instead of --general/--character')
      .option('--instruction <text>', 'Claude: what to ask for each image; [trigger] becomes the trigger word')
      .option('--model <id>', 'Claude: model (default from configs/tagging.yaml)')
      .option('--concurrency <n>', 'Claude: images in flight at once')
      .option('--yes', 'Claude: go ahead even when the cost estimate needs a confirmation')
      .option('--json', 'print the results as one JSON object'),
  ).action((name: string, opts: TagOptions) => withStudio(opts, (studio) => runTag(studio, name, opts)));

  common(
    dataset
      .command('untag')
      .description('Undo a tagging run: put back the captions it replaced (all, or one file).')
      .argument('<job>', 'the job id printed by `dataset tag`')
      .option('--file <file>', 'only this image (path inside the dataset)')
      .option('--force', 'also where the caption was edited after the run')
      .option('--json', 'print one JSON object'),
  ).action((jobId: string, opts: Common & { file?: string; force?: boolean; json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const r = await callOrThrow(studio, 'tagging.undo', { jobId, ...(opts.file ? { file: opts.file } : {}), ...(opts.force ? { force: true } : {}) });
      print(r, opts.json, () =>
        [`${r.results.dataset}: ${r.undone} caption${r.undone === 1 ? '' : 's'} put back`, ...r.conflicts.map((c) => `  kept    ${c.file}: ${c.reason}`)].join('\n'),
      );
      if (r.conflicts.length > 0 && !opts.json) process.exitCode = 1;
    }),
  );
}
