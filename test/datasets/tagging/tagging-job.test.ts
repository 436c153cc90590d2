// The tagging job through the contract (real studio: SQLite, jobs, files) with the tiny
// tagger model: modes, per-image results, undo of one image or all, conflicts with edits
// made after the run, pause/resume and cancel.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { CallName, Envelope, Job } from '@shared/contract';
import type { TaggingResults, TaggingRun } from '@shared/contract/tagging';
import { readCaption, writeCaption } from '../../../src-main/datasets/captions';
import type { Studio } from '../../../src-main/studio';
import { makeStudio, tempDir } from '../../helpers/studio';
import { solid, tinyTaggerDir, TINY_TAGGER_TIMEOUT_MS } from './tiny-tagger';

let taggerDir: string;
let studio: Studio;
let dir: string;

async function ok<T>(name: CallName, payload: unknown): Promise<T> {
  const env = (await studio.dispatch(name, payload)) as Envelope<T>;
  if (!env.ok) throw new Error(`${name}: ${env.error.code}: ${env.error.message}`);
  return env.data;
}

async function fails(name: CallName, payload: unknown): Promise<{ code: string; message: string }> {
  const env = (await studio.dispatch(name, payload)) as Envelope<unknown>;
  if (env.ok) throw new Error(`${name} should have failed`);
  return env.error;
}

async function finished(job: Job): Promise<Job> {
  await studio.jobs.whenIdle();
  return ok<Job>('jobs.get', { id: job.id });
}

const tagger = (extra: Record<string, unknown> = {}) => ({ kind: 'tagger', dir: taggerDir, ...extra });

beforeAll(() => {
  taggerDir = tinyTaggerDir();
}, TINY_TAGGER_TIMEOUT_MS);

beforeEach(async () => {
  studio = await makeStudio();
  dir = tempDir('flux-tag-ds-');
  await solid(path.join(dir, 'red.png'), [255, 0, 0]);
  await solid(path.join(dir, 'blue one.jpg'), [0, 0, 255], 80, 80, 'jpeg');
  await solid(path.join(dir, 'white «quote».png'), [255, 255, 255]);
  fs.mkdirSync(path.join(dir, 'sub'));
  await solid(path.join(dir, 'sub', 'cyan.webp'.replace('.webp', '.png')), [0, 255, 230]);
  writeCaption(path.join(dir, 'blue one.jpg'), 'my own caption');
  fs.writeFileSync(path.join(dir, 'white «quote».txt'), '   \n');
  studio.datasets.create({ name: 'colours', folder: dir, trigger: 'zxq' });
});

afterEach(async () => {
  await studio.close();
});

