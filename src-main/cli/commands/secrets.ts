// `flux-studio secrets status|set|clear`: values are read from stdin and never printed.
import type { Command } from 'commander';
import { callOrThrow, common, print, readStdin, withStudio, type Common } from '../cli-kit';

export function registerSecretsCommand(program: Command): void {
  const secrets = program.command('secrets').description('Manage API keys and tokens (values are never printed).');
  common(secrets.command('status').description('Which secrets are set and where from.').option('--json', 'print one JSON object')).action(
    (opts: Common & { json?: boolean }) =>
      withStudio(opts, async (studio) => {
        const o = await callOrThrow(studio, 'secrets.status', {});
        print(o, opts.json, () =>
          [`backend: ${o.backend}${o.unavailableReason ? ` (unavailable: ${o.unavailableReason})` : ''}`]
            .concat(o.secrets.map((s) => `${s.name.padEnd(12)} ${s.set ? `set (${s.source === 'env' ? `from $${s.envVar}` : 'stored'})` : 'not set'}`))
            .join('\n'),
        );
      }),
  );
  common(
    secrets
      .command('set')
      .description('Store a secret read from standard input (so it never appears in your shell history or `ps`).')
      .argument('<name>', 'anthropic | huggingface | runpod'),
  ).action((name: string, opts: Common) =>
    withStudio(opts, async (studio) => {
      if (process.stdin.isTTY) process.stderr.write(`Paste the ${name} secret and press Ctrl-D:\n`);
      const value = (await readStdin()).trim();
      await callOrThrow(studio, 'secrets.set', { name, value });
      process.stdout.write(`${name}: stored\n`);
    }),
  );
  common(secrets.command('clear').description('Delete a stored secret.').argument('<name>', 'anthropic | huggingface | runpod')).action(
    (name: string, opts: Common) =>
      withStudio(opts, async (studio) => {
        await callOrThrow(studio, 'secrets.clear', { name });
        process.stdout.write(`${name}: cleared\n`);
      }),
  );
}
