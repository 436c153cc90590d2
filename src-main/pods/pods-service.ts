// Pods: profiles, host-key trust (TOFU, pinned per profile; a changed key is refused until
// the user trusts the new one explicitly), connection status, and the preparation job.
import { z } from 'zod';
import type { Job } from '@shared/contract';
import type { HostKeyScan, PodDraft, PodProfile, PodStatus } from '@shared/contract/pods';
import { StudioError } from '../core/studio-error';
import { isSshError } from '../hosts/ssh-errors';
import type { JobExecutor, JobService } from '../jobs/job-service';
import type { Logger } from '../logging/logger';
import type { SecretsService } from '../secrets/secrets-service';
import { passphraseSecret, type PodConnections } from './pod-connections';
import { syncPodFiles, podDir } from './pod-files';
import { podPython, type PodRepo } from './pod-repo';
import { parseSshCommand, SshCommandError } from './ssh-command-parser';

export const PREPARE_KIND = 'pods.prepare';

const PrepareParams = z.object({ podId: z.string(), podName: z.string(), model: z.enum(['flux-dev', 'flux-schnell', 'none']) });
type PrepareParams = z.infer<typeof PrepareParams>;

export interface PodsServiceDeps {
  repo: PodRepo;
  connections: PodConnections;
  secrets: SecretsService;
  jobs: JobService;
  log: Logger;
  changed(id: string): void;
  /** The Hugging Face token for bootstrap (null: none). */
  hfToken(): string | null;
  /** Extra bootstrap.sh flags (tests: --skip-gpu-check, an offline --requirements). */
  bootstrapArgs?: readonly string[];
}

function sshToStudio(err: unknown): never {
  if (isSshError(err)) {
    const code = err.code === 'host_key_changed' || err.code === 'host_key_unknown' ? 'forbidden' : err.code === 'auth' || err.code.startsWith('passphrase') || err.code === 'key_unreadable' ? 'forbidden' : 'network';
    throw new StudioError(code, err.message);
  }
  throw err;
}

export class PodsService {
  constructor(private readonly deps: PodsServiceDeps) {}

  list(): PodProfile[] {
    return this.deps.repo.list();
  }

  get(id: string): PodProfile {
    return this.deps.repo.require(id);
  }

  /** By name (case-insensitive) or id, for the CLI's NAME arguments. */
  find(nameOrId: string): PodProfile {
    const p = this.deps.repo.byName(nameOrId) ?? this.deps.repo.get(nameOrId);
    if (!p) throw new StudioError('not_found', `No pod named “${nameOrId}”. See \`flux-studio pods list\`.`, 'name');
    return p;
  }

  async save(draft: PodDraft & { id?: string }): Promise<PodProfile> {
    const before = draft.id ? this.deps.repo.require(draft.id) : null;
    const saved = this.deps.repo.save(draft);
    if (before && (before.host !== saved.host || before.port !== saved.port || before.user !== saved.user || before.keyPath !== saved.keyPath || before.workspace !== saved.workspace || before.python !== saved.python || before.pipeline !== saved.pipeline)) {
      await this.deps.connections.disconnect(saved.id);
    }
    this.deps.changed(saved.id);
    return saved;
  }

  async remove(id: string): Promise<boolean> {
    if (!this.deps.repo.get(id)) return false;
    await this.deps.connections.disconnect(id);
    this.deps.secrets.clearNamed(passphraseSecret(id));
    const removed = this.deps.repo.remove(id);
    this.deps.changed(id);
    return removed;
  }

  parseCommand(command: string) {
    try {
      return parseSshCommand(command);
    } catch (err) {
      if (err instanceof SshCommandError) throw new StudioError('invalid_input', `pods.parseCommand: command: ${err.message}`, 'command');
      throw err;
    }
  }

  async setPassphrase(id: string, passphrase: string | null): Promise<PodProfile> {
    this.deps.repo.require(id);
    if (passphrase === null) this.deps.secrets.clearNamed(passphraseSecret(id));
    else this.deps.secrets.setNamed(passphraseSecret(id), passphrase);
    await this.deps.connections.disconnect(id);
    this.deps.changed(id);
    return this.deps.repo.require(id);
  }

  async scanHostKey(id: string): Promise<HostKeyScan> {
    const pod = this.deps.repo.require(id);
    const key = await this.deps.connections.scanHostKey(pod).catch(sshToStudio);
    const pinned = pod.hostKey?.fingerprint ?? null;
    return { ...key, pinned, verdict: pinned === null ? 'new' : pinned === key.fingerprint ? 'match' : 'changed' };
  }

  /** Pins the key the pod presents now, if it is the one the user confirmed. */
  async trust(id: string, fingerprint: string): Promise<PodProfile> {
    const pod = this.deps.repo.require(id);
    const key = await this.deps.connections.scanHostKey(pod).catch(sshToStudio);
    if (key.fingerprint !== fingerprint) {
      throw new StudioError('conflict', `The pod now presents ${key.fingerprint}, not the fingerprint you confirmed (${fingerprint}). Nothing was trusted; check again.`, 'fingerprint');
    }
    await this.deps.connections.disconnect(id);
    const saved = this.deps.repo.pin(id, key);
    this.deps.log.info(`trusted host key ${key.fingerprint} (${key.keyType}) for pod ${pod.name}${pod.hostKey && pod.hostKey.fingerprint !== key.fingerprint ? ` (replacing ${pod.hostKey.fingerprint})` : ''}`);
    this.deps.changed(id);
    return saved;
  }

