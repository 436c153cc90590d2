// `flux-studio info` and `flux-studio backup`: the system capability (app.*, maintenance.*).
import type { Command } from 'commander';
import { CliError, callOrThrow, common, print, withStudio, type Common } from '../cli-kit';

export function registerSystemCommands(program: Command): void {
  common(program.command('info').description('Show version, data folder and settings.').option('--json', 'print one JSON object')).action(
    (opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const info = await callOrThrow(studio, 'app.info', {});
        const settings = await callOrThrow(studio, 'settings.get', {});
        print({ ...info, settings }, opts.json, () =>
          [
            `flux-studio ${info.version} (${info.platform})`,
            `data dir:   ${info.dataDir} (${info.dataDirSource})`,
            `log file:   ${info.logFile}`,
            `output dir: ${settings.outputDir}`,
            `runtime:    ${settings.defaultRuntime}`,
          ].join('\n'),
        );
      }),
  );

  common(program.command('backup').description('Back up the studio database into <data dir>/backups.').option('--json', 'print one JSON object')).action(
    (opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const job = await callOrThrow(studio, 'maintenance.backup', {});
        await studio.jobs.whenIdle();
        const done = await callOrThrow(studio, 'jobs.get', { id: job.id });
        if (done.state !== 'succeeded') throw new CliError(`backup ${done.state}: ${done.error?.message ?? ''}`);
        print(done.result, opts.json, () => `backed up to ${(done.result as { file: string }).file}`);
      }),
  );
}
