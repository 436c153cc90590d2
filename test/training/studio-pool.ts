// Training studios a test file opens, closed after each test (apart from helpers.ts: the
// bench bundles helpers.ts, and vitest cannot be imported outside a test run).
import { afterEach } from 'vitest';
import type { Studio } from '../../src-main/studio';
import { trainingStudio } from './helpers';

/** Training studios a test opens, closed after each test; `forget(s)` one the test closed itself. */
export function studioPool(): { open(dataDir: string): Promise<Studio>; forget(s: Studio): void } {
  const open: Studio[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
  });
  return {
    async open(dataDir) {
      const s = await trainingStudio(dataDir);
      open.push(s);
      return s;
    },
    forget(s) {
      const i = open.indexOf(s);
      if (i >= 0) open.splice(i, 1);
    },
  };
}
