// `flux-studio jobs list`.
import type { Command } from 'commander';
import { callOrThrow, common, print, withStudio, type Common } from '../cli-kit';

export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('Inspect the job queue.');
  common(jobs.command('list').description('Recent jobs, newest first.').option('--json', 'print one JSON array').option('--limit <n>', 'how many', '20')).action(
    (opts: Common & { json?: boolean; limit: string }) =>
      withStudio(opts, async (studio) => {
        const list = await callOrThrow(studio, 'jobs.list', { limit: Number(opts.limit) });
        print(list, opts.json, () =>
          list.length === 0 ? 'no jobs' : list.map((j) => `${j.id.slice(0, 8)}  ${j.state.padEnd(11)} ${j.title}`).join('\n'),
        );
      }),
  );
}
