// `flux-studio serve`: the studio UI and API over HTTP + WebSocket (src-main/serve/).
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, ROOT, common, openStudio, type Common } from '../cli-kit';
import { startServer } from '../../serve/server';
import { chooseToken, MIN_TOKEN_LENGTH, TOKEN_ENV } from '../../serve/token-source';

export function registerServeCommand(program: Command): void {
  common(
    program
      .command('serve')
      .description('Serve the studio UI and API over HTTP + WebSocket (127.0.0.1 by default, token required).')
      .option('--port <n>', 'port to listen on (0 picks a free one)', '8675')
      .option('--host <addr>', 'address to bind; anything but loopback exposes the studio to your network', '127.0.0.1')
      .option('--token-file <path>', `read the bearer token from this file (at least ${MIN_TOKEN_LENGTH} characters); or set ${TOKEN_ENV}; otherwise a random one is made`)
      .option('--token <token>', `use this bearer token (visible to other users in \`ps\`: prefer --token-file or ${TOKEN_ENV})`),
  ).action(async (opts: Common & { port: string; host: string; token?: string; tokenFile?: string }) => {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port: ${opts.port} is not a port number`, 2);
    const chosen = chooseToken(opts, process.env);
    if (!chosen.ok) throw new CliError(chosen.message, 2);
    // Read once; the processes serve starts (local worker, SSH, training) need not inherit it.
    delete process.env[TOKEN_ENV];
    const started = performance.now();
    const studio = await openStudio(opts);
    studio.gallery.start();
    const rendererDir = path.join(ROOT, 'out', 'renderer');
    if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
      studio.log.warn('the renderer is not built (out/renderer); the API works but the page will not. Run `npm run build`.');
    }
    if (chosen.from === '--token') studio.log.warn(`--token is visible to every user of this machine (ps); use --token-file or ${TOKEN_ENV}`);
    const server = await startServer({ studio, rendererDir, host: opts.host, port, token: chosen.token });
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
    // locked database, a dropped link) or a bug in a stream callback: log it (the stack goes to
    // the file log only) instead of taking every open page and queued job down with it.
    process.on('unhandledRejection', (reason) => {
      studio.log.error('unhandled rejection (the server keeps running)', reason instanceof Error ? reason : String(reason));
    });
    process.on('uncaughtException', (err) => {
      studio.log.error('uncaught exception (the server keeps running)', err);
    });
  });
}
