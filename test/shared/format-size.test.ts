// The one size format the UI and the CLI share.
import { describe, expect, test } from 'vitest';
import { formatSize } from '../../src-shared/format-size';

describe('formatSize', () => {
  test.each([
    [null, '—'],
    [0, '1 KB'],
    [1536, '2 KB'],
    [14 * 1024 ** 2 + 300_000, '14 MB'],
    [10_737_418, '10 MB'],
    [1024 ** 3 * 2.34, '2.3 GB'],
    [-5, '—'],
  ])('%s bytes read %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
