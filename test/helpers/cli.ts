// Runs the CLI in this process (buildProgram, no child process) and captures what it
// prints to stdout; stderr (progress, logs) is swallowed. For tests that drive several
// commands over one data folder quickly; test/cli/cli.test.ts runs the built binary instead.
import { buildProgram } from '../../src-main/cli/main';

export async function runCliInProcess(args: readonly string[]): Promise<string> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'flux-studio', ...args]);
  } finally {
    process.stdout.write = write;
    process.stderr.write = err;
  }
  return out;
}
