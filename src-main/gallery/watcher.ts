// Watches gallery sources for changes: fs.watch (recursive; Node 20+ on Linux, macOS,
// Windows), debounced, handing the changed file names to the gallery; where recursive
// watching is unavailable it falls back to polling with a periodic rescan.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logging/logger';

export interface WatchHandle {
  readonly mode: 'fs.watch' | 'poll';
  close(): void;
}

export interface WatchOptions {
  debounceMs?: number;
  pollMs?: number;
}

/**
 * Calls `onChange(files)` with the absolute paths that changed (null: "something changed,
 * rescan the folder") at most once per debounce window.
 */
export function watchFolder(folder: string, onChange: (files: string[] | null) => void, log: Logger, opts: WatchOptions = {}): WatchHandle {
  const debounceMs = opts.debounceMs ?? 400;
  let timer: NodeJS.Timeout | null = null;
  let pending = new Set<string>();
  let full = false;
  let closed = false;
  const fire = () => {
    timer = null;
    if (closed) return;
    const files = full ? null : [...pending];
    pending = new Set();
    full = false;
    try {
      onChange(files);
    } catch (err) {
      log.warn(`watch handler failed for ${folder}`, err);
    }
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };
  try {
    const watcher = fs.watch(folder, { recursive: true, persistent: false }, (_event, name) => {
      if (name === null || name === undefined) full = true;
      else pending.add(path.join(folder, name.toString()));
      schedule();
    });
    watcher.on('error', (err) => {
      log.warn(`watching ${folder} stopped: ${err.message}`);
    });
    return {
      mode: 'fs.watch',
      close() {
        closed = true;
        if (timer) clearTimeout(timer);
        watcher.close();
      },
    };
  } catch (err) {
    log.info(`cannot watch ${folder} (${(err as Error).message}); polling instead`);
    const interval = setInterval(() => {
      full = true;
      fire();
    }, opts.pollMs ?? 30_000);
    interval.unref();
    return {
      mode: 'poll',
      close() {
        closed = true;
        if (timer) clearTimeout(timer);
        clearInterval(interval);
      },
    };
  }
}
