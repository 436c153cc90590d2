// Numbered, append-only schema migrations. Never edit a shipped migration: add the next
// number. Each runs in its own transaction together with its schema_version row, so a
// crash mid-upgrade leaves the database at the previous version, never half-migrated.
import { randomUUID } from 'node:crypto';
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
  {
    version: 4,
    name: 'gallery index',
    up(db) {
      db.exec(`
        CREATE TABLE gallery_sources (
          id           TEXT PRIMARY KEY,
          path         TEXT NOT NULL UNIQUE,
          kind         TEXT NOT NULL CHECK (kind IN ('output','folder')),
          created_at   TEXT NOT NULL,
          last_scan_at TEXT
        ) STRICT;
        CREATE TABLE images (
          id              INTEGER PRIMARY KEY,
          source_id       TEXT NOT NULL REFERENCES gallery_sources(id) ON DELETE CASCADE,
          path            TEXT NOT NULL UNIQUE,
          rel_path        TEXT NOT NULL,
          file_name       TEXT NOT NULL,
          format          TEXT,
          size_bytes      INTEGER NOT NULL,
          mtime_ms        REAL NOT NULL,
          width           INTEGER,
          height          INTEGER,
          content_hash    TEXT NOT NULL,
          created_at      TEXT NOT NULL,
          indexed_at      TEXT NOT NULL,
          favourite       INTEGER NOT NULL DEFAULT 0,
          broken_reason   TEXT,
          thumb_small     TEXT,
          thumb_large     TEXT,
          params_json     TEXT NOT NULL,
          prompt          TEXT,
          negative_prompt TEXT,
          enhanced_from   TEXT,
          model           TEXT,
          runtime         TEXT,
          seed            INTEGER,
          tags_text       TEXT NOT NULL DEFAULT ''
        ) STRICT;
        -- Newest/oldest pages and their counts, filtered in the index without touching rows.
        CREATE INDEX images_created ON images(created_at, id, model, runtime, favourite, width, height, source_id);
        CREATE INDEX images_source ON images(source_id, rel_path);
        CREATE INDEX images_hash ON images(content_hash);
        CREATE INDEX images_model ON images(model, created_at, runtime);
        CREATE INDEX images_runtime ON images(runtime, created_at, model);
        CREATE INDEX images_favourite ON images(favourite, created_at);
        CREATE INDEX images_size ON images(size_bytes, id);
        CREATE INDEX images_name ON images(file_name, id);
        CREATE INDEX images_width ON images(width, height);
        CREATE TABLE image_tags (
          image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
          tag      TEXT NOT NULL,
          PRIMARY KEY (image_id, tag)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX image_tags_tag ON image_tags(tag, image_id);
        -- Deleted images waiting for undo (this session): the row and its tags, out of the index.
        CREATE TABLE images_trash (
          token     TEXT NOT NULL,
          image_id  INTEGER NOT NULL,
          row_json  TEXT NOT NULL,
          tags_json TEXT NOT NULL,
          PRIMARY KEY (token, image_id)
        ) STRICT;
        CREATE VIRTUAL TABLE images_fts USING fts5(
          prompt, negative_prompt, enhanced_from, tags_text,
          content='images', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3'
        );
        CREATE TRIGGER images_fts_ai AFTER INSERT ON images BEGIN
          INSERT INTO images_fts(rowid, prompt, negative_prompt, enhanced_from, tags_text)
          VALUES (new.id, new.prompt, new.negative_prompt, new.enhanced_from, new.tags_text);
        END;
        CREATE TRIGGER images_fts_ad AFTER DELETE ON images BEGIN
          INSERT INTO images_fts(images_fts, rowid, prompt, negative_prompt, enhanced_from, tags_text)
          VALUES ('delete', old.id, old.prompt, old.negative_prompt, old.enhanced_from, old.tags_text);
        END;
        CREATE TRIGGER images_fts_au AFTER UPDATE OF prompt, negative_prompt, enhanced_from, tags_text ON images BEGIN
          INSERT INTO images_fts(images_fts, rowid, prompt, negative_prompt, enhanced_from, tags_text)
          VALUES ('delete', old.id, old.prompt, old.negative_prompt, old.enhanced_from, old.tags_text);
          INSERT INTO images_fts(rowid, prompt, negative_prompt, enhanced_from, tags_text)
          VALUES (new.id, new.prompt, new.negative_prompt, new.enhanced_from, new.tags_text);
        END;
      `);
    },
  },
  {
    version: 5,
    name: 'pods',
    up(db) {
      db.exec(`
        CREATE TABLE pods (
          id                 TEXT PRIMARY KEY,
          name               TEXT NOT NULL,
          host               TEXT NOT NULL,
          port               INTEGER NOT NULL,
          user               TEXT NOT NULL,
          key_path           TEXT,
          connect_timeout_s  INTEGER NOT NULL,
          workspace          TEXT NOT NULL,
          python             TEXT,
          pipeline           TEXT NOT NULL,
          model_paths_json   TEXT NOT NULL,
          host_key_fp        TEXT,
          host_key_type      TEXT,
          host_key_pinned_at TEXT,
          created_at         TEXT NOT NULL,
          updated_at         TEXT NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX pods_name ON pods(name COLLATE NOCASE);
      `);
    },
  },
  {
    version: 6,
    name: 'training runs',
    up(db) {
      db.exec(`
        CREATE TABLE training_runs (
          id                   TEXT PRIMARY KEY,
          dataset              TEXT NOT NULL,
          model                TEXT NOT NULL,
          target               TEXT NOT NULL,
          host_label           TEXT NOT NULL,
          training_folder      TEXT NOT NULL,
          config_json          TEXT NOT NULL,
          yaml                 TEXT NOT NULL,
          state                TEXT NOT NULL CHECK (state IN ('preparing','running','stopping','completed','stopped','failed','lost')),
          step                 INTEGER NOT NULL DEFAULT 0,
          total                INTEGER NOT NULL DEFAULT 0,
          loss                 REAL,
          lr                   REAL,
          seconds_per_step     REAL,
          message              TEXT,
          pid                  INTEGER,
          log_offset           INTEGER NOT NULL DEFAULT 0,
          outcome              TEXT,
          oom_count            INTEGER NOT NULL DEFAULT 0,
          stop_requested       INTEGER NOT NULL DEFAULT 0,
          expected_resume_step INTEGER,
          resumed_from_step    INTEGER,
          resume_note          TEXT,
          error_code           TEXT,
          error_message        TEXT,
          created_at           TEXT NOT NULL,
          started_at           TEXT,
          finished_at          TEXT,
          updated_at           TEXT NOT NULL
        ) STRICT;
        CREATE INDEX training_runs_state ON training_runs(state);
        CREATE TABLE training_points (
          run_id TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
          step   INTEGER NOT NULL,
          loss   REAL NOT NULL,
          PRIMARY KEY (run_id, step)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 7,
    name: 'datasets',
    up(db) {
      db.exec(`
        -- Datasets: the folder is the truth (images + .txt captions); these rows index it.
        CREATE TABLE datasets (
          name          TEXT PRIMARY KEY,
          dir           TEXT NOT NULL UNIQUE,
          in_place      INTEGER NOT NULL DEFAULT 0,
          trigger_word  TEXT NOT NULL DEFAULT '',
          resolutions   TEXT NOT NULL DEFAULT '[512,768,1024]',
          created_at    TEXT NOT NULL,
          image_count   INTEGER NOT NULL DEFAULT 0,
          caption_count INTEGER NOT NULL DEFAULT 0,
          warning_count INTEGER NOT NULL DEFAULT 0,
          report_json   TEXT
        ) STRICT;
        -- What was measured about each image (keyed by size + mtime so a changed file is re-read).
        CREATE TABLE dataset_items (
          dataset    TEXT NOT NULL REFERENCES datasets(name) ON DELETE CASCADE ON UPDATE CASCADE,
          file       TEXT NOT NULL,
          size_bytes INTEGER NOT NULL,
          mtime_ms   REAL NOT NULL,
          sha256     TEXT NOT NULL,
          dhash      TEXT,
          width      INTEGER,
          height     INTEGER,
          thumb      TEXT,
          PRIMARY KEY (dataset, file)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 8,
    name: 'job queue order; training runs are jobs',
    up(db) {
      // A queued job's place in its lane (lower runs first); reordering rewrites it.
      db.exec(`
        ALTER TABLE jobs ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
        UPDATE jobs SET position = seq;
        CREATE INDEX jobs_lane_queue ON jobs(lane, state, position);
      `);
      // training_runs gains 'queued' and the id of the job that runs it (rebuilt: a CHECK
      // cannot be altered; the points are copied first so no cascade can reach them).
      db.exec(`
        CREATE TABLE training_runs_v8 (
          id                   TEXT PRIMARY KEY,
          dataset              TEXT NOT NULL,
          model                TEXT NOT NULL,
          target               TEXT NOT NULL,
          host_label           TEXT NOT NULL,
          training_folder      TEXT NOT NULL,
          config_json          TEXT NOT NULL,
          yaml                 TEXT NOT NULL,
          state                TEXT NOT NULL CHECK (state IN ('queued','preparing','running','stopping','completed','stopped','failed','lost')),
          step                 INTEGER NOT NULL DEFAULT 0,
          total                INTEGER NOT NULL DEFAULT 0,
          loss                 REAL,
          lr                   REAL,
          seconds_per_step     REAL,
          message              TEXT,
          pid                  INTEGER,
          log_offset           INTEGER NOT NULL DEFAULT 0,
          outcome              TEXT,
          oom_count            INTEGER NOT NULL DEFAULT 0,
          stop_requested       INTEGER NOT NULL DEFAULT 0,
          expected_resume_step INTEGER,
          resumed_from_step    INTEGER,
          resume_note          TEXT,
          error_code           TEXT,
          error_message        TEXT,
          created_at           TEXT NOT NULL,
          started_at           TEXT,
          finished_at          TEXT,
          updated_at           TEXT NOT NULL,
          job_id               TEXT
        ) STRICT;
        INSERT INTO training_runs_v8 SELECT *, NULL FROM training_runs;
        CREATE TABLE training_points_v8 (
          run_id TEXT NOT NULL REFERENCES training_runs_v8(id) ON DELETE CASCADE,
          step   INTEGER NOT NULL,
          loss   REAL NOT NULL,
          PRIMARY KEY (run_id, step)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO training_points_v8 SELECT * FROM training_points;
        DROP TABLE training_points;
        DROP TABLE training_runs;
        ALTER TABLE training_runs_v8 RENAME TO training_runs;
        ALTER TABLE training_points_v8 RENAME TO training_points;
        CREATE INDEX training_runs_state ON training_runs(state);
        CREATE INDEX training_runs_job ON training_runs(job_id);
        UPDATE training_runs SET state = 'failed', error_code = 'interrupted',
          error_message = 'The studio stopped while preparing this run (before launch). Start it again.', finished_at = updated_at
          WHERE state = 'preparing' OR (state IN ('running','stopping') AND pid IS NULL);
      `);
      // Runs left going on their hosts become running training.run jobs, reclaimed at start-up.
      const live = db.prepare(`SELECT id, target, started_at, created_at FROM training_runs WHERE state IN ('running','stopping')`).all() as {
        id: string;
        target: string;
        started_at: string | null;
        created_at: string;
      }[];
      const insert = db.prepare(
        `INSERT INTO jobs (id, kind, lane, title, state, params_json, created_at, started_at, updated_at, seq, position)
         VALUES (?, 'training.run', ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      );
      const link = db.prepare('UPDATE training_runs SET job_id = ? WHERE id = ?');
      for (const r of live) {
        const seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM jobs').get() as { n: number }).n;
        const jobId = randomUUID();
        const now = new Date().toISOString();
        insert.run(jobId, `training:${r.target}`, `Train ${r.id}`, JSON.stringify({ runId: r.id, target: r.target }), r.created_at, r.started_at ?? now, now, seq, seq);
        link.run(jobId, r.id);
      }
    },
  },
  {
    version: 9,
    name: 'RunPod: a pod profile linked to a RunPod pod; what a job cost',
    up(db) {
      // runpod_id: the RunPod pod this profile reaches (its address and host key are kept true
      // by src-main/runpod/); cost_usd: GPU $/h x seconds of a job that ran on a rented pod.
      db.exec(`
        ALTER TABLE pods ADD COLUMN runpod_id TEXT;
        CREATE UNIQUE INDEX pods_runpod_id ON pods(runpod_id) WHERE runpod_id IS NOT NULL;
        ALTER TABLE jobs ADD COLUMN cost_usd REAL;
      `);
    },
  },
  {
    version: 10,
    name: 'RunPod: what each pod cost per day (the spend meter\'s month)',
    up(db) {
      // USD added by the studio's spend meter (src-main/runpod/spend-meter.ts) per pod per UTC day.
      db.exec(`
        CREATE TABLE runpod_spend (
          runpod_id TEXT NOT NULL,
          day       TEXT NOT NULL,
          usd       REAL NOT NULL,
          PRIMARY KEY (runpod_id, day)
        ) STRICT;
      `);
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
