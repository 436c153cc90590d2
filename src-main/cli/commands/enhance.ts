// `flux-studio enhance "TEXT"`: ask Claude to expand a prompt, through the studio's
// dispatcher (the same validation, settings and errors as the Enhance button). It says on
// stderr, once per run, that the prompt goes to Anthropic; stdout holds only the result.
import { Option, type Command } from 'commander';
import { calls, ENHANCE_MODES, type EnhanceMode, type EnhanceResult } from '@shared/contract';
import { callOrThrow, common, openStudio, type Common } from '../cli-kit';
import type { Studio } from '../../studio';

interface EnhanceOptions extends Common {
  json?: boolean;
  mode?: EnhanceMode;
  /** true with --trim, false with --no-trim, undefined: the enhanceTrimToClip setting. */
  trim?: boolean;
}

export function formatEnhanceResult(r: EnhanceResult): string {
  const lines = [`original: ${r.original}`, `enhanced: ${r.enhanced}`];
  if (r.wasTrimmed) lines.push(`trimmed:  ${r.trimmed}`, `(${r.tokenCount} CLIP tokens: cut to the first 75, which is all CLIP reads)`);
  else lines.push(`(${r.tokenCount} CLIP tokens${r.tokenCount > 75 ? '; CLIP reads only the first 75 and trimming is off' : ''})`);
  return lines.join('\n');
}

export function registerEnhanceCommand(program: Command, open: (opts: Common) => Promise<Studio> = openStudio): void {
  common(
    program
      .command('enhance')
      .description('Ask Claude to expand a prompt (sends the prompt to Anthropic; needs an Anthropic API key).')
      .argument('<text...>', 'the prompt (quote it, or pass the words as separate arguments)')
      .option('--json', 'print exactly one JSON object (the EnhanceResult)')
      .addOption(new Option('--mode <mode>', 'how freely Claude may add detail (configs/prompts/modes.yaml)').choices(ENHANCE_MODES))
      .option('--trim', "cut the answer to CLIP's 75-token limit (default: the enhanceTrimToClip setting)")
      .option('--no-trim', 'keep the whole answer even past the CLIP limit'),
  ).action(async (words: string[], opts: EnhanceOptions) => {
    const studio = await open(opts);
    try {
      const payload = {
        prompt: words.join(' '),
        ...(opts.mode ? { mode: opts.mode } : {}),
        ...(opts.trim !== undefined ? { trimToClip: opts.trim } : {}),
      };
      // The notice only when something will be sent: a bad request or a missing key fails first.
      const secrets = await callOrThrow(studio, 'secrets.status', {});
      const keySet = secrets.secrets.some((s) => s.name === 'anthropic' && s.set);
      if (keySet && calls['prompt.enhance'].request.safeParse(payload).success) {
        const settings = await callOrThrow(studio, 'settings.get', {});
        process.stderr.write(`Sending the prompt to Anthropic (model ${settings.enhanceModel})…\n`);
      }
      const result = await callOrThrow(studio, 'prompt.enhance', payload);
      process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${formatEnhanceResult(result)}\n`);
    } finally {
      await studio.close();
    }
  });
}
