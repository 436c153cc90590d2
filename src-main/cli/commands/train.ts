// `flux-studio train …`: plan (print the YAML that would run), start, list, status, stop,
// resume, mark-stopped, and the queue (queue, reorder, cancel). Each start or resume is a job
// in its target's lane (training:<target>): runs on one target go one after another. A
// started run lives on its host; the CLI waits until it is launched (or, with --follow,
// finished) and exits — the next studio reclaims its job and follows it again. A queued run
// starts when its turn comes in a studio that is open (the app, serve, or train … --follow).
import fs from 'node:fs';
import type { Command } from 'commander';
import type { TrainingRun } from '@shared/contract/training';
import { CliError, callOrThrow, common, print, withStudio, type Common } from '../cli-kit';
import type { Studio } from '../../studio';

interface PlanFlags extends Common {
  dataset: string;
  model: string;
  preset?: string;
  trigger?: string;
  steps?: string;
  rank?: string;
  name?: string;
  target?: string;
  baseModel?: string;
  print?: boolean;
  json?: boolean;
}

function intFlag(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CliError(`${flag}: ${v} is not a whole number`, 2);
  return n;
}

function planRequest(o: PlanFlags) {
  return {
    dataset: o.dataset,
    model: o.model,
    ...(o.preset ? { preset: o.preset } : {}),
    ...(o.trigger !== undefined ? { trigger: o.trigger } : {}),
    ...(o.steps ? { steps: intFlag(o.steps, '--steps') } : {}),
    ...(o.rank ? { rank: intFlag(o.rank, '--rank') } : {}),
    ...(o.name ? { name: o.name } : {}),
    ...(o.target ? { target: o.target } : {}),
    ...(o.baseModel ? { baseModel: o.baseModel } : {}),
  };
}

function planOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--dataset <name>', 'dataset name (a folder in <data dir>/datasets)')
    .requiredOption('--model <family>', 'flux-dev | flux-schnell | sdxl | sd15')
    .option('--preset <id>', 'GPU memory × level: 24gb|48gb|80gb - quick|standard|thorough (default 24gb-standard)')
    .option('--trigger <word>', 'trigger word (default: the dataset’s)')
    .option('--steps <n>', 'training steps')
    .option('--rank <n>', 'LoRA rank (alpha follows)')
    .option('--name <slug>', 'run name (a-z 0-9 _ -)')
    .option('--target <id>', 'where it runs: local or pod:<id> (default: the first ready one)')
    .option('--base-model <dir>', 'a local diffusers folder (absolute path on the training host) instead of the Hugging Face model');
}

export function runLine(r: TrainingRun): string {
  const pct = r.total > 0 ? Math.floor((100 * r.step) / r.total) : 0;
  const eta = r.etaSeconds !== null ? ` eta ${Math.floor(r.etaSeconds / 60)}m${String(r.etaSeconds % 60).padStart(2, '0')}s` : '';
  const loss = r.loss !== null ? ` loss ${r.loss.toFixed(4)}` : '';
  const place = r.state === 'queued' && r.queuePosition !== null ? ` #${r.queuePosition}` : '';
  return `${r.name.padEnd(28)} ${(r.state + place).padEnd(10)} ${String(r.step).padStart(6)}/${r.total} ${String(pct).padStart(3)}%${loss}${eta}  ${r.target}${r.message ? `  (${r.message})` : ''}${r.error ? `\n    ${r.error.message}` : ''}${r.resumeNote ? `\n    ${r.resumeNote}` : ''}`;
}

const ACTIVE = new Set(['queued', 'preparing', 'running', 'stopping']);

/** Wait until the run satisfies `done` (event-driven, with a slow poll as a backstop). */
async function waitFor(studio: Studio, id: string, done: (r: TrainingRun) => boolean, onUpdate?: (r: TrainingRun) => void): Promise<TrainingRun> {
  return new Promise((resolve) => {
    let finished = false;
    const check = (r: TrainingRun) => {
      if (finished || r.id !== id) return;
      onUpdate?.(r);
      if (done(r)) {
        finished = true;
        off();
        clearInterval(timer);
        resolve(r);
      }
    };
    const off = studio.events.subscribe((name, payload) => {
      if (name === 'training.updated') check(payload as TrainingRun);
    });
    const timer = setInterval(() => {
      const r = studio.training.list().find((x) => x.id === id);
      if (r) check(r);
    }, 1000);
    const now = studio.training.list().find((x) => x.id === id);
    if (now) check(now);
  });
}

