// The local runtime as a studio service: the model folders in Settings (checked, with
// type and size), the inference child process (one, started on demand, ended when idle),
// its status, and the GenerationRuntime other jobs call.
import os from 'node:os';
import path from 'node:path';
import type { LocalModel, LocalStatus, Settings } from '@shared/contract';
import { StudioError } from '../../core/studio-error';
import type { Logger } from '../../logging/logger';
import type { SettingsService } from '../../settings/settings-service';
import { checkFitsInMemory, inspectModelFolder, ModelFolderError, type ModelFolderInfo } from './model-folder';
import { providerChain } from './providers';
import { LocalWorkerClient, LocalWorkerError, type WorkerSpawner } from './onnx-worker-client';
import type { StepEvent } from './pipeline';
import type { WorkerGenerate, WorkerImage } from './onnx-worker-protocol';
import type { ModelDownloads } from './model-downloads';

export interface LocalServiceOptions {
  settings: SettingsService;
  workerPath: string;
  spawn?: WorkerSpawner;
  log: Logger;
  /** Called whenever the status may have changed (the studio emits `local.status`). */
  changed?: (status: LocalStatus) => void;
  freeMemory?: () => number;
}

export class LocalService {
  readonly client: LocalWorkerClient;
  /** Downloads from the Hub (set by the studio: it needs the job system and the secret store). */
  downloads: ModelDownloads | null = null;
  private readonly cache = new Map<string, { at: number; info: ModelFolderInfo | null; error: string | null }>();

  constructor(private readonly opts: LocalServiceOptions) {
    this.client = new LocalWorkerClient({
      workerPath: opts.workerPath,
      spawn: opts.spawn,
      idleMs: () => opts.settings.get().localIdleSeconds * 1000,
      log: (level, line) => opts.log[level](line),
    });
    this.client.onChange(() => opts.changed?.(this.status()));
  }

  private settings(): Settings {
    return this.opts.settings.get();
  }

  /** Inspects a folder (cached for a few seconds: the Models list asks often). */
  inspect(dir: string, fresh = false): { info: ModelFolderInfo | null; error: string | null } {
    const hit = this.cache.get(dir);
    if (!fresh && hit && Date.now() - hit.at < 5000) return hit;
    let entry: { at: number; info: ModelFolderInfo | null; error: string | null };
    try {
      entry = { at: Date.now(), info: inspectModelFolder(dir), error: null };
    } catch (err) {
      entry = { at: Date.now(), info: null, error: err instanceof Error ? err.message : String(err) };
    }
    this.cache.set(dir, entry);
    return entry;
  }

  private describe(dir: string, active: string | null): LocalModel {
    const { info, error } = this.inspect(dir);
    return {
      path: dir,
      name: info?.name ?? path.basename(dir),
      kind: info?.kind ?? null,
      sizeBytes: info?.sizeBytes ?? null,
      valid: info !== null,
      error,
      active: dir === active,
    };
  }

  /** The folder local jobs use: the chosen one, else the first valid one. */
  activeModel(): string | null {
    const s = this.settings();
    if (s.localModel && s.localModels.includes(s.localModel)) return s.localModel;
    return s.localModels.find((m) => this.inspect(m).info !== null) ?? null;
  }

  models(): LocalModel[] {
    const active = this.activeModel();
    return this.settings().localModels.map((m) => this.describe(m, active));
  }

  addModel(dirIn: string): LocalModel {
    const dir = path.resolve(dirIn);
    const { error } = this.inspect(dir, true);
    if (error) throw new StudioError('invalid_input', `local.addModel: path: ${error}`, 'path');
    const s = this.settings();
    if (!s.localModels.includes(dir)) this.opts.settings.update({ localModels: [...s.localModels, dir] });
    return this.describe(dir, this.activeModel());
  }

  /** The downloads, or an error saying they are not set up here. */
  requireDownloads(): ModelDownloads {
    if (!this.downloads) throw new StudioError('unavailable', 'model downloads are not available in this studio');
    return this.downloads;
  }

  async removeModel(dirIn: string): Promise<boolean> {
    const dir = path.resolve(dirIn);
    const s = this.settings();
    if (!s.localModels.includes(dir)) return false;
    if (this.client.status?.model?.dir === dir) await this.client.stop();
    this.opts.settings.update({ localModels: s.localModels.filter((m) => m !== dir), ...(s.localModel === dir ? { localModel: null } : {}) });
    this.cache.delete(dir);
    return true;
  }

  selectModel(dirIn: string): LocalModel {
    const dir = path.resolve(dirIn);
    if (!this.settings().localModels.includes(dir)) throw new StudioError('not_found', `local.selectModel: path: ${dir} is not one of the local models; add it first`, 'path');
    this.opts.settings.update({ localModel: dir });
    return this.describe(dir, dir);
  }

  status(): LocalStatus {
    const s = this.settings();
    const st = this.client.status;
    return {
      running: this.client.running,
      pid: this.client.pid,
      model: st?.model ? { path: st.model.dir, name: st.model.name, kind: st.model.kind, sizeBytes: st.model.sizeBytes } : null,
      provider: st?.provider
        ? { requested: st.provider.requested, created: st.provider.created, detected: st.provider.detected, fallbacks: st.provider.fallbacks }
        : null,
      rssBytes: st?.rssBytes ?? null,
      platformProviders: providerChain('auto'),
      preference: s.localProvider,
      idleSeconds: s.localIdleSeconds,
      freeMemoryBytes: (this.opts.freeMemory ?? os.freemem)(),
    };
  }

  async refreshStatus(): Promise<LocalStatus> {
    await this.client.refreshStatus();
    return this.status();
  }

  async unload(): Promise<boolean> {
    const was = this.client.running;
    await this.client.stop();
    return was;
  }

  /**
   * Runs one generation on a model folder (loading it first when needed). Checks the folder
   * and the free memory before starting the process.
   */
  async generate(dir: string, req: WorkerGenerate, ctx: { signal?: AbortSignal; onProgress?: (s: StepEvent) => void; onLoading?: () => void } = {}): Promise<WorkerImage & { loadSeconds: number | null; provider: string }> {
    const { info, error } = this.inspect(dir, true);
    if (!info) throw new StudioError('invalid_input', `local model ${dir}: ${error}`, 'model');
    const loadedHere = this.client.status?.model?.dir === info.dir;
    if (!loadedHere) {
      try {
        checkFitsInMemory(info.sizeBytes, (this.opts.freeMemory ?? os.freemem)());
      } catch (err) {
        if (err instanceof ModelFolderError) throw new StudioError('unavailable', err.message);
        throw err;
      }
    }
    const s = this.settings();
    const t0 = performance.now();
    let loadSeconds: number | null = null;
    try {
      if (!loadedHere) ctx.onLoading?.();
      const image = await this.client.generate(info.dir, { provider: s.localProvider, threads: s.localThreads }, req, {
        signal: ctx.signal,
        onProgress: ctx.onProgress,
        onLoaded: () => {
          if (!loadedHere) loadSeconds = (performance.now() - t0) / 1000;
        },
      });
      const p = this.client.status?.provider;
      return { ...image, loadSeconds, provider: p?.detected ?? p?.created ?? 'cpu' };
    } catch (err) {
      if (err instanceof LocalWorkerError) {
        if (err.code === 'cancelled') throw err;
        throw new StudioError(err.code === 'model' ? 'invalid_input' : 'unavailable', `local runtime: ${err.message}`);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.stop();
  }
}
