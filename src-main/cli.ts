// `flux-studio` on the command line: the same services as the app, through the same
// contract dispatcher (so the same validation and errors). Later capabilities add their
// subcommands here. Output meant for scripts goes to stdout; logs go to stderr.
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { CliError, ROOT, callOrThrow, common, openStudio, packageVersion, print, readStdin, withStudio, type Common } from './commands/cli-kit';
import { registerDatasetCommand } from './datasets/dataset-command';
import { registerDatasetTagCommand } from './datasets/tagging/tag-command';
import { registerGalleryCommand } from './gallery/gallery-command';
import { registerMetadataCommand } from './metadata/metadata-command';
import { registerGenerateCommand } from './presets/generate-command';
import { registerLocalCommands } from './local/local-command';
import { registerPodsCommand } from './pods/pods-command';
import { registerEnhanceCommand } from './prompt/enhance-command';
import { registerTokensCommand } from './prompt/tokens-command';
import { startServer } from './serve';
import { registerTrainingCommand } from './training/training-command';

export function buildProgram(): Command {
  const program = new Command('flux-studio')
    .description('FLUX image generation and LoRA training studio — command line and headless server.')
    .version(packageVersion(), '--version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  common(
    program
      .command('serve')
      .description('Serve the studio UI and API over HTTP + WebSocket (127.0.0.1 by default, token required).')
      .option('--port <n>', 'port to listen on (0 picks a free one)', '8675')
      .option('--host <addr>', 'address to bind; anything but loopback exposes the studio to your network', '127.0.0.1')
      .option('--token <token>', 'use this bearer token instead of a random one (at least 16 characters)'),
  ).action(async (opts: Common & { port: string; host: string; token?: string }) => {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port: ${opts.port} is not a port number`, 2);
    if (opts.token !== undefined && opts.token.length < 16) throw new CliError('--token: use at least 16 characters', 2);
    const started = performance.now();
    const studio = await openStudio(opts);
    studio.gallery.start();
    const rendererDir = path.join(ROOT, 'out', 'renderer');
    if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
      studio.log.warn('the renderer is not built (out/renderer); the API works but the page will not. Run `npm run build`.');
    }
    const server = await startServer({ studio, rendererDir, host: opts.host, port, token: opts.token });
    const readyMs = performance.now() - started;
    if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
      studio.log.warn(`listening on ${opts.host}: anyone who can reach it and has the token controls this studio`);
    }
    studio.log.info(`ready in ${readyMs.toFixed(0)} ms; data dir ${studio.info.dataDir}`);
    process.stdout.write(`flux-studio serving at ${server.openUrl}\n`);
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void server
        .close()
        .then(() => studio.close())
        .then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // A long-running server outlives one failed background task (a watcher callback that hit a
    // locked database, a dropped link): log it with its stack instead of taking every open
    // page and queued job down with it.
    process.on('unhandledRejection', (reason) => {
      studio.log.error(`unhandled rejection (the server keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
    });
  });

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

  registerGenerateCommand(program);
  registerTokensCommand(program, openStudio);
  registerEnhanceCommand(program, openStudio);
  registerGalleryCommand(program);
  registerMetadataCommand(program);
  registerLocalCommands(program);
  // `dataset import|check|list`; the tagging module adds `dataset tag` to the returned command.
  registerDatasetTagCommand(registerDatasetCommand(program));
  registerTrainingCommand(program);
  registerPodsCommand(program);
  // Every leaf command takes --data-dir and --verbose, even one that opens no studio.
  const leaves = (cmd: Command): Command[] => (cmd.commands.length === 0 ? [cmd] : cmd.commands.flatMap(leaves));
  for (const leaf of program.commands.flatMap(leaves)) if (!leaf.options.some((o) => o.long === '--data-dir')) common(leaf);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the message (or the help); usage errors exit 2 like invalid values.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const code = err instanceof CliError ? err.exitCode : 1;
    process.stderr.write(`flux-studio: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = code;
  }
}
