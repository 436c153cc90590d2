// Settings: defaults from configs/settings.yaml, user values stored per key in SQLite.
// Values are validated with the contract's schema on the way in and on the way out, so a
// hand-edited or stale row cannot crash the app: it is ignored (and logged) in favour of
// the default.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { Settings } from '@shared/contract';
import { StudioError } from '../core/studio-error';
import type { Db } from '../db/open-database';
import type { Logger } from '../logging/logger';

type Key = keyof Settings;
const KEYS = Object.keys(Settings.shape) as Key[];

export function loadDefaultSettings(configsDir: string, dataDir: string): Settings {
  const file = path.join(configsDir, 'settings.yaml');
  const raw: unknown = YAML.parse(fs.readFileSync(file, 'utf8'));
  const expanded = JSON.parse(
    JSON.stringify(raw, (_k, v: unknown) =>
      typeof v === 'string' ? v.replaceAll('{dataDir}', dataDir).replaceAll('{home}', os.homedir()) : v,
    ),
  ) as unknown;
  const parsed = Settings.safeParse(expanded);
  if (!parsed.success) throw new Error(`${file} is invalid: ${parsed.error.message}`);
  return { ...parsed.data, outputDir: path.resolve(parsed.data.outputDir) };
}

export class SettingsService {
  private readonly listeners = new Set<(s: Settings) => void>();

  constructor(
    private readonly db: Db,
    private readonly defaults: Settings,
    private readonly log: Logger,
  ) {}

  onChange(cb: (s: Settings) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  get(): Settings {
    const rows = this.db.prepare('SELECT key, value_json FROM settings').all() as { key: string; value_json: string }[];
    const merged: Record<string, unknown> = { ...this.defaults };
    for (const row of rows) {
      if (!(KEYS as string[]).includes(row.key)) continue;
      const field = Settings.shape[row.key as Key];
      let value: unknown;
      try {
        value = JSON.parse(row.value_json);
      } catch {
        value = undefined;
      }
      const ok = field.safeParse(value);
      if (ok.success) merged[row.key] = ok.data;
      else this.log.warn(`ignoring invalid stored setting ${row.key}; using the default`);
    }
    return Settings.parse(merged);
  }

  update(patch: Partial<Settings>): Settings {
    const next = { ...patch };
    if (next.outputDir !== undefined) next.outputDir = ensureWritableDir(next.outputDir, 'outputDir');
    const now = new Date().toISOString();
    const upsert = this.db.prepare(
      'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
    );
    this.db.transaction(() => {
      for (const key of KEYS) {
        if (next[key] !== undefined) upsert.run(key, JSON.stringify(next[key]), now);
      }
    })();
    return this.changed();
  }

  reset(keys?: readonly Key[]): Settings {
    const del = this.db.prepare('DELETE FROM settings WHERE key = ?');
    this.db.transaction(() => {
      for (const key of keys ?? KEYS) del.run(key);
    })();
    return this.changed();
  }

  private changed(): Settings {
    const settings = this.get();
    for (const cb of this.listeners) cb(settings);
    return settings;
  }
}

/** Creates the folder if needed and proves it is writable, so a bad choice fails now, not at the first image. */
export function ensureWritableDir(dir: string, field: string): string {
  const abs = path.resolve(dir);
  try {
    fs.mkdirSync(abs, { recursive: true });
    const probe = path.join(abs, `.flux-studio-write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : 'error';
    throw new StudioError('invalid_input', `${field}: cannot create or write to ${abs} (${reason})`, field);
  }
  return abs;
}
