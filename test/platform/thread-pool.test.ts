// libuv's threadpool is widened by the entry files' first statement, before sharp loads and
// fixes its size (src-main/platform/thread-pool.ts). The built CLI is checked in a child
// process by counting the process's threads once the pool has started: libuv starts every
// pool thread at its first use, so the counts differ by exactly the sizes' difference.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultPipelines } from '../../src-main/gallery/thumbnails/thumbnail-service';
import { STUDIO_THREAD_POOL_SIZE, THREAD_POOL_INTRO, threadPoolSize } from '../../src-main/platform/thread-pool';
import { REPO_ROOT } from '../helpers/studio';

const CLI = path.join(REPO_ROOT, 'out', 'main', 'cli.js');
const built = fs.existsSync(CLI);
const onLinux = process.platform === 'linux';

describe('thread pool size', () => {
  test('the intro widens an unset pool and keeps a size the user chose', () => {
    const run = (env: NodeJS.ProcessEnv) => new Function('process', THREAD_POOL_INTRO)({ env });
    const unset: NodeJS.ProcessEnv = {};
    run(unset);
    expect(unset.UV_THREADPOOL_SIZE).toBe(String(STUDIO_THREAD_POOL_SIZE));
    const chosen: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '3' };
    run(chosen);
    expect(chosen.UV_THREADPOOL_SIZE).toBe('3');
  });

  test('reads the size as libuv does', () => {
    expect(threadPoolSize({})).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '12' })).toBe(12);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '0' })).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'many' })).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024);
  });

  test('thumbnail pipelines: two per core, at most 8, two pool threads always left free', () => {
    expect(defaultPipelines(2, 8)).toBe(4);
    expect(defaultPipelines(2, 4)).toBe(2);
    expect(defaultPipelines(16, 8)).toBe(6);
    expect(defaultPipelines(16, 64)).toBe(8);
    expect(defaultPipelines(1, 1)).toBe(1);
    expect(defaultPipelines(0, 8)).toBe(2);
  });

  /** Threads of a Node process that has loaded the built CLI and used the pool once. */
  const threadsAfterPoolUse = (env: NodeJS.ProcessEnv): { threads: number; size: string } => {
    const script = `
      require(${JSON.stringify(CLI)});
      require('node:fs').readFile(__filename, () => {
        const n = require('node:fs').readdirSync('/proc/self/task').length;
        process.stdout.write(JSON.stringify({ threads: n, size: process.env.UV_THREADPOOL_SIZE ?? '' }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { threads: number; size: string };
  };

  test.skipIf(!built || !onLinux)('the built CLI starts libuv with the studio pool size (or the user’s), though it loads sharp', () => {
    const base = { ...process.env };
    delete base.UV_THREADPOOL_SIZE;
    const widened = threadsAfterPoolUse(base);
    const userFour = threadsAfterPoolUse({ ...base, UV_THREADPOOL_SIZE: '4' });
    expect(widened.size).toBe(String(STUDIO_THREAD_POOL_SIZE));
    expect(userFour.size).toBe('4');
    expect(widened.threads - userFour.threads).toBe(STUDIO_THREAD_POOL_SIZE - 4);
  });
});
