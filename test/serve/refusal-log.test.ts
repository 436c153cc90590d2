import { describe, expect, test } from 'vitest';
import type { Logger } from '../../src-main/logging/logger';
import { RefusalLog } from '../../src-main/serve/refusal-log';

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (m: string) => void lines.push(m);
  const log = { lines, debug: at, info: at, warn: at, error: at, child: () => log };
  return log;
}

describe('refusal log (issue 17, item 5)', () => {
  test('at most N lines a minute, paths shortened and escaped, the rest counted in one line', () => {
    const log = recorder();
    let now = 1_000_000;
    const refusals = new RefusalLog(log, 5, () => now);
    for (let i = 0; i < 50; i++) refusals.refused('GET', `/x${'\u001b[31m'.repeat(3)}${'a'.repeat(10_000)}`, 401, 'no valid token');
    expect(log.lines).toHaveLength(5);
    expect(log.lines[0]).toMatch(/^refused GET "\/x\\u001b\[31m/);
    expect(log.lines[0]?.length).toBeLessThan(200);
    now += 60_000;
    refusals.refused('GET', '/y', 403, 'cross-site request');
    expect(log.lines.slice(5)).toEqual(['45 more refused requests in the last minute (not logged one by one)', 'refused GET "/y" (403): cross-site request']);
  });
});
