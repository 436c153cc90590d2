// `flux-studio metadata read FILE [--json]`: the generation parameters inside an image
// (this studio's record, A1111 `parameters`, ComfyUI `prompt`). Opens no studio: no data folder needed.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { ImageParameters } from '@shared/contract';
import { CliError } from '../cli-kit';
import { NotAnImageError } from '../../metadata/errors';
import { readImageParameters } from '../../metadata/read-parameters';

export function readParametersFromFile(file: string): ImageParameters {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a folder' : e.message}`, 1);
  }
  try {
    return readImageParameters(bytes);
  } catch (err) {
    if (err instanceof NotAnImageError) throw new CliError(`cannot read ${file}: ${err.reason}`, 1);
    throw err;
  }
}

export function formatHuman(p: ImageParameters): string {
  const rows: Array<[string, string | null]> = [
    ['source', p.source ?? 'none (no generation parameters in this file)'],
    ['prompt', p.prompt],
    ['negative', p.negativePrompt],
    ['enhanced from', p.enhancedFrom],
    ['model', p.model],
    ['seed', p.seed === null ? null : String(p.seed)],
    ['steps', p.steps === null ? null : String(p.steps)],
    ['guidance', p.guidance === null ? null : String(p.guidance)],
    ['sampler', p.sampler],
    ['size', p.width !== null && p.height !== null ? `${p.width}x${p.height}` : null],
    ['loras', p.loras.length ? p.loras.map((l) => `${l.name} @ ${l.scale}${l.sha256 ? ` (${l.sha256.slice(0, 12)})` : ''}`).join(', ') : null],
    ['runtime', p.runtime === null ? null : p.pod ? `${p.runtime} (${p.pod})` : p.runtime],
    ['jpeg quality', p.jpegQuality === null ? null : String(p.jpegQuality)],
    ['load time', p.loadSeconds === null ? null : `${p.loadSeconds} s`],
    ['gen time', p.genSeconds === null ? null : `${p.genSeconds} s`],
  ];
  const shown = rows.filter((r): r is [string, string] => r[1] !== null);
  const w = Math.max(...shown.map(([k]) => k.length)) + 1;
  return shown.map(([k, v]) => `${(k + ':').padEnd(w)} ${v.replace(/\n/g, '\n' + ' '.repeat(w + 1))}`).join('\n');
}

export function registerMetadataCommand(program: Command): void {
  const metadata = program.command('metadata').description('Generation parameters stored inside image files.');
  metadata
    .command('read')
    .description("Print the parameters inside a PNG, JPEG or WebP (this studio's, A1111 `parameters`, ComfyUI `prompt`).")
    .argument('<file>', 'the image file')
    .option('--json', 'print one JSON object (prompt, seed, steps, width, height, guidance, … source)')
    .addHelpText('after', '\nExamples:\n  flux-studio metadata read out/2026-01-01/flux_20260101_120000_42.png\n  flux-studio metadata read image.jpg --json\n')
    .action((file: string, opts: { json?: boolean }) => {
      const p = readParametersFromFile(file);
      process.stdout.write((opts.json ? JSON.stringify(p) : formatHuman(p)) + '\n');
    });
}
