// Shared plumbing for CLI commands: opening a studio over the chosen data dir, calling
// the contract through the same dispatcher as the UI, and printing for people or scripts.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CallName, CallResponse, Envelope, Job } from '@shared/contract';
import { DATA_DIR_ENV, resolveDataDir } from '../paths/data-dir';
import { createStudio, type Studio } from '../studio';

/**
 * The checkout (or unpacked package) root, found by walking up from this bundle to the
 * flux-studio package.json (the bundler may place this code in out/main or a chunk below it).
 */
function findRoot(): string {
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'flux-studio') return dir;
    } catch {
      // no package.json here: keep walking
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(__dirname, '..', '..');
    dir = up;
  }
}
export const ROOT = process.env.FLUX_STUDIO_ROOT ?? findRoot();

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface Common {
  dataDir?: string;
  verbose?: boolean;
}

export async function openStudio(opts: Common): Promise<Studio> {
  const { dataDir, source } = resolveDataDir(opts.dataDir);
  return createStudio({
    dataDir,
    dataDirSource: source,
    resourcesDir: ROOT,
    version: packageVersion(),
    consoleLevel: opts.verbose ? 'debug' : 'warn',
  });
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export async function callOrThrow<K extends CallName>(studio: Studio, name: K, payload: unknown): Promise<CallResponse<K>> {
  const envelope = (await studio.dispatch(name, payload)) as Envelope<CallResponse<K>>;
  if (!envelope.ok) throw new CliError(envelope.error.message, envelope.error.code === 'invalid_input' ? 2 : 1);
  return envelope.data;
}

export async function withStudio(opts: Common, fn: (studio: Studio) => Promise<void>): Promise<void> {
  const studio = await openStudio(opts);
  try {
    await fn(studio);
  } finally {
    await studio.close();
  }
}

export function print(value: unknown, json: boolean | undefined, human: () => string): void {
  process.stdout.write(json ? JSON.stringify(value) + '\n' : human() + '\n');
}

export function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

/** Adds --data-dir and --verbose to a command: every command takes them. */
export function common(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data-dir <dir>', `studio data folder (default: $${DATA_DIR_ENV} or the per-user folder)`))
    .option('-v, --verbose', 'log debug lines to stderr');
}

/** How a range reads in errors and help: 0…4294967295 (0…2^32−1) for seeds. */
export function rangeText(min: number, max: number): string {
  return max === 4294967295 ? `${min}…${max} (0…2^32−1)` : `${min}…${max}`;
}

/**
 * A commander argument parser for a whole number in [min, max]. Its errors name the flag and
 * the range the same way the rest of the CLI does (`flux-studio: --seed: …`; see formatCliError).
 */
export function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const t = value.trim();
    if (!/^[-+]?\d+$/.test(t)) throw new InvalidArgumentError(`${name}: must be a whole number in ${rangeText(min, max)}, got “${value}”.`);
    const n = Number(t);
    if (n < min || n > max) throw new InvalidArgumentError(`${name}: ${t} is outside ${rangeText(min, max)}.`);
    return n;
  };
}

/** A commander argument parser for a finite number, with the flag named in the error. */
export function decimal(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name}: must be a number, got “${value}”.`);
    return n;
  };
}

/**
 * Commander's own errors ("error: option '--seed <n>' argument '-1' is invalid. …", "error:
 * unknown command …") in the CLI's one style, `flux-studio: <flag>: <what is wrong>`, as the
 * errors the commands throw are printed (main.ts).
 */
export function formatCliError(text: string): string {
  const body = text.replace(/\n+$/, '');
  const invalid = /^error: option '(-[^' ,]+)(?:[^']*)' argument '([^']*)' is invalid\. ([\s\S]*)$/.exec(body);
  if (invalid?.[1] && invalid[3] !== undefined) {
    const [, flag, value, why] = invalid;
    // Our parsers name the flag and the value themselves; commander's choices do not, so the value is added.
    return `flux-studio: ${why.startsWith(`${flag}`) ? why : `${flag}: ${JSON.stringify(value)} is not one of the choices. ${why}`}\n`;
  }
  return `flux-studio: ${body.replace(/^error: /, '')}\n`;
}

/** Waits for a job, printing its progress messages to stderr. */
export async function followJob(studio: Studio, id: string, quiet = false): Promise<Job> {
  let last = '';
  const off = studio.events.subscribe((name, payload) => {
    if (quiet || name !== 'job.progress') return;
    const { jobId, progress } = payload as { jobId: string; progress: { step: number; total: number | null; message: string | null } };
    if (jobId !== id) return;
    const text = progress.message ?? `${progress.step}/${progress.total ?? '?'}`;
    if (text === last) return;
    last = text;
    process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${text}` : `${text}\n`);
  });
  try {
    for (;;) {
      const job = await callOrThrow(studio, 'jobs.get', { id });
      if (['succeeded', 'failed', 'cancelled', 'interrupted'].includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    off();
    if (!quiet && process.stderr.isTTY && last) process.stderr.write('\n');
  }
}
