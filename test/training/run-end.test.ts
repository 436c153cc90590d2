// How a run ended, from what ai-toolkit printed (run-log.ts, docs/architecture.md "Training"):
// it prints nothing on success, so "completed" needs exit 0 after the final checkpoint;
// "saving" lasts until optimizer.pt is written (Stop waits for it); "Job stopped" is stopped.
// Fed through the real parser with the lines the real program prints (../shared/vendor/README.md).
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { openDatabase } from '../../src-main/db/open-database';
import { LocalRunFiles } from '../../src-main/training/local-files';
import { LogParser } from '../../src-main/training/log-parser';
import { RunBook } from '../../src-main/training/run-book';
import { applyLogEvents, conclude } from '../../src-main/training/run-log';
import { TrainingRepo } from '../../src-main/training/training-repo';
import { tempDir } from '../helpers/studio';

function run(lines: string) {
  const dir = tempDir('flux-run-end-');
  const book = new RunBook(new TrainingRepo(openDatabase(path.join(dir, 'studio.db'))), new LocalRunFiles(dir), () => undefined);
  book.repo.insert({ id: 'r', dataset: 'd', model: 'flux-dev', target: 'local', host_label: 'here', training_folder: '/w/r', config_json: '{}', yaml: '', total: 4 });
  book.patch('r', { state: 'running' });
  const parser = new LogParser('r');
  const messages: string[] = [];
  for (const chunk of lines.split(/(?<=\n)/)) {
    applyLogEvents(book, 'r', parser.push(chunk), 0);
    messages.push(book.require('r').message ?? '');
  }
  applyLogEvents(book, 'r', parser.flush(), 0);
  return { book, messages };
}

const BAR = (n: number) => `\rr: ${n * 25}%|██        | ${n}/4 [00:0${n}<00:01,  1.50s/it, lr: 1.0e-04 loss: 1.5e+00]`;
const TRAINED = `${BAR(1)}${BAR(2)}${BAR(3)}${BAR(4)}\n`;
const FINAL = 'Saved checkpoint to /w/r/r/r.safetensors\nSaved optimizer to /w/r/r/optimizer.pt\n';

describe('how a run ends', () => {
  test('exit 0 after the final checkpoint is completed; "saving" holds from the bar’s end until optimizer.pt', () => {
    const { book, messages } = run(`${TRAINED}Saved checkpoint to /w/r/r/r.safetensors\nSaved optimizer to /w/r/r/optimizer.pt\n\rGenerating Images:  50%|█████     | 1/2 [00:02<00:02,  2.49s/it]\n`);
    expect(messages.slice(0, 3)).toEqual(['saving the final checkpoint', 'saving the final checkpoint', 'saved checkpoint']);
    expect(messages.at(-1)).toBe('sampling 1/2');
    expect(conclude(book, 'r', 0)).toMatchObject({ state: 'completed', step: 4 });
  });

  test('exit 0 without the final checkpoint is not completed', () => {
    const { book } = run(`${TRAINED}`);
    const end = conclude(book, 'r', 0);
    expect(end.state).toBe('stopped');
    expect(end.message).toBe('ended at step 4 without the final checkpoint (r.safetensors)');
  });

  test('"Job stopped" (then one more redraw of the bar) is stopped at the last step; after the final checkpoint it is complete', () => {
    const stopped = run(`${BAR(1)}${BAR(2)}\n\n========================================\nJob stopped\n========================================\n${BAR(2)}\n`);
    expect(conclude(stopped.book, 'r', 0)).toMatchObject({ state: 'stopped', step: 2, message: 'stopped at step 2' });
    const late = run(`${TRAINED}${FINAL}\n========================================\nJob stopped\n========================================\n`);
    expect(conclude(late.book, 'r', 0).state).toBe('completed');
  });

  test('an intermediate save holds "saving" until its optimizer.pt; an error fails with ai-toolkit’s message', () => {
    const { book, messages } = run(`${BAR(1)}${BAR(2)}\nSaving at step 2\nSaved checkpoint to /w/r/r/r_000000002.safetensors\nSaved optimizer to /w/r/r/optimizer.pt\n${BAR(3)}\nError running job: boom\n`);
    expect(messages.slice(0, 4)).toEqual(['training', 'saving at step 2', 'saving at step 2', 'saved checkpoint']);
    expect(conclude(book, 'r', 1)).toMatchObject({ state: 'failed', error_code: 'training_error', error_message: 'ai-toolkit failed at step 3: boom' });
  });
});
