// `flux-studio` on the command line: the same services as the app, through the same
// contract dispatcher (so the same validation and errors). One file per command in
// commands/ (docs/architecture.md, "Adding a CLI command"). Output meant for scripts goes to stdout; logs go to stderr.
import { Command, CommanderError } from 'commander';
import { CliError, common, openStudio, packageVersion } from './cli-kit';
import { registerServeCommand } from './commands/serve';
import { registerSystemCommands } from './commands/system';
import { registerSettingsCommand } from './commands/settings';
import { registerSecretsCommand } from './commands/secrets';
import { registerJobsCommand } from './commands/jobs';
import { registerDatasetCommand } from './commands/dataset';
import { registerDatasetTagCommand } from './commands/dataset-tag';
import { registerGalleryCommand } from './commands/gallery';
import { registerMetadataCommand } from './commands/metadata';
import { registerGenerateCommand } from './commands/generate';
import { registerLocalCommands } from './commands/local';
import { registerPodsCommand } from './commands/pods';
import { registerRunpodCommands } from './commands/pods-runpod';
import { registerEnhanceCommand } from './commands/enhance';
import { registerTokensCommand } from './commands/tokens';
import { registerTrainingCommand } from './commands/train';

export function buildProgram(): Command {
  const program = new Command('flux-studio')
    .description('FLUX image generation and LoRA training studio — command line and headless server.')
    .version(packageVersion(), '--version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  registerServeCommand(program);
  registerSystemCommands(program);
  registerSettingsCommand(program);
  registerSecretsCommand(program);
  registerJobsCommand(program);
  registerGenerateCommand(program);
  registerTokensCommand(program, openStudio);
  registerEnhanceCommand(program, openStudio);
  registerGalleryCommand(program);
  registerMetadataCommand(program);
  registerLocalCommands(program);
  // `dataset import|check|list`; the tagging module adds `dataset tag` to the returned command.
  registerDatasetTagCommand(registerDatasetCommand(program));
  registerTrainingCommand(program);
  registerRunpodCommands(registerPodsCommand(program));
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
