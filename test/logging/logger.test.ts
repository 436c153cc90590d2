import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { LogSink } from '../../src-main/logging/logger';
import { tempDir } from '../helpers/studio';

describe('logger', () => {
  test('console at info, file at debug, UI feed at info', () => {
    const dir = tempDir();
    const consoleOut: string[] = [];
    const sink = new LogSink({ file: path.join(dir, 'studio.log'), consoleLevel: 'info', fileLevel: 'debug', maxBytes: 1e6, maxFiles: 3, redactions: () => [], consoleWrite: (t) => consoleOut.push(t) });
    const feed: string[] = [];
    sink.subscribe((l) => feed.push(l.message));
    const log = sink.logger('main').child('jobs');
    log.debug('detail');
    log.info('hello');
    log.error('broke', new Error('why'));
    expect(consoleOut.join('')).not.toContain('detail');
    expect(consoleOut.join('')).toContain('[main:jobs] hello');
    const lines = fs.readFileSync(path.join(dir, 'studio.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level: string; message: string });
    expect(lines.map((l) => l.level)).toEqual(['debug', 'info', 'error']);
    expect(lines[2]?.message).toContain('Error: why');
    expect(feed).toEqual(['hello', expect.stringContaining('broke')]);
  });

  test('rotates by size and keeps a bounded number of files', () => {
    const dir = tempDir();
    const file = path.join(dir, 'studio.log');
    const sink = new LogSink({ file, consoleLevel: 'silent', fileLevel: 'debug', maxBytes: 2000, maxFiles: 3, redactions: () => [] });
    const log = sink.logger('t');
    for (let i = 0; i < 200; i++) log.debug(`line ${i} ${'x'.repeat(50)}`);
    expect(fs.readdirSync(dir).sort()).toEqual(['studio.1.log', 'studio.2.log', 'studio.log']);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(2000);
    // The newest line is in the live file, and the order across files is preserved.
    expect(fs.readFileSync(file, 'utf8')).toContain('line 199 ');
    const older = fs.readFileSync(path.join(dir, 'studio.1.log'), 'utf8');
    expect(older).not.toContain('line 199 ');
  });

  test('redacts secret values everywhere it writes', () => {
    const dir = tempDir();
    const out: string[] = [];
    const sink = new LogSink({ file: path.join(dir, 'studio.log'), consoleLevel: 'debug', fileLevel: 'debug', maxBytes: 1e6, maxFiles: 2, redactions: () => ['hf_TOPSECRET_token'], consoleWrite: (t) => out.push(t) });
    const feed: string[] = [];
    sink.subscribe((l) => feed.push(l.message));
    sink.logger('t').warn('token hf_TOPSECRET_token rejected', { token: 'hf_TOPSECRET_token' });
    for (const text of [out.join(''), feed.join(''), fs.readFileSync(path.join(dir, 'studio.log'), 'utf8')]) {
      expect(text).not.toContain('hf_TOPSECRET_token');
      expect(text).toContain('[redacted]');
    }
  });
});
