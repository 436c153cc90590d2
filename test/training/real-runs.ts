// Each test file that launches the real ai-toolkit says, after it ran, how many launches it
// made and how long it took (the training suites' cost is mostly these launches).
import { afterAll } from 'vitest';
import type { TrainingRun } from '@shared/contract/training';
import type { Studio } from '../../src-main/studio';

/** Counts the real ai-toolkit launches (start or resume jobs that reached "running") of studios it watches; prints the total after the file. */
export function realRunCounter(label: string): { watch(studio: Studio): void; count(): number } {
  const launches = new Set<string>();
  const started = Date.now();
  afterAll(() => {
    console.log(`[real ai-toolkit] ${label}: ${launches.size} launches of the real program in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });
  return {
    watch(studio) {
      studio.events.subscribe((name, payload) => {
        const r = payload as TrainingRun;
        if (name === 'training.updated' && r.state === 'running' && r.jobId) launches.add(`${r.id}:${r.jobId}`);
      });
    },
    count: () => launches.size,
  };
}
