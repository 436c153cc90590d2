// `flux-studio settings get|set`.
import type { Command } from 'commander';
import { callOrThrow, common, print, withStudio, type Common } from '../cli-kit';

export function registerSettingsCommand(program: Command): void {
  const settings = program.command('settings').description('Read and change settings.');
  common(settings.command('get').description('Print the settings.').option('--json', 'print one JSON object')).action(
    (opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const s = await callOrThrow(studio, 'settings.get', {});
        print(s, opts.json, () => Object.entries(s).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n'));
      }),
  );
  common(
    settings
      .command('set')
      .description('Change one setting, e.g. `settings set defaultRuntime local` or `settings set openAfterGenerate false`.')
      .argument('<key>', 'setting name')
      .argument('<value>', 'new value (JSON for booleans and numbers, plain text otherwise)'),
  ).action((key: string, value: string, opts: Common) =>
    withStudio(opts, async (studio) => {
      let parsed: unknown = value;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = value;
      }
      const s = await callOrThrow(studio, 'settings.update', { [key]: parsed });
      print(s, false, () => `${key} = ${JSON.stringify((s as Record<string, unknown>)[key])}`);
    }),
  );
}