  async connect(id: string): Promise<PodStatus> {
    const pod = this.deps.repo.require(id);
    return this.deps.connections.refresh(pod);
  }

  disconnect(id: string): Promise<PodStatus> {
    this.deps.repo.require(id);
    return this.deps.connections.disconnect(id);
  }

  status(): PodStatus[] {
    return this.deps.connections.allStatus(this.deps.repo.list().map((p) => p.id));
  }

  prepare(id: string, model: 'flux-dev' | 'flux-schnell' | 'none'): Job {
    const pod = this.deps.repo.require(id);
    if (!pod.hostKey) throw new StudioError('conflict', `Trust ${pod.name}'s host key first (check its fingerprint).`, 'id');
    return this.deps.jobs.submit(PREPARE_KIND, { podId: pod.id, podName: pod.name, model });
  }

  /**
   * Uploads the pod files and runs `bash bootstrap.sh --workspace W --model M --python P`
   * with the HF token on stdin; its `::step/::progress/::warn/::done/::error` lines become
   * job progress and log lines. Idempotent: a prepared pod is a fast no-op.
   */
  prepareExecutor(podFilesDir: string): JobExecutor<PrepareParams> {
    return {
      kind: PREPARE_KIND,
      params: PrepareParams,
      lane: (p) => `remote:${p.podId}`,
      title: (p) => `Prepare pod ${p.podName}${p.model === 'none' ? '' : ` (${p.model})`}`,
      run: async ({ params, signal, progress, log }) => {
        const pod = this.deps.repo.require(params.podId);
        const ws = pod.workspace.replace(/\/+$/, '');
        progress({ step: 0, total: null, message: `connecting to ${pod.name}` });
        const host = await this.deps.connections.hostWithRetry(pod, signal).catch(sshToStudio);
        progress({ step: 0, total: null, message: 'uploading the worker files' });
        const uploaded = await syncPodFiles(host, podFilesDir, ws, { signal });
        log.info(uploaded.length ? `uploaded ${uploaded.join(', ')}` : 'pod files are up to date');
        // bootstrap.sh makes <workspace>/.venv (the worker's default python) with the pod's python3.
        const argv = ['bash', `${podDir(ws)}/bootstrap.sh`, '--workspace', ws, '--model', params.model, ...(this.deps.bootstrapArgs ?? [])];
        let lastError: { code: string; message: string } | null = null;
        let doneSeen = false;
        let buf = '';
        const onLine = (line: string) => {
          const m = /^::(\w+)\s?(.*)$/.exec(line);
          if (!m) {
            if (line.trim()) log.info(line);
            return;
          }
          const [, kind, rest = ''] = m;
          if (kind === 'step') {
            const [name, ...msg] = rest.split(' ');
            log.info(`step ${name}: ${msg.join(' ')}`);
            progress({ step: 0, total: null, message: msg.join(' ') || name });
          } else if (kind === 'progress') {
            const pm = /^(\d+)\s+(\d+)\s?(.*)$/.exec(rest);
            if (pm) progress({ step: Number(pm[1]), total: Number(pm[2]) || null, message: pm[3] || null });
          } else if (kind === 'warn') log.warn(rest);
          else if (kind === 'done') doneSeen = true;
          else if (kind === 'error') {
            const [code = 'bootstrap', ...msg] = rest.split(' ');
            lastError = { code, message: msg.join(' ') };
            log.error(`${code}: ${msg.join(' ')}`);
          }
        };
        const token = this.deps.hfToken();
        const r = await host.exec(argv, {
          // The token goes on stdin only (never argv, env or a log line); an empty line means none.
          stdin: `${token ?? ''}\n`,
          signal,
          onStdout: (c) => {
            buf += c.toString('utf8');
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              onLine(buf.slice(0, nl));
              buf = buf.slice(nl + 1);
            }
          },
          onStderr: (c) => {
            for (const l of c.toString('utf8').split('\n')) if (l.trim()) log.debug(`bootstrap: ${l}`);
          },
        });
        if (buf) onLine(buf);
        const failure = lastError as { code: string; message: string } | null;
        if (failure) throw Object.assign(new Error(failure.message || 'bootstrap failed'), { code: failure.code });
        if (r.code !== 0 || !doneSeen) {
          throw Object.assign(new Error(`bootstrap.sh ended with ${r.signal ?? `exit ${r.code}`}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`), { code: 'bootstrap' });
        }
        await this.deps.connections.disconnect(pod.id).catch(() => undefined);
        this.deps.connections.updateStatus(pod.id, { prepared: true });
        return { pod: pod.name, uploaded, python: podPython(pod), model: params.model };
      },
    };
  }
}
