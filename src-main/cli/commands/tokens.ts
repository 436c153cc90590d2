// `flux-studio tokens`: CLIP token ids and count of a prompt, what fits in CLIP's 75, and
// the T5 budget. With --tokenizer DIR it reads that folder and opens no studio (no data
// folder, no database); otherwise it asks the studio (prompt.tokens), which finds the
// tokenizer the way the app does (Settings, the data folder's cache, resources/).
import path from 'node:path';
import { Command, Option } from 'commander';
import { MODEL_IDS, type Envelope, type ModelId, type TokenCount } from '@shared/contract';
import type { Studio } from '../../studio';
import { clipTokenizerFormat, OPENAI_BPE_FILE } from '../../prompt/clip-tokenizer';
import { TokenService } from '../../prompt/token-service';

/** The checkout (or unpacked package) root: this code runs from out/main/cli.js, two levels below it. */
const ROOT = process.env.FLUX_STUDIO_ROOT ?? path.resolve(__dirname, '..', '..');

interface TokensOptions {
  json?: boolean;
  jsonl?: boolean;
  tokenizer?: string;
  model: ModelId;
  dataDir?: string;
}

type Counter = (text: string) => Promise<TokenCount>;

export function registerTokensCommand(program: Command, open: (opts: { dataDir?: string }) => Promise<Studio>): Command {
  return program
    .command('tokens')
    .description('Count the CLIP tokens of a prompt (75 fit) and show what CLIP cuts; also the T5 budget.')
    .argument('[text]', 'the prompt; "-" reads it from standard input')
    .option('--json', 'print one JSON object: {"ids":[…],"count":N,"limit":75,"fits":bool,"trimmed":"…",…}')
    .option('--jsonl', 'read one JSON string per line from standard input; print one JSON object per line')
    .option('--tokenizer <dir>', 'CLIP tokenizer folder (vocab.json + merges.txt, or bpe_simple_vocab_16e6.txt.gz); opens no studio')
    .addOption(new Option('--model <id>', 'model whose T5 budget to show').choices([...MODEL_IDS]).default('flux-dev'))
    .addOption(new Option('--data-dir <dir>', 'studio data folder (its cache/tokenizers/ is searched)'))
    .addHelpText(
      'after',
      '\nExamples:\n  flux-studio tokens "a photo of a cat"\n  flux-studio tokens --json --tokenizer ./tokenizer - < prompt.txt\n',
    )
    .action(async (text: string | undefined, opts: TokensOptions) => {
      if (opts.jsonl && text !== undefined) throw new Error('--jsonl reads the prompts from standard input: give no TEXT');
      if (!opts.jsonl && text === undefined) throw new Error('give the prompt as TEXT, or "-" to read it from standard input');
      await withCounter(opts, open, async (count) => {
        if (opts.jsonl) {
          for (const line of (await readStdin()).split('\n')) {
            if (line.trim() === '') continue;
            const prompt = JSON.parse(line) as unknown;
            if (typeof prompt !== 'string') throw new Error('--jsonl: each line must be a JSON string');
            process.stdout.write(JSON.stringify(jsonResult(await count(prompt))) + '\n');
          }
          return;
        }
        const prompt = text === '-' ? stripFinalNewline(await readStdin()) : (text as string);
        const r = await count(prompt);
        process.stdout.write((opts.json ? JSON.stringify(jsonResult(r)) : human(r, prompt)) + '\n');
      });
    });
}

async function withCounter(opts: TokensOptions, open: (o: { dataDir?: string }) => Promise<Studio>, fn: (count: Counter) => Promise<void>): Promise<void> {
  const model = opts.model;
  if (opts.tokenizer !== undefined) {
    const dir = path.resolve(opts.tokenizer);
    // Only the named folder: no fallback to another tokenizer when it is wrong.
    if (clipTokenizerFormat(dir) === null) {
      throw new Error(`--tokenizer ${opts.tokenizer}: no CLIP tokenizer there (vocab.json + merges.txt, or ${OPENAI_BPE_FILE})`);
    }
    const service = new TokenService(() => ({ clipTokenizerDir: dir, dataDir: opts.dataDir ? path.resolve(opts.dataDir) : null, resourcesDir: ROOT }));
    const clip = service.clipTokenizer();
    if (clip.tokenizer === null) throw new Error(`--tokenizer ${opts.tokenizer}: ${clip.reason}`);
    await fn((t) => Promise.resolve(checked(service.count(t, model))));
    return;
  }
  const studio = await open({ dataDir: opts.dataDir });
  try {
    await fn(async (t) => {
      const env = (await studio.dispatch('prompt.tokens', { text: t, model })) as Envelope<TokenCount>;
      if (!env.ok) throw new Error(env.error.message);
      return checked(env.data);
    });
  } finally {
    await studio.close();
  }
}

/** No tokenizer data: say so and where it looked, rather than print a count of 0. */
function checked(r: TokenCount): TokenCount {
  if (!r.available) throw new Error(`cannot count CLIP tokens: ${r.reason ?? 'no tokenizer data'}`);
  return r;
}

function jsonResult(r: TokenCount) {
  return { ids: r.ids, count: r.count, limit: r.limit, fits: r.fits, trimmed: r.trimmed, cutAt: r.cutAt, t5: r.t5 };
}

function human(r: TokenCount, text: string): string {
  const t5 = `T5: ${r.t5.count} / ${r.t5.limit} tokens${r.t5.estimate ? ' (estimate: no T5 tokenizer.json found)' : ''}`;
  if (r.fits) return `${r.count} / ${r.limit} tokens (fits)\n${t5}`;
  const cut = text.slice(r.cutAt ?? r.trimmed.length);
  const shown = cut.length > 80 ? `${cut.slice(0, 77)}…` : cut;
  return `${r.count} / ${r.limit} tokens (${r.count - r.limit} over: ${JSON.stringify(shown)})\n${t5}`;
}

/** `echo "prompt" | flux-studio tokens -`: the shell's final newline is not part of the prompt. */
function stripFinalNewline(s: string): string {
  return s.replace(/\r?\n$/, '');
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}
