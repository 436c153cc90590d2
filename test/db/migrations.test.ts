import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { DatabaseTooNewError, migrate, openDatabase, schemaVersion } from '../../src-main/db/open-database';
import { LATEST_VERSION, MIGRATIONS } from '../../src-main/db/migrations';
import { tempDir } from '../helpers/studio';

function schemaOf(db: Database.Database): string[] {
  return (db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as { type: string; name: string; sql: string | null }[]).map(
    (r) => `${r.type}:${r.name}:${(r.sql ?? '').replace(/\s+/g, ' ')}`,
  );
}

describe('migrations', () => {
  test('versions are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  test('an empty database migrates to the latest version in WAL mode', () => {
    const file = path.join(tempDir(), 'studio.db');
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = db.prepare('SELECT version, name FROM schema_version ORDER BY version').all();
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    db.close();
    // Re-opening is a no-op.
    const again = openDatabase(file);
    expect(schemaVersion(again)).toBe(LATEST_VERSION);
    again.close();
  });

  // For every older version: build a DB that stopped there (with data in it), upgrade it,
  // and require the same schema as a fresh DB with the data kept.
  for (let from = 0; from < LATEST_VERSION; from++) {
    test(`upgrades from version ${from} to ${LATEST_VERSION} keeping data`, () => {
      const fresh = openDatabase(path.join(tempDir(), 'fresh.db'));
      const expected = schemaOf(fresh);
      fresh.close();

      const file = path.join(tempDir(), 'old.db');
      const old = new Database(file);
      expect(migrate(old, MIGRATIONS, from)).toBe(from);
      if (from >= 1) old.prepare(`INSERT INTO settings VALUES ('defaultRuntime', '"local"', '2026-01-01T00:00:00Z')`).run();
      if (from >= 2) {
        old.prepare(
          `INSERT INTO jobs (id, kind, lane, title, state, params_json, created_at, updated_at, seq)
           VALUES ('j1', 'maintenance.backup', 'maintenance', 't', 'succeeded', '{}', 'x', 'x', 1)`,
        ).run();
      }
      old.close();

      const upgraded = openDatabase(file);
      expect(schemaVersion(upgraded)).toBe(LATEST_VERSION);
      expect(schemaOf(upgraded)).toEqual(expected);
      if (from >= 1) expect(upgraded.prepare(`SELECT value_json FROM settings WHERE key='defaultRuntime'`).get()).toEqual({ value_json: '"local"' });
      if (from >= 2) expect(upgraded.prepare(`SELECT state FROM jobs WHERE id='j1'`).get()).toEqual({ state: 'succeeded' });
      upgraded.close();
    });
  }

  test('a failing migration leaves the database at the previous version', () => {
    const db = new Database(path.join(tempDir(), 'bad.db'));
    const broken = [...MIGRATIONS, { version: LATEST_VERSION + 1, name: 'broken', up: (d: Database.Database) => d.exec('CREATE TABLE half (x); SELECT * FROM no_such_table;') }];
    expect(() => migrate(db, broken)).toThrow(/no_such_table/);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name='half'`).get()).toBeUndefined();
    db.close();
  });

  test('a database from a newer studio is refused with a clear message', () => {
    const file = path.join(tempDir(), 'newer.db');
    const db = openDatabase(file);
    db.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(LATEST_VERSION + 5, 'future', 'x');
    db.close();
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file)).toThrow(/newer version/);
  });
});
