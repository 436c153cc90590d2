// The log parser on ai-toolkit's own output (excerpts of what the real program prints),
// fed as a follower sees it: \r redraws, lines split across reads, UTF-8 split mid-character.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkpointStep, etaSeconds, LogParser, parseLine, sampleInfo, type LogEvent } from '../../src-main/training/log-parser';

const BAR = 'my_flux_lora:  66%|██████▌   | 66/100 [02:20<01:16, 2.24s/it, lr: 1.0e-04 loss: 4.132e-01]';

// A session as ai-toolkit writes it to `train.log` (stdout + stderr, tqdm redraws with \r).
const SESSION = [
  'Running 1 job\r\n',
  '  -  Preprocessing image dimensions\n',
  '  -  Found 24 images\n',
  '3 buckets made\n',
  'Caching latents to disk\n',
  '\rCaching latents to disk:  50%|█████     | 12/24 [00:03<00:03, 3.91it/s]',
  '\rCaching latents to disk: 100%|██████████| 24/24 [00:06<00:00, 3.95it/s]\n',
  'Generating baseline samples before training\n',
  '\rGenerating Images:  50%|█████     | 1/2 [00:09<00:09, 9.80s/it]',
  '\rmy_flux_lora:   0%|          | 0/100 [00:00<?, ?it/s]',
  '\rmy_flux_lora:   1%|          | 1/100 [00:02<03:41, 2.24s/it, lr: 1.0e-04 loss: 5.021e-01]',
  '\rmy_flux_lora:   2%|▏         | 2/100 [00:04<03:39, 2.24s/it, lr: 1.0e-04 loss: 4.988e-01]',
  '\n# OOM during training step, skipping batch 1/3 #\n',
  '\rmy_flux_lora:  50%|█████     | 50/100 [01:52<01:52, 2.24s/it, lr: 1.0e-04 loss: 4.132e-01]\n',
  'Saving at step 50\n',
  'Saved checkpoint to /workspace/trainings/my_flux_lora/my_flux_lora/my_flux_lora_000000050.safetensors\n',
  'Removing old save: /workspace/trainings/my_flux_lora/my_flux_lora/my_flux_lora_000000025.safetensors\n',
  '\rmy_flux_lora: 100%|██████████| 100/100 [03:44<00:00, 2.24s/it, lr: 1.0e-04 loss: 3.9e-01]\n',
  'Result:\n',
  ' - 1 completed job\n',
].join('');

function interesting(events: LogEvent[]): LogEvent[] {
  return events.filter((e) => e.type !== 'line');
}

function feedInPieces(text: string, cuts: number[], name = 'my_flux_lora'): LogEvent[] {
  const bytes = Buffer.from(text, 'utf8');
  const parser = new LogParser(name);
  const out: LogEvent[] = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(...parser.push(bytes.subarray(at, c)));
    at = c;
  }
  out.push(...parser.push(bytes.subarray(at)), ...parser.flush());
  return interesting(out);
}