describe('tagging job with a local WD14 tagger', () => {
  test('fill: only images without a caption (or a blank one) get tags; the rest are skipped and untouched', async () => {
    const job = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'fill', source: tagger() });
    expect(job.kind).toBe('datasets.tag');
    const done = await finished(job);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');

    expect(readCaption(path.join(dir, 'red.png'))).toBe('red background, ^_^, simple background');
    expect(readCaption(path.join(dir, 'white «quote».png'))).toBe('white background, simple background');
    expect(readCaption(path.join(dir, 'sub', 'cyan.png'))).toBe('hatsune miku, green background, blue background, simple background');
    expect(readCaption(path.join(dir, 'blue one.jpg'))).toBe('my own caption');

    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(res).toMatchObject({ dataset: 'colours', mode: 'fill', source: 'tagger', sourceDetail: taggerDir });
    expect(res.counts).toEqual({ written: 3, unchanged: 0, skipped: 1, failed: 0, undone: 0, pending: 0 });
    const byFile = Object.fromEntries(res.items.map((i) => [i.file, i]));
    expect(byFile['blue one.jpg']).toMatchObject({ status: 'skipped', before: 'my own caption', after: null });
    expect(byFile['red.png']).toMatchObject({ status: 'written', before: null, after: 'red background, ^_^, simple background' });
    expect(byFile['white «quote».png']).toMatchObject({ status: 'written', before: '   \n' });
    expect(byFile['sub/cyan.png']).toMatchObject({ status: 'written' });
    // The job row carries the same results.
    expect((done.result as TaggingResults).counts.written).toBe(3);
    expect(done.progress).toMatchObject({ step: 3, total: 3 });
  });

  test('a v2 tagger (batch fixed at 1) captions the same, one image per run', async () => {
    const job = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'overwrite', source: tagger({ dir: path.join(taggerDir, 'v2') }) });
    expect((await finished(job)).state).toBe('succeeded');
    expect(readCaption(path.join(dir, 'red.png'))).toBe('red background, ^_^, simple background');
    expect(readCaption(path.join(dir, 'blue one.jpg'))).toBe('blue background, simple background');
    expect((await ok<TaggingResults>('tagging.results', { jobId: job.id })).counts.written).toBe(4);
  });

  test('overwrite with thresholds, rating, underscores kept and a blacklist', async () => {
    const job = await ok<Job>('tagging.start', {
      dataset: 'colours',
      mode: 'overwrite',
      files: ['red.png', 'blue one.jpg'],
      source: tagger({ generalThreshold: 0.25, characterThreshold: 0.7, includeRating: true, underscoresToSpaces: false, blacklist: ['simple background'] }),
    });
    expect((await finished(job)).state).toBe('succeeded');
    // red: general tags ≥ 0.25 (looking_at_viewer 0.27 now in), kagamine_rin 0.73 ≥ 0.7, rating "sensitive" (0.95).
    expect(readCaption(path.join(dir, 'red.png'))).toBe('red_background, ^_^, sensitive, kagamine_rin, looking_at_viewer');
    expect(readCaption(path.join(dir, 'blue one.jpg'))).toBe('blue_background, kagamine_rin, general, looking_at_viewer') // kagamine_rin and the rating tie at 0.73: found order;
    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(res.items.map((i) => i.file)).toEqual(['blue one.jpg', 'red.png']);
    expect(res.items.find((i) => i.file === 'blue one.jpg')).toMatchObject({ before: 'my own caption', status: 'written' });
  });

  test('append adds only the tags a caption lacks; a second identical run is "unchanged"', async () => {
    writeCaption(path.join(dir, 'red.png'), 'zxq, simple background');
    const first = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'append', files: ['red.png', 'blue one.jpg'], source: tagger() });
    expect((await finished(first)).state).toBe('succeeded');
    expect(readCaption(path.join(dir, 'red.png'))).toBe('zxq, simple background, red background, ^_^');
    expect(readCaption(path.join(dir, 'blue one.jpg'))).toBe('my own caption, blue background, simple background');

    const second = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'append', files: ['red.png'], source: tagger() });
    await finished(second);
    const res = await ok<TaggingResults>('tagging.results', { jobId: second.id });
    expect(res.items).toEqual([
      expect.objectContaining({ file: 'red.png', status: 'unchanged', after: null, generated: 'red background, ^_^, simple background' }),
    ]);
  });

  test('undo one image, then all; a caption edited since the run is left alone unless forced', async () => {
    const job = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'overwrite', source: tagger() });
    await finished(job);
    const red = path.join(dir, 'red.png');
    const blue = path.join(dir, 'blue one.jpg');
    const white = path.join(dir, 'white «quote».png');

    const one = await ok<{ undone: number; conflicts: unknown[]; results: TaggingResults }>('tagging.undo', { jobId: job.id, file: 'blue one.jpg' });
    expect(one.undone).toBe(1);
    expect(readCaption(blue)).toBe('my own caption');
    expect(one.results.items.find((i) => i.file === 'blue one.jpg')?.status).toBe('undone');
    expect((await fails('tagging.undo', { jobId: job.id, file: 'blue one.jpg' })).message).toMatch(/nothing to undo \(undone\)/);

    writeCaption(white, 'edited by hand');
    const all = await ok<{ undone: number; conflicts: Array<{ file: string }>; results: TaggingResults }>('tagging.undo', { jobId: job.id });
    expect(all.undone).toBe(2); // red + cyan
    expect(all.conflicts.map((c) => c.file)).toEqual(['white «quote».png']);
    expect(fs.existsSync(path.join(dir, 'red.txt'))).toBe(false); // it had no caption before: the file is gone again
    expect(readCaption(red)).toBeNull();
    expect(readCaption(white)).toBe('edited by hand');

    const forced = await ok<{ undone: number }>('tagging.undo', { jobId: job.id, file: 'white «quote».png', force: true });
    expect(forced.undone).toBe(1);
    expect(readCaption(white)).toBe('   \n');
    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(res.counts).toMatchObject({ written: 0, undone: 4 });
  });

  test('earlier runs stay listed (newest first) and undoable after the jobs list is cleared', async () => {
    const first = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'fill', source: tagger() });
    await finished(first);
    const second = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'overwrite', files: ['red.png'], source: tagger({ generalThreshold: 0.9 }) });
    await finished(second);
    let runs = await ok<TaggingRun[]>('tagging.runs', { dataset: 'colours' });
    expect(runs.map((r) => [r.jobId, r.mode, r.state, r.counts.written])).toEqual([
      [second.id, 'overwrite', 'succeeded', 1],
      [first.id, 'fill', 'succeeded', 3],
    ]);
    expect(readCaption(path.join(dir, 'red.png'))).toBe('red background, ^_^');
    await ok('jobs.clearFinished', {});
    runs = await ok<TaggingRun[]>('tagging.runs', { dataset: 'colours', limit: 1 });
    expect(runs).toEqual([expect.objectContaining({ jobId: second.id, state: null, source: 'tagger', sourceDetail: taggerDir })]);
    expect((await ok<{ undone: number }>('tagging.undo', { jobId: second.id })).undone).toBe(1);
    expect(readCaption(path.join(dir, 'red.png'))).toBe('red background, ^_^, simple background');
    expect(await ok('tagging.runs', { dataset: 'other' })).toEqual([]);
  });

  test('an unreadable image fails alone; the rest of the batch is captioned', async () => {
    fs.writeFileSync(path.join(dir, 'broken.png'), 'not a png at all');
    const job = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'overwrite', source: tagger() });
    expect((await finished(job)).state).toBe('succeeded');
    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(res.counts).toMatchObject({ written: 4, failed: 1 });
    expect(res.items.find((i) => i.file === 'broken.png')).toMatchObject({ status: 'failed', error: expect.stringMatching(/could not read the image/) });
    expect(readCaption(path.join(dir, 'broken.png'))).toBeNull();
  });

  test('bad requests are refused with what to do, nothing queued', async () => {
    const noModel = tempDir('flux-tag-empty-');
    expect((await fails('tagging.start', { dataset: 'colours', source: tagger({ dir: noModel }) })).message).toMatch(/has no model\.onnx/);
    expect((await fails('tagging.start', { dataset: 'nope', source: tagger() })).code).toBe('not_found');
    expect((await fails('tagging.start', { dataset: 'colours', files: ['../etc/passwd'], source: tagger() })).code).toBe('invalid_input');
    expect((await fails('tagging.start', { dataset: 'colours', files: ['missing.png'], source: tagger() })).message).toMatch(/missing\.png not in dataset/);
    expect((await fails('tagging.start', { dataset: 'colours', source: tagger({ generalThreshold: 2 }) })).code).toBe('invalid_input');
    expect((await fails('tagging.start', { dataset: 'colours', source: { kind: 'claude' } })).message).toMatch(/No Anthropic API key/);
    expect(studio.jobs.list({ limit: 10 })).toHaveLength(0);
  });

  test('pause holds the job between batches, resume finishes it; cancel keeps what was written and undo still works', async () => {
    // 20 images: three batches of at most 8.
    for (let i = 0; i < 17; i++) await solid(path.join(dir, `extra-${String(i).padStart(2, '0')}.png`), [255, 0, 0], 16, 16);
    const job = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'overwrite', source: tagger() });
    // Paused before it even starts its first batch: the gate exists once the job runs.
    await new Promise<void>((resolve) => {
      const off = studio.events.subscribe((name, payload) => {
        if (name === 'job.progress' && (payload as { jobId: string }).jobId === job.id) {
          off();
          resolve();
        }
      });
    });
    expect(await ok('tagging.pause', { jobId: job.id })).toEqual({ paused: true });
    const paused = await new Promise<string>((resolve) => {
      const off = studio.events.subscribe((name, payload) => {
        const p = payload as { jobId: string; progress: { message: string | null } };
        if (name === 'job.progress' && p.jobId === job.id && p.progress.message?.startsWith('paused')) {
          off();
          resolve(p.progress.message);
        }
      });
    });
    expect(paused).toMatch(/^paused at \d+ \/ 21$/);
    expect((await ok<Job>('jobs.get', { id: job.id })).state).toBe('running');
    expect((await fails('tagging.undo', { jobId: job.id })).code).toBe('conflict');
    const midway = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(midway.counts.pending).toBeGreaterThan(0);

    await ok('jobs.cancel', { id: job.id });
    const done = await finished(job);
    expect(done.state).toBe('cancelled');
    const res = await ok<TaggingResults>('tagging.results', { jobId: job.id });
    expect(res.counts.pending).toBe(midway.counts.pending);
    const undone = await ok<{ undone: number }>('tagging.undo', { jobId: job.id });
    expect(undone.undone).toBe(res.counts.written);
    expect(readCaption(path.join(dir, 'blue one.jpg'))).toBe('my own caption');

    // And a run that is resumed finishes.
    const again = await ok<Job>('tagging.start', { dataset: 'colours', mode: 'fill', source: tagger() });
    await new Promise<void>((resolve) => {
      const off = studio.events.subscribe((name, payload) => {
        if (name === 'job.progress' && (payload as { jobId: string }).jobId === again.id) {
          off();
          resolve();
        }
      });
    });
    await ok('tagging.pause', { jobId: again.id });
    expect(await ok('tagging.resume', { jobId: again.id })).toEqual({ paused: false });
    expect((await finished(again)).state).toBe('succeeded');
    expect((await ok<TaggingResults>('tagging.results', { jobId: again.id })).counts.pending).toBe(0);
  });
});
