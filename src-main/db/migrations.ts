// Numbered, append-only schema migrations. Never edit a shipped migration: add the next
// number. Each runs in its own transaction together with its schema_version row, so a
// crash mid-upgrade leaves the database at the previous version, never half-migrated.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'settings',
    up(db) {
      db.exec(`
        CREATE TABLE settings (
          key        TEXT PRIMARY KEY,
          value_json TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'jobs',
    up(db) {
      db.exec(`
        CREATE TABLE jobs (
          id          TEXT PRIMARY KEY,
          kind        TEXT NOT NULL,
          lane        TEXT NOT NULL,
          title       TEXT NOT NULL,
          state       TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled','interrupted')),
          params_json TEXT NOT NULL,
          progress_json TEXT,
          result_json TEXT,
          error_json  TEXT,
          host        TEXT,
          remote_ref_json TEXT,
          created_at  TEXT NOT NULL,
          started_at  TEXT,
          finished_at TEXT,
          updated_at  TEXT NOT NULL,
          seq         INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX jobs_state ON jobs(state);
        CREATE INDEX jobs_seq ON jobs(seq DESC);
      `);
    },
  },
  {
    version: 3,
    name: 'prompt templates',
    up(db) {
      db.exec(`
        CREATE TABLE prompt_templates (
          id         TEXT PRIMARY KEY,
          name       TEXT NOT NULL,
          text       TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX prompt_templates_name ON prompt_templates(name COLLATE NOCASE);
      `);
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
