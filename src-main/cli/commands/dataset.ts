// `flux-studio dataset …`: import files/folders/zips into a dataset, check a dataset, list
// them. `dataset tag` is added to the returned command by the tagging module.
import path from 'node:path';
import type { Command } from 'commander';
import type { CheckReport, Dataset, ImportReport } from '@shared/contract/datasets';
import { Resolutions } from '@shared/contract/datasets';
import { CliError, callOrThrow, common, print, withStudio, type Common } from '../cli-kit';

function parseResolutionList(text: string): number[] {
  const values = text.split(',').map((v) => Number(v.trim()));
  const parsed = Resolutions.safeParse(values);
  if (!parsed.success) throw new CliError(`--resolution: ${parsed.error.issues[0]?.message ?? 'invalid'} (e.g. 512,768,1024)`, 2);
  return parsed.data;
}

function datasetLine(d: Dataset): string {
  const c = d.counts;
  return `${d.name.padEnd(24)} ${String(c.images).padStart(6)} images  ${String(c.captioned).padStart(6)} captioned  ${String(c.warnings).padStart(4)} warnings  ${d.inPlace ? '(in place) ' : ''}${d.dir}${d.present ? '' : '  [folder missing]'}`;
}

function reportText(r: ImportReport): string {
  const t = r.totals;
  const lines = [`${r.dataset}: ${t.accepted} accepted, ${t.converted} converted, ${t.rejected} rejected, ${t.caption} captions, ${t.ignored} ignored, ${r.warnings.length} warnings`];
  for (const e of r.entries) if (e.outcome !== 'accepted' && e.outcome !== 'caption') lines.push(`  ${e.outcome.padEnd(9)} ${e.source}${e.file ? ` → ${e.file}` : ''}${e.reason ? `: ${e.reason}` : ''}`);
  for (const w of r.warnings) lines.push(`  warning   ${w.file}: ${w.message}`);
  return lines.join('\n');
}

function checkText(r: CheckReport): string {
  const lines = [`${r.dataset}: ${r.accepted.length} images OK, ${r.rejected.length} rejected, ${r.warnings.length} warnings`];
  for (const x of r.rejected) lines.push(`  rejected  ${x.file}: ${x.reason}`);
  for (const w of r.warnings) lines.push(`  warning   ${w.file}: ${w.message}`);
  return lines.join('\n');
}

export function registerDatasetCommand(program: Command): Command {
  const dataset = program.command('dataset').description('Training datasets: folders of images with same-named .txt captions.');

  common(
    dataset
      .command('import')
      .description('Import images, folders and zip files into a dataset (created if new); prints the import report.')
      .argument('<src...>', 'files, folders or .zip archives')
      .requiredOption('--name <name>', 'dataset name')
      .option('--in-place', 'use the (single) folder where it is instead of copying into the data folder')
      .option('--resolution <list>', 'training resolutions, comma-separated (default 512,768,1024)')
      .option('--trigger <word>', 'trigger word for [trigger] in captions')
      .option('--json', 'print the report as one JSON object'),
  ).action((src: string[], opts: Common & { name: string; inPlace?: boolean; resolution?: string; trigger?: string; json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const resolutions = opts.resolution ? parseResolutionList(opts.resolution) : undefined;
      const report = await studio.datasets.importNow(
        { name: opts.name, sources: src.map((s) => path.resolve(s)), inPlace: opts.inPlace === true, resolutions, trigger: opts.trigger },
        (step, total, message) => {
          if (!opts.json && process.stderr.isTTY) process.stderr.write(`\r${step}/${total ?? '?'} ${message ?? ''}`.slice(0, 120).padEnd(120));
        },
      );
      if (!opts.json && process.stderr.isTTY) process.stderr.write('\n');
      print(report, opts.json, () => reportText(report));
    }),
  );

  common(
    dataset
      .command('check')
      .description('Check a dataset folder as it is now: accepted images, rejected files with reasons, warnings.')
      .argument('<name>', 'dataset name')
      .option('--json', 'print one JSON object { accepted, rejected: [{file, reason}], warnings }'),
  ).action((name: string, opts: Common & { json?: boolean }) =>
    withStudio(opts, async (studio) => {
      const report = await callOrThrow(studio, 'datasets.check', { name });
      print(report, opts.json, () => checkText(report));
    }),
  );

  common(dataset.command('list').description('List datasets with their counts.').option('--json', 'print one JSON array')).action(
    (opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const list = await callOrThrow(studio, 'datasets.list', {});
        print(list, opts.json, () => (list.length === 0 ? 'no datasets yet (dataset import SRC... --name NAME)' : list.map(datasetLine).join('\n')));
      }),
  );

  return dataset;
}
