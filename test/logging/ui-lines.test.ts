// Issue 17, item 9: the UI's log feed (logs.recent, log.line — possibly a browser on another
// machine) gets errors' messages; the stacks, with install paths, stay in the file log.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { LogSink } from '../../src-main/logging/logger';
import { tempDir } from '../helpers/studio';

describe('log lines for the UI', () => {
  test('carry the error message without its stack; the file keeps the stack', () => {
    const file = path.join(tempDir(), 'studio.log');
    const sink = new LogSink({ file, consoleLevel: 'silent', fileLevel: 'debug', maxBytes: 1e6, maxFiles: 2, redactions: () => [] });
    const feed: string[] = [];
    sink.subscribe((l) => feed.push(l.message));
    const err = new Error('disk full');
    sink.logger('t').error('write failed', err);
    expect(feed).toEqual(['write failed: Error: disk full']);
    expect(sink.recentLines(10).map((l) => l.message)).toEqual(['write failed: Error: disk full']);
    const logged = fs.readFileSync(file, 'utf8');
    expect(logged).toContain('disk full');
    expect(logged).toContain(__filename.split(path.sep).pop());
    expect(feed.join('')).not.toContain(' at ');
  });
});
