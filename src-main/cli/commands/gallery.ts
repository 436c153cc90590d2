// `flux-studio gallery …`: add a folder (and scan it), search the index, rescan.
import path from 'node:path';
import type { Command } from 'commander';
import type { GalleryImage, GallerySource, Job } from '@shared/contract';
import { CliError, callOrThrow, common, print, withStudio, type Common } from '../cli-kit';
import type { Studio } from '../../studio';

async function waitForJob(studio: Studio, job: Job, quiet: boolean): Promise<Job> {
  const off = quiet
    ? () => undefined
    : studio.events.subscribe((name, payload) => {
        if (name !== 'job.progress' || !process.stderr.isTTY) return;
        const { jobId, progress } = payload as { jobId: string; progress: { step: number; message: string | null } };
        if (jobId === job.id) process.stderr.write(`\r${progress.message ?? progress.step}   `);
      });
  try {
    await studio.jobs.whenIdle();
  } finally {
    off();
  }
  if (!quiet && process.stderr.isTTY) process.stderr.write('\n');
  const done = await callOrThrow(studio, 'jobs.get', { id: job.id });
  if (done.state !== 'succeeded') throw new CliError(`scan ${done.state}: ${done.error?.message ?? ''}`);
  return done;
}

function sourceLine(s: GallerySource): string {
  return `${s.id.padEnd(12)} ${String(s.imageCount).padStart(7)} images  ${s.path}${s.kind === 'output' ? '  (output folder)' : ''}`;
}

export function registerGalleryCommand(program: Command): void {
  const gallery = program.command('gallery').description('The image gallery index: folders, search, rescans.');

  common(
    gallery
      .command('add-folder')
      .description('Add a folder of images to the gallery and index it (again, if it is already there).')
      .argument('<dir>', 'folder to add')
      .option('--json', 'print one JSON object'),
  ).action((dir: string, opts: Common & { json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const abs = path.resolve(dir);
      const existing = (await callOrThrow(studio, 'gallery.sources', {})).find((s) => s.path === abs);
      const job = existing ? studio.gallery.rescan([existing.id]) : (await callOrThrow(studio, 'gallery.addSource', { path: abs }), studio.jobs.list({ limit: 1 })[0]);
      if (job) await waitForJob(studio, job, Boolean(opts.json));
      const source = (await callOrThrow(studio, 'gallery.sources', {})).find((s) => s.path === abs);
      if (!source) throw new CliError(`${abs} is not in the gallery`);
      print(source, opts.json, () => sourceLine(source));
    }),
  );

  common(
    gallery
      .command('search')
      .description('Search prompts (every word, prefix-matched) in the gallery index.')
      .argument('[text]', 'words to look for', '')
      .option('--json', 'print one JSON object ({ items, total, offset })')
      .option('--limit <n>', 'how many', '20')
      .option('--model <name>', 'only this model')
      .option('--favourites', 'only favourites')
      .option('--sort <order>', 'newest | oldest | relevance | largest | name'),
  ).action((text: string, opts: Common & { json?: boolean; limit: string; model?: string; favourites?: boolean; sort?: string }) =>
    withStudio(opts, async (studio) => {
      const res = await callOrThrow(studio, 'gallery.search', {
        ...(text ? { text } : {}),
        limit: Number(opts.limit),
        ...(opts.model ? { models: [opts.model] } : {}),
        ...(opts.favourites ? { favourite: true } : {}),
        ...(opts.sort ? { sort: opts.sort } : {}),
      });
      print(res, opts.json, () =>
        [
          `${res.total} image${res.total === 1 ? '' : 's'}`,
          ...res.items.map((i: GalleryImage) => `${i.createdAt.slice(0, 19)}  ${i.path}${i.params.prompt ? `\n    ${i.params.prompt.slice(0, 120)}` : ''}`),
        ].join('\n'),
      );
    }),
  );

  common(gallery.command('rescan').description('Scan every gallery folder again.').option('--json', 'print one JSON object')).action(
    (opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const job = await callOrThrow(studio, 'gallery.rescan', {});
        const done = await waitForJob(studio, job, Boolean(opts.json));
        print(done.result, opts.json, () =>
          ((done.result as { sources: { sourceId: string; files: number; added: number; removed: number }[] }).sources ?? [])
            .map((r) => `${r.sourceId}: ${r.files} files, ${r.added} new, ${r.removed} removed`)
            .join('\n'),
        );
      }),
  );

  common(gallery.command('sources').description('The folders the gallery indexes.').option('--json', 'print one JSON array')).action(
    (opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const list = await callOrThrow(studio, 'gallery.sources', {});
        print(list, opts.json, () => list.map(sourceLine).join('\n'));
      }),
  );
}
