// `flux-studio jobs list | queue <lane> | reorder <id> <to> | cancel <id>`.
import type { Command } from 'commander';
import type { Job } from '@shared/contract';
import { CliError, callOrThrow, common, print, withStudio, type Common } from '../cli-kit';

const line = (j: Job) => `${j.id.slice(0, 8)}  ${j.state.padEnd(11)} ${j.title}`;

export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('Inspect the job queue.');
  common(jobs.command('list').description('Recent jobs, newest first.').option('--json', 'print one JSON array').option('--limit <n>', 'how many', '20')).action(
    (opts: Common & { json?: boolean; limit: string }) =>
      withStudio(opts, async (studio) => {
        const list = await callOrThrow(studio, 'jobs.list', { limit: Number(opts.limit) });
        print(list, opts.json, () =>
          list.length === 0 ? 'no jobs' : list.map(line).join('\n'),
        );
      }),
  );
  common(jobs.command('queue').description('The queued jobs of one lane (e.g. training:local), in the order they will run.').argument('<lane>').option('--json', 'print one JSON array')).action(
    (lane: string, opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const list = await callOrThrow(studio, 'jobs.queue', { lane });
        print(list, opts.json, () => (list.length === 0 ? `nothing queued in ${lane}` : list.map((j, i) => `${i + 1}. ${line(j)}`).join('\n')));
      }),
  );
  common(
    jobs
      .command('reorder')
      .description('Move a queued job within its lane: up, down, first, last, or a place (1 = runs next).')
      .argument('<id>', 'the job id')
      .argument('<to>', 'up | down | first | last | a place number')
      .option('--json', 'print the lane’s queue as JSON'),
  ).action((id: string, to: string, opts: Common & { json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const place = Number(to);
      const where = ['up', 'down', 'first', 'last'].includes(to) ? (to as 'up' | 'down' | 'first' | 'last') : Number.isInteger(place) && place >= 1 ? place - 1 : null;
      if (where === null) throw new CliError(`<to>: ${to} is not up, down, first, last or a place number`, 2);
      const list = await callOrThrow(studio, 'jobs.reorder', { id, to: where });
      print(list, opts.json, () => list.map((j, i) => `${i + 1}. ${line(j)}`).join('\n'));
    }),
  );
  common(jobs.command('cancel').description('Cancel a queued job (it never starts) or a running one (a training stops gracefully).').argument('<id>', 'the job id').option('--json', 'print the job as JSON')).action(
    (id: string, opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const job = await callOrThrow(studio, 'jobs.cancel', { id });
        print(job, opts.json, () => line(job));
      }),
  );
}
