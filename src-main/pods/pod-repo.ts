// Pod profiles in SQLite (migration 5). Secrets (key passphrases) are not here: they live in
// the SecretStore under per-pod names.
import { randomBytes } from 'node:crypto';
import type { PodDraft, PodProfile } from '@shared/contract/pods';
import { StudioError } from '../core/studio-error';
import type { Db } from '../db/open-database';

interface PodRow {
  id: string;
  name: string;
  host: string;
  port: number;
  user: string;
  key_path: string | null;
  connect_timeout_s: number;
  workspace: string;
  python: string | null;
  pipeline: string;
  model_paths_json: string;
  host_key_fp: string | null;
  host_key_type: string | null;
  host_key_pinned_at: string | null;
  runpod_id: string | null;
  created_at: string;
  updated_at: string;
}

export const POD_DEFAULTS = { port: 22, user: 'root', connectTimeoutSec: 10, workspace: '/workspace' } as const;

/** The venv python the worker and bootstrap use on the pod. */
export function podPython(p: Pick<PodProfile, 'python' | 'workspace'>): string {
  return p.python ?? `${p.workspace.replace(/\/+$/, '')}/.venv/bin/python`;
}

export class PodRepo {
  constructor(
    private readonly db: Db,
    private readonly hasPassphrase: (id: string) => boolean,
  ) {}

  private toProfile(r: PodRow): PodProfile {
    const paths = JSON.parse(r.model_paths_json) as Record<string, string | null>;
    return {
      id: r.id,
      name: r.name,
      host: r.host,
      port: r.port,
      user: r.user,
      keyPath: r.key_path,
      connectTimeoutSec: r.connect_timeout_s,
      workspace: r.workspace,
      python: r.python,
      pipeline: r.pipeline === 'standin' ? 'standin' : 'diffusers',
      modelPaths: { 'flux-dev': paths['flux-dev'] ?? null, 'flux-schnell': paths['flux-schnell'] ?? null },
      hostKey: r.host_key_fp ? { fingerprint: r.host_key_fp, keyType: r.host_key_type ?? 'unknown', pinnedAt: r.host_key_pinned_at ?? '' } : null,
      hasPassphrase: this.hasPassphrase(r.id),
      runpodId: r.runpod_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  list(): PodProfile[] {
    return (this.db.prepare('SELECT * FROM pods ORDER BY name COLLATE NOCASE').all() as PodRow[]).map((r) => this.toProfile(r));
  }

  get(id: string): PodProfile | null {
    const r = this.db.prepare('SELECT * FROM pods WHERE id = ?').get(id) as PodRow | undefined;
    return r ? this.toProfile(r) : null;
  }

  require(id: string): PodProfile {
    const p = this.get(id);
    if (!p) throw new StudioError('not_found', `No pod ${id}.`, 'id');
    return p;
  }

  byName(name: string): PodProfile | null {
    const r = this.db.prepare('SELECT * FROM pods WHERE name = ? COLLATE NOCASE').get(name) as PodRow | undefined;
    return r ? this.toProfile(r) : null;
  }

  save(draft: PodDraft & { id?: string }): PodProfile {
    const now = new Date().toISOString();
    const clash = this.byName(draft.name);
    if (clash && clash.id !== draft.id) throw new StudioError('conflict', `A pod named “${draft.name}” already exists.`, 'name');
    if (draft.id) {
      const cur = this.require(draft.id);
      const next = {
        name: draft.name,
        host: draft.host,
        port: draft.port ?? cur.port,
        user: draft.user ?? cur.user,
        key_path: draft.keyPath === undefined ? cur.keyPath : draft.keyPath,
        connect_timeout_s: draft.connectTimeoutSec ?? cur.connectTimeoutSec,
        workspace: draft.workspace ?? cur.workspace,
        python: draft.python === undefined ? cur.python : draft.python,
        pipeline: draft.pipeline ?? cur.pipeline,
        model_paths_json: JSON.stringify({ ...cur.modelPaths, ...(draft.modelPaths ?? {}) }),
      };
      this.db
        .prepare(
          `UPDATE pods SET name=@name, host=@host, port=@port, user=@user, key_path=@key_path, connect_timeout_s=@connect_timeout_s,
             workspace=@workspace, python=@python, pipeline=@pipeline, model_paths_json=@model_paths_json, updated_at=@now WHERE id=@id`,
        )
        .run({ ...next, now, id: draft.id });
      return this.require(draft.id);
    }
    const id = `pod-${randomBytes(5).toString('hex')}`;
    this.db
      .prepare(
        `INSERT INTO pods (id, name, host, port, user, key_path, connect_timeout_s, workspace, python, pipeline, model_paths_json, created_at, updated_at)
         VALUES (@id, @name, @host, @port, @user, @key_path, @connect_timeout_s, @workspace, @python, @pipeline, @model_paths_json, @now, @now)`,
      )
      .run({
        id,
        name: draft.name,
        host: draft.host,
        port: draft.port ?? POD_DEFAULTS.port,
        user: draft.user ?? POD_DEFAULTS.user,
        key_path: draft.keyPath ?? null,
        connect_timeout_s: draft.connectTimeoutSec ?? POD_DEFAULTS.connectTimeoutSec,
        workspace: draft.workspace ?? POD_DEFAULTS.workspace,
        python: draft.python ?? null,
        pipeline: draft.pipeline ?? 'diffusers',
        model_paths_json: JSON.stringify({ 'flux-dev': draft.modelPaths?.['flux-dev'] ?? null, 'flux-schnell': draft.modelPaths?.['flux-schnell'] ?? null }),
        now,
      });
    return this.require(id);
  }

  pin(id: string, key: { fingerprint: string; keyType: string }): PodProfile {
    const now = new Date().toISOString();
    this.db.prepare('UPDATE pods SET host_key_fp = ?, host_key_type = ?, host_key_pinned_at = ?, updated_at = ? WHERE id = ?').run(key.fingerprint, key.keyType, now, now, id);
    return this.require(id);
  }

  /** The RunPod pod this profile reaches, or none (docs/architecture.md, "RunPod"). */
  linkRunpod(id: string, runpodId: string | null): PodProfile {
    this.db.prepare('UPDATE pods SET runpod_id = ?, updated_at = ? WHERE id = ?').run(runpodId, new Date().toISOString(), id);
    return this.require(id);
  }

  byRunpodId(runpodId: string): PodProfile | null {
    const r = this.db.prepare('SELECT * FROM pods WHERE runpod_id = ?').get(runpodId) as PodRow | undefined;
    return r ? this.toProfile(r) : null;
  }

  /** A new address after a RunPod start (the pinned host key is kept; a different key is refused until trusted). */
  setAddress(id: string, host: string, port: number): PodProfile {
    this.db.prepare('UPDATE pods SET host = ?, port = ?, updated_at = ? WHERE id = ?').run(host, port, new Date().toISOString(), id);
    return this.require(id);
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM pods WHERE id = ?').run(id).changes > 0;
  }
}