function follower(json: boolean | undefined) {
  let last = '';
  let lastKind = '';
  let lastAt = 0;
  return (r: TrainingRun) => {
    if (json) return;
    const line = runLine(r).split('\n')[0] ?? '';
    if (line === last) return;
    last = line;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}   `);
      return;
    }
    // Logs (not a terminal): a line when the state or the kind of activity changes, else every 5 s.
    const kind = `${r.state}:${(r.message ?? '').replace(/[\d/.,:]+.*$/, '')}`;
    if (kind === lastKind && Date.now() - lastAt < 5000) return;
    lastKind = kind;
    lastAt = Date.now();
    process.stderr.write(`${line}\n`);
  };
}

async function queuedRun(studio: Studio, name: string): Promise<TrainingRun> {
  const run = (await callOrThrow(studio, 'training.list', {})).find((r) => r.id === name);
  if (!run) throw new CliError(`no training run ${name}`);
  if (run.state !== 'queued' || !run.jobId) throw new CliError(`run ${name} is ${run.state}, not queued${ACTIVE.has(run.state) ? ' (stop it with: flux-studio train stop)' : ''}`);
  return run;
}

export function registerTrainingCommand(program: Command): void {
  const train = program.command('train').description('LoRA training with ai-toolkit (on a pod or locally).');

  common(planOptions(train.command('plan').description('Show the ai-toolkit config a training would run.')).option('--print', 'print the YAML only').option('--json', 'print one JSON object')).action(
    (opts: PlanFlags) =>
      withStudio(opts, async (studio) => {
        const plan = await callOrThrow(studio, 'training.plan', planRequest(opts));
        for (const w of plan.warnings) process.stderr.write(`warning: ${w}\n`);
        if (opts.print) process.stdout.write(plan.yaml);
        else print(plan, opts.json, () => `run ${plan.name} on ${plan.target}\n\n${plan.yaml}`);
      }),
  );

  common(
    planOptions(train.command('start').description('Start a training run (waits until it is launched; --follow waits until it ends).'))
      .option('--config <file>', 'use this edited YAML instead of the plan (dataset and model flags still name them)')
      .option('--follow', 'stay and print progress until the run ends')
      .option('--json', 'print the run as JSON'),
  ).action((opts: PlanFlags & { config?: string; follow?: boolean }) =>
    withStudio(opts, async (studio) => {
      const yaml = opts.config ? fs.readFileSync(opts.config, 'utf8') : (await callOrThrow(studio, 'training.plan', planRequest(opts))).yaml;
      const run = await callOrThrow(studio, 'training.start', { yaml, dataset: opts.dataset, model: opts.model, ...(opts.target ? { target: opts.target } : {}) });
      const show = follower(opts.json);
      if (run.state === 'queued' && !opts.follow) {
        // Behind another run on this target: it starts when its turn comes (in an open studio).
        print(run, opts.json, () => `${runLine(run)}\nqueued behind the runs before it on ${run.target}; it starts when they end (flux-studio train queue)`);
        return;
      }
      const launched = await waitFor(studio, run.id, (r) => r.state !== 'preparing' && r.state !== 'queued', show);
      const end = opts.follow ? await waitFor(studio, run.id, (r) => !ACTIVE.has(r.state), show) : launched;
      if (process.stderr.isTTY && !opts.json) process.stderr.write('\n');
      print(end, opts.json, () => runLine(end));
      if (end.state === 'failed') throw new CliError(end.error?.message ?? 'training failed');
    }),
  );

  common(train.command('list').description('Training runs, newest first.').option('--json', 'print one JSON array')).action((opts: Common & { json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const runs = await callOrThrow(studio, 'training.list', {});
      print(runs, opts.json, () => (runs.length === 0 ? 'no training runs' : runs.map(runLine).join('\n')));
    }),
  );

  common(train.command('status').description('One run: progress, samples, checkpoints (reattaches and reads the log up to now).').argument('<name>').option('--json', 'print one JSON object')).action(
    (name: string, opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        // Let the reattached follower read what the log gained while nobody watched.
        await new Promise((r) => setTimeout(r, 600));
        const d = await callOrThrow(studio, 'training.get', { id: name });
        print(d, opts.json, () =>
          [
            runLine(d.run),
            `samples: ${d.samples.length}   checkpoints: ${d.checkpoints.map((c) => c.file).join(', ') || 'none'}`,
            ...d.logTail.slice(-10).map((l) => `  | ${l}`),
          ].join('\n'),
        );
      }),
  );

  common(train.command('stop').description('Stop a run (SIGINT, then TERM, then KILL) and wait until it has stopped.').argument('<name>').option('--json', 'print the run as JSON')).action(
    (name: string, opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const run = await callOrThrow(studio, 'training.stop', { id: name });
        const end = await waitFor(studio, run.id, (r) => !ACTIVE.has(r.state), follower(opts.json));
        print(end, opts.json, () => runLine(end));
      }),
  );

  common(
    train
      .command('resume')
      .description('Queue a stopped or failed run to resume from its newest checkpoint on its target (--follow waits until it ends).')
      .argument('<name>')
      .option('--steps <n>', 'train up to this many steps in all')
      .option('--follow', 'stay and print progress until the run ends')
      .option('--json', 'print the run as JSON'),
  ).action((name: string, opts: Common & { steps?: string; follow?: boolean; json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const steps = intFlag(opts.steps, '--steps');
      const run = await callOrThrow(studio, 'training.resume', { id: name, ...(steps ? { steps } : {}) });
      if (run.state === 'queued' && !opts.follow) process.stderr.write(`queued behind the runs before it on ${run.target} (flux-studio train queue)\n`);
      const end = opts.follow ? await waitFor(studio, run.id, (r) => !ACTIVE.has(r.state), follower(opts.json)) : run;
      print(end, opts.json, () => runLine(end));
    }),
  );

  common(train.command('mark-stopped').description('Record a run whose process is gone as stopped.').argument('<name>').option('--json', 'print the run as JSON')).action(
    (name: string, opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const run = await callOrThrow(studio, 'training.markStopped', { id: name });
        print(run, opts.json, () => runLine(run));
      }),
  );

  common(train.command('queue').description('The training queue of each target: the run in progress, then the queued runs in the order they will start.').option('--target <id>', 'only this target').option('--json', 'print one JSON array')).action(
    (opts: Common & { target?: string; json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const runs = (await callOrThrow(studio, 'training.list', {}))
          .filter((r) => ACTIVE.has(r.state) && (!opts.target || r.target === opts.target))
          .sort((a, b) => a.target.localeCompare(b.target) || (a.queuePosition ?? 0) - (b.queuePosition ?? 0));
        print(runs, opts.json, () => {
          if (runs.length === 0) return 'no training running or queued';
          const targets = [...new Set(runs.map((r) => r.target))];
          return targets.map((t) => [`${t}:`, ...runs.filter((r) => r.target === t).map((r) => `  ${runLine(r)}`)].join('\n')).join('\n');
        });
      }),
  );

  common(
    train
      .command('reorder')
      .description('Move a queued run within its target’s queue (it changes which run starts next).')
      .argument('<name>')
      .option('--up', 'one place earlier')
      .option('--down', 'one place later')
      .option('--first', 'to the front (starts next)')
      .option('--last', 'to the back')
      .option('--to <n>', 'to place n (1 = starts next)')
      .option('--json', 'print the queue as JSON'),
  ).action((name: string, opts: Common & { up?: boolean; down?: boolean; first?: boolean; last?: boolean; to?: string; json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const place = intFlag(opts.to, '--to');
      const moves = [opts.up && 'up', opts.down && 'down', opts.first && 'first', opts.last && 'last', place !== undefined && place - 1].filter((m) => m !== false && m !== undefined);
      if (moves.length !== 1) throw new CliError('say where: one of --up, --down, --first, --last, --to <n>', 2);
      if (place !== undefined && place < 1) throw new CliError('--to: places start at 1', 2);
      const run = await queuedRun(studio, name);
      const queue = await callOrThrow(studio, 'jobs.reorder', { id: run.jobId as string, to: moves[0] as 'up' | 'down' | 'first' | 'last' | number });
      const runs = await callOrThrow(studio, 'training.list', {});
      const ordered = queue.map((j) => runs.find((r) => r.jobId === j.id)).filter((r): r is TrainingRun => r !== undefined);
      print(ordered, opts.json, () => [`${run.target}:`, ...ordered.map((r) => `  ${runLine(r)}`)].join('\n'));
    }),
  );

  common(train.command('cancel').description('Take a queued run out of the queue without starting it (a running one: train stop).').argument('<name>').option('--json', 'print the run as JSON')).action(
    (name: string, opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const run = await queuedRun(studio, name);
        await callOrThrow(studio, 'jobs.cancel', { id: run.jobId as string });
        const now = (await callOrThrow(studio, 'training.list', {})).find((r) => r.id === name) ?? run;
        print(now, opts.json, () => runLine(now));
      }),
  );
}