describe('ai-toolkit log parser', () => {
  test('the reference example bar', () => {
    expect(parseLine(BAR, 'my_flux_lora')).toEqual([{ type: 'progress', step: 66, total: 100, secondsPerStep: 2.24, lr: 1e-4, loss: 0.4132 }]);
  });

  test('only the job’s own bar is progress; it/s is converted; the first redraw (?it/s) is not progress', () => {
    expect(parseLine('Caching latents to disk:  50%|█████     | 2/4 [00:09<00:09, 9.80s/it]', 'my_flux_lora')).toEqual([]);
    expect(parseLine('my_flux_lora:   0%|          | 0/100 [00:00<?, ?it/s]', 'my_flux_lora').filter((e) => e.type === 'progress')).toEqual([]);
    const fast = parseLine('my_flux_lora:  10%|█         | 10/100 [00:02<00:18, 4.00it/s, lr: 2.0e-04 loss: 1.5e-01]', 'my_flux_lora');
    expect(fast[0]).toMatchObject({ step: 10, secondsPerStep: 0.25, lr: 2e-4, loss: 0.15 });
    // Names may contain ':' (the regex is lazy up to ":\s+NN%|").
    expect(parseLine('run:v2:   5%|▌         | 5/100 [00:10<03:10, 2.00s/it, lr: 1.0e-04 loss: 4.0e-01]', 'run:v2')[0]).toMatchObject({ type: 'progress', step: 5 });
    // Windows' ASCII bar.
    expect(parseLine('my_flux_lora:  66%|######5   | 66/100 [02:20<01:16, 2.24s/it, lr: 1.0e-04 loss: 4.132e-01]', 'my_flux_lora')[0]).toMatchObject({ step: 66 });
  });

  test('the event lines of §6', () => {
    const ev = (l: string) => interesting(parseLine(l, 'x'));
    expect(ev('  -  Found 24 images')).toEqual([{ type: 'images', count: 24 }]);
    expect(ev('#### IMPORTANT RESUMING FROM /w/x/x_000000250.safetensors ####')).toEqual([{ type: 'resuming', path: '/w/x/x_000000250.safetensors' }]);
    expect(ev('Found step 250 in metadata, starting from there')).toEqual([{ type: 'resumed', step: 250 }]);
    expect(ev('Saving at step 250')).toEqual([{ type: 'saving', step: 250 }]);
    expect(ev('Saved checkpoint to /w/x/x_000000250.safetensors')).toEqual([{ type: 'saved', path: '/w/x/x_000000250.safetensors' }]);
    expect(ev('# OOM during training step, skipping batch 2/3 #')).toEqual([{ type: 'oom', count: 2 }]);
    expect(ev('Job stopped')).toEqual([{ type: 'stopped' }]);
    expect(ev('Error running job: CUDA out of memory.')).toEqual([{ type: 'error', message: 'CUDA out of memory.' }]);
    // ai-toolkit prints no result line on success; the final checkpoint decides (run-log.ts).
    expect(ev(' - 1 completed job')).toEqual([]);
    expect(ev('Saved optimizer to /w/x/optimizer.pt')).toEqual([{ type: 'optimizerSaved' }]);
    expect(ev('Generating Images:  50%|█████     | 1/2 [00:02<00:02,  2.49s/it]\x1b[A')).toEqual([{ type: 'sampling', done: 1, total: 2 }]);
    // A line printed after an unterminated bar lands on the bar's line.
    expect(interesting(parseLine('x:  12%|█▏        | 12/100 [00:24<02:56, 2.00s/it, lr: 1.0e-04 loss: 4.0e-01]Job stopped', 'x')).map((e) => e.type)).toEqual(['progress', 'stopped']);
  });

  test('a whole session in one read', () => {
    const events = feedInPieces(SESSION, []);
    expect(events.map((e) => (e.type === 'progress' ? `p${e.step}` : e.type))).toEqual([
      'images', 'sampling', 'sampling', 'p1', 'p2', 'oom', 'p50', 'saving', 'saved', 'removed', 'p100',
    ]);
    const last = events.filter((e) => e.type === 'progress').pop();
    expect(last).toMatchObject({ step: 100, total: 100, loss: 0.39 });
  });

  test('any split into reads (mid-line, mid-\\r\\n, mid-UTF-8 character) gives the same events', () => {
    const whole = feedInPieces(SESSION, []);
    const len = Buffer.byteLength(SESSION);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: len - 1 }), { maxLength: 40 }), (cuts) => {
        expect(feedInPieces(SESSION, [...new Set(cuts)])).toEqual(whole);
      }),
      { numRuns: 300 },
    );
    // Byte by byte, too.
    expect(feedInPieces(SESSION, Array.from({ length: len - 1 }, (_, i) => i + 1))).toEqual(whole);
  });

  test('an unterminated bar is reported once it looks complete, and not again when its \\r arrives', () => {
    const p = new LogParser('my_flux_lora');
    expect(p.push('\rmy_flux_lora:   1%|          | 1/100 [00:02<03:41, 2.24s/it, lr: 1.0e-04 loss: 5.0')).toEqual([]);
    expect(p.push('21e-01]').map((e) => e.type)).toEqual(['progress']);
    expect(p.push('\r').filter((e) => e.type === 'progress')).toEqual([]);
  });

  test('the real program’s log (ai-toolkit 27a03a9, tiny FLUX, 5 steps, save and sample at 3, on the CPU)', () => {
    const log = fs.readFileSync(path.join(__dirname, 'fixtures', 'ai-toolkit-27a03a9-5-steps.log'));
    const events = feedInPieces(log.toString('utf8'), [], 'real1');
    const kinds = events.map((e) => (e.type === 'progress' ? `p${e.step}` : e.type === 'sampling' ? `s${e.done ?? ''}/${e.total ?? ''}` : e.type));
    // "Found 4 images" is printed once per resolution (3): reported once. Sampling i/n from the nested bar.
    expect(kinds.filter((k) => k === 'images')).toHaveLength(1);
    expect(kinds).toEqual(['images', 's/', 's0/2', 's1/2', 's2/2', 'p1', 'p1', 'p2', 'p2', 'p3', 'p3', 'saving', 'saved', 'optimizerSaved', 's0/2', 's1/2', 's2/2', 'p4', 'p5', 'saved', 'optimizerSaved', 's0/2', 's1/2', 's2/2']);
    // The bar is redrawn twice per step; the loss beside count k is the one ai-toolkit logs for step k − 1 (loss-log.ts).
    expect(events.filter((e) => e.type === 'progress').map((e) => (e.type === 'progress' ? e.loss : null))).toEqual([1.577, 1.557, 1.557, 1.552, 1.552, 1.558, 1.585, 1.585]);
    const saved = events.filter((e) => e.type === 'saved').map((e) => (e.type === 'saved' ? path.basename(e.path) : ''));
    expect(saved).toEqual(['real1_000000003.safetensors', 'real1.safetensors']);
  });

  test('file names and ETA', () => {
    expect(checkpointStep('my_lora_000000250.safetensors', 'my_lora')).toBe(250);
    expect(checkpointStep('my_lora.safetensors', 'my_lora')).toBeNull();
    expect(checkpointStep('other_000000250.safetensors', 'my_lora')).toBeUndefined();
    expect(checkpointStep('optimizer.pt', 'my_lora')).toBeUndefined();
    expect(sampleInfo('1724431953477__000000250_1.jpg')).toEqual({ step: 250, prompt: 1 });
    expect(sampleInfo('config.yaml')).toBeNull();
    expect(etaSeconds(66, 100, 2.24)).toBe(76);
    expect(etaSeconds(66, 100, null)).toBeNull();
  });
});
