// `flux-studio train queue | reorder | cancel` over a data folder where one run trains
// (detached, reclaimed by each CLI studio) and others wait their turn on the same target.
import { afterAll, describe, expect, test } from 'vitest';
import type { TrainingRun } from '@shared/contract/training';
import { buildProgram } from '../../../src-main/cli/main';
import { runCliInProcess } from '../../helpers/cli';
import { ENDED, newDataDir, planAndStart, trainingStudio, waitRun } from '../../training/helpers';

const cli = runCliInProcess;

const dataDir = newDataDir('faces', 3);

afterAll(async () => {
  // Stop the run that kept going between the commands.
  const studio = await trainingStudio(dataDir);
  try {
    if (studio.training.list().some((r) => r.id === 'cli_long' && !ENDED(r))) {
      studio.training.stop('cli_long');
      await waitRun(studio, 'cli_long', ENDED);
    }
  } finally {
    await studio.close();
  }
});

describe('train queue, reorder and cancel', () => {
  test('list the queue in order, move a run to the front, take one out', async () => {
    const studio = await trainingStudio(dataDir);
    await planAndStart(studio, { name: 'cli_long', steps: 2000, saveEvery: 1000, sampleEvery: 1000, stepSeconds: 0.2 });
    for (const name of ['cli_b', 'cli_c', 'cli_d']) await planAndStart(studio, { name, steps: 2, saveEvery: 100, sampleEvery: 100, stepSeconds: 0.05 });
    await waitRun(studio, 'cli_long', (r) => r.step >= 1);
    await studio.close();

    const queue = JSON.parse(await cli(['train', 'queue', '--data-dir', dataDir, '--json'])) as TrainingRun[];
    expect(queue.map((r) => [r.id, r.state, r.queuePosition])).toEqual([
      ['cli_long', 'running', null],
      ['cli_b', 'queued', 1],
      ['cli_c', 'queued', 2],
      ['cli_d', 'queued', 3],
    ]);
    const human = await cli(['train', 'queue', '--data-dir', dataDir]);
    expect(human.split('\n')[0]).toBe('local:');
    expect(human).toMatch(/cli_c\s+queued #2/);

    const moved = JSON.parse(await cli(['train', 'reorder', 'cli_d', '--first', '--data-dir', dataDir, '--json'])) as TrainingRun[];
    expect(moved.map((r) => r.id)).toEqual(['cli_d', 'cli_b', 'cli_c']);
    const down = JSON.parse(await cli(['train', 'reorder', 'cli_d', '--to', '2', '--data-dir', dataDir, '--json'])) as TrainingRun[];
    expect(down.map((r) => r.id)).toEqual(['cli_b', 'cli_d', 'cli_c']);

    const cancelled = JSON.parse(await cli(['train', 'cancel', 'cli_b', '--data-dir', dataDir, '--json'])) as TrainingRun;
    expect(cancelled).toMatchObject({ id: 'cli_b', state: 'stopped', startedAt: null });
    const after = JSON.parse(await cli(['train', 'queue', '--data-dir', dataDir, '--json'])) as TrainingRun[];
    expect(after.map((r) => [r.id, r.queuePosition])).toEqual([
      ['cli_long', null],
      ['cli_d', 1],
      ['cli_c', 2],
    ]);
    // A running run is not cancelled from the queue (that is train stop).
    await expect(cli(['train', 'cancel', 'cli_long', '--data-dir', dataDir])).rejects.toThrow(/not queued \(stop it with: flux-studio train stop\)/);
    // --help documents the queue commands.
    const help = buildProgram().commands.find((c) => c.name() === 'train')?.helpInformation() ?? '';
    for (const cmd of ['queue', 'reorder', 'cancel']) expect(help).toContain(cmd);
  });
});
