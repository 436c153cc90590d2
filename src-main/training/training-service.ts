// Training runs: plan → start (install check, dataset sync, detached launch) → follow the
// log from a byte offset (progress, saves, samples, resume, OOM, end) while pulling new
// samples and checkpoints → finish. The process on the host outlives the studio and the
// SSH link: closing the studio only stops following; start-up (reconcile) and reconnect
// (reattach) pick every live run up again from its stored offset, and a run that ended
// while nobody watched is completed from its log, exit_code file and output folder.
import fs from 'node:fs';
import path from 'node:path';
import {
  TRAINING_GPUS,
  TRAINING_LEVELS,
  TRAINING_MODELS,
  type TrainedLora,
  type TrainingCheckpoint,
  type TrainingModel,
  type TrainingPlan,
  type TrainingPlanRequest,
  type TrainingPreset,
  type TrainingRun,
  type TrainingRunDetail,
} from '@shared/contract/training';
import { StudioError } from '../core/studio-error';
import type { Host } from '../hosts/host';
import type { Logger } from '../logging/logger';
import { writeFileAtomic } from '../core/atomic-write';
import { buildConfig, configToYaml, PlanError, presetValues, validateYaml, type TrainingCatalog, type TrainingConfig } from './config';
import { syncDataset } from './dataset-sync';
import { checkpointStep, etaSeconds, LogParser, sampleInfo, type LogEvent } from './log-parser';
import { groupGone, isAlive, launch, readExitCode, readPid, runFiles, signalGroup, type RunFiles } from './launcher';
import type { DatasetSource, TrainingTarget, TrainingTargets } from './targets';
import { ACTIVE_STATES, toRun, TrainingRepo, type RunPatch, type RunRow } from './training-repo';

export interface TrainingDeps {
  repo: TrainingRepo;
  dataDir: string;
  catalog: TrainingCatalog;
  targets: TrainingTargets;
  datasets: DatasetSource;
  emit: (run: TrainingRun) => void;
  log: Logger;
  /** How often the log is read while nothing new arrives (ms). */
  pollMs?: number;
  /** SIGINT → SIGTERM → SIGKILL spacing (ms). */
  stopGraceMs?: number;
}

interface Attachment {
  runId: string;
  target: TrainingTarget;
  detach: boolean;
  done: Promise<void>;
  wake: () => void;
}

const LOG_CHUNK = 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function isTerminator(b: number): boolean {
  return b === 0x0a || b === 0x0d;
}

export class TrainingService {
  private readonly repo: TrainingRepo;
  private readonly attachments = new Map<string, Attachment>();
  private readonly preparing = new Map<string, AbortController>();
  private readonly preparingDone = new Set<Promise<void>>();
  /** Every follower's end (including its link release), awaited by close(). */
  private readonly following = new Set<Promise<void>>();
  private reconciling: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly pollMs: number;
  private readonly stopGraceMs: number;

  constructor(private readonly deps: TrainingDeps) {
    this.repo = deps.repo;
    this.pollMs = deps.pollMs ?? 250;
    this.stopGraceMs = deps.stopGraceMs ?? 20_000;
  }

  // ---------- wizard ----------

  async options() {
    const { catalog } = this.deps;
    const targets = await this.deps.targets.list();
    const datasets = await this.deps.datasets.list();
    return {
      models: TRAINING_MODELS.map((id) => ({
        id,
        label: catalog.templates[id].label,
        description: catalog.templates[id].description,
        samplePrompts: catalog.templates[id].sample_prompts,
      })),
      presets: TRAINING_GPUS.flatMap((g) =>
        TRAINING_LEVELS.map((l) => {
          const id = `${g}gb-${l}` as TrainingPreset;
          return { id, gpu: g, level: l, label: `${catalog.gpus[g].label} · ${catalog.levels[l].label}`, values: presetValues(catalog, 'flux-dev', id) };
        }),
      ),
      datasets: datasets.map((d) => ({ name: d.name, imageCount: d.imageCount, trigger: d.trigger ?? null })),
      targets: targets.map(({ id, label, ready, reason }) => ({ id, label, ready, reason })),
      defaults: { preset: '24gb-standard' as TrainingPreset, target: targets.find((t) => t.ready)?.id ?? null },
    };
  }

  private async layoutFor(targetId: string | undefined) {
    const targets = await this.deps.targets.list();
    const t = targetId ? targets.find((x) => x.id === targetId) : (targets.find((x) => x.ready) ?? null);
    if (targetId && !t) throw new StudioError('not_found', `training.plan: target: no training target ${targetId}`, 'target');
    return { id: t?.id ?? 'pod', layout: t?.layout ?? { datasetsDir: '/workspace/datasets', trainingsDir: '/workspace/trainings' } };
  }

  async plan(req: TrainingPlanRequest): Promise<TrainingPlan & { config: TrainingConfig }> {
    const datasets = await this.deps.datasets.list();
    const ds = datasets.find((d) => d.name === req.dataset);
    if (!ds) throw new StudioError('not_found', `training.plan: dataset: no dataset named ${req.dataset}`, 'dataset');
    const trigger = req.trigger ?? ds.trigger;
    const { id, layout } = await this.layoutFor(req.target);
    let config: TrainingConfig;
    try {
      config = buildConfig(this.deps.catalog, { ...req, ...(trigger ? { trigger } : {}) }, layout);
    } catch (err) {
      if (err instanceof PlanError) throw new StudioError('invalid_input', `training.plan: ${err.message}`, err.errors[0]?.path);
      throw err;
    }
    const warnings: string[] = [];
    if (ds.imageCount === 0) warnings.push(`Dataset ${ds.name} has no images: ai-toolkit will stop with "no images found".`);
    else if (ds.imageCount < 5) warnings.push(`Dataset ${ds.name} has only ${ds.imageCount} images; 10–30 usually work better.`);
    if (!trigger) warnings.push('No trigger word: [trigger] is removed from the sample prompts and nothing is prepended to captions.');
    if (this.repo.get(config.config.name)) warnings.push(`A run named ${config.config.name} exists: pick another name, or resume that run.`);
    const header = `flux-studio training plan: ${req.model}, preset ${req.preset}, dataset ${req.dataset}, target ${id}\nEvery field is explicit; edit with care (a missing network block means a full fine-tune).`;
    return { name: config.config.name, target: id, yaml: configToYaml(config, header), warnings, config };
  }

  validate(yaml: string) {
    const r = validateYaml(yaml);
    if (r.ok) return { ok: true, name: r.config.config.name, errors: [] };
    return { ok: false, name: null, errors: r.errors };
  }

  // ---------- runs ----------

  list(): TrainingRun[] {
    return this.repo.list().map((r) => this.view(r));
  }

  get(id: string): TrainingRunDetail {
    const r = this.requireRun(id);
    const config = JSON.parse(r.config_json) as TrainingConfig;
    const prompts = config.config.process[0]?.sample.prompts ?? [];
    const samples = this.localSamples(id).map((s) => ({ ...s, promptText: prompts[s.prompt] ?? null }));
    return {
      run: this.view(r),
      yaml: r.yaml,
      loss: this.repo.points(id),
      samples,
      checkpoints: this.localCheckpoints(r),
      logTail: this.logTail(id, 200),
    };
  }

  async start(req: { yaml: string; dataset: string; model: TrainingModel; target?: string }): Promise<TrainingRun> {
    if (this.closing) throw new StudioError('unavailable', 'The studio is shutting down.');
    const v = validateYaml(req.yaml);
    if (!v.ok) {
      const first = v.errors[0];
      throw new StudioError('invalid_input', `training.start: yaml: ${v.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, first ? `yaml.${first.path}` : 'yaml');
    }
    const config = v.config;
    const name = config.config.name;
    if (this.repo.get(name)) throw new StudioError('conflict', `training.start: a run named ${name} exists; resume it or choose another name.`, 'yaml.config.name');
    const ds = (await this.deps.datasets.list()).find((d) => d.name === req.dataset);
    if (!ds) throw new StudioError('not_found', `training.start: dataset: no dataset named ${req.dataset}`, 'dataset');
    const { id: targetId, layout } = await this.layoutFor(req.target);
    const proc = config.config.process[0];
    if (!proc) throw new StudioError('invalid_input', 'training.start: yaml: config.process: must hold one process', 'yaml');
    const wantFolder = path.posix.join(layout.trainingsDir, name);
    const wantData = path.posix.join(layout.datasetsDir, req.dataset);
    if (proc.training_folder !== wantFolder) {
      throw new StudioError('invalid_input', `training.start: yaml: config.process[0].training_folder: must be ${wantFolder} on ${targetId}`, 'yaml.config.process[0].training_folder');
    }
    if (proc.datasets[0]?.folder_path !== wantData) {
      throw new StudioError('invalid_input', `training.start: yaml: config.process[0].datasets[0].folder_path: must be ${wantData} on ${targetId}`, 'yaml.config.process[0].datasets[0].folder_path');
    }
    const localDir = this.localDir(name);
    fs.mkdirSync(localDir, { recursive: true });
    writeFileAtomic(path.join(localDir, 'config.yaml'), req.yaml);
    const row = this.repo.insert({
      id: name,
      dataset: req.dataset,
      model: req.model,
      target: targetId,
      host_label: targetId,
      training_folder: wantFolder,
      config_json: JSON.stringify(config),
      yaml: req.yaml,
      total: proc.train.steps,
    });
    this.emit(row);
    const abort = new AbortController();
    this.preparing.set(name, abort);
    const p = this.prepareAndLaunch(name, ds.dir, abort.signal).finally(() => {
      this.preparing.delete(name);
      this.preparingDone.delete(p);
    });
    this.preparingDone.add(p);
    return this.view(this.repo.require(name));
  }

  private async prepareAndLaunch(id: string, datasetDir: string, signal: AbortSignal): Promise<void> {
    let target: TrainingTarget | null = null;
    try {
      const row = this.repo.require(id);
      target = await this.deps.targets.open(row.target);
      this.patch(id, { host_label: target.label, message: 'checking ai-toolkit' });
      await this.ensureToolkit(id, target);
      const hostData = path.posix.join(target.workspace.datasetsDir, row.dataset);
      const res = await syncDataset({
        host: target.host,
        localDir: datasetDir,
        hostDir: hostData,
        cacheFile: path.join(this.deps.dataDir, 'trainings', '.sync-cache', `${row.target.replace(/[^A-Za-z0-9_-]/g, '_')}--${row.dataset}.json`),
        signal,
        onProgress: (p) => {
          if (p.phase === 'uploading' || p.phase === 'deleting') this.patch(id, { message: `syncing dataset ${p.done}/${p.total}${p.file ? ` ${p.file}` : ''}` });
        },
      });
      this.deps.log.info(`run ${id}: dataset synced (${res.uploaded.length} up, ${res.deleted.length} deleted, ${res.unchanged} unchanged)`);
      if (this.closing || signal.aborted) throw new Error('The studio closed before the run was launched.');
      await this.launchRun(id, target);
      target = null; // the attachment owns it now
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (this.repo.get(id)?.stop_requested) {
        this.finish(id, 'stopped', { message: 'stopped before launch' });
      } else {
        this.deps.log.warn(`run ${id} could not start: ${message}`);
        this.finish(id, 'failed', { error_code: 'start_failed', error_message: message });
      }
    } finally {
      await target?.release().catch(() => undefined);
    }
  }

  private async ensureToolkit(id: string, target: TrainingTarget): Promise<void> {
    const { host, workspace: w } = target;
    const runPy = path.posix.join(w.toolkitDir, 'run.py');
    if (!w.install) {
      if (!(await host.stat(runPy))) throw new Error(`${w.toolkitDir} has no run.py: point the trainingToolkitDir setting at an ai-toolkit checkout.`);
      return;
    }
    const marker = path.posix.join(w.toolkitDir, '.flux-studio-commit');
    if ((await host.stat(marker)) && (await host.readFile(marker)).toString('utf8').trim() === w.install.commit) return;
    const run = async (argv: string[], what: string) => {
      this.patch(id, { message: what });
      const r = await host.exec(argv, { timeoutMs: 60 * 60_000 });
      if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
    };
    if (!(await host.stat(path.posix.join(w.toolkitDir, '.git')))) {
      await run(['git', 'clone', w.install.repo, w.toolkitDir], 'installing ai-toolkit (git clone)');
    } else {
      await run(['git', '-C', w.toolkitDir, 'fetch', '--quiet', 'origin'], 'updating ai-toolkit (git fetch)');
    }
    await run(['git', '-C', w.toolkitDir, 'checkout', '--quiet', w.install.commit], `checking out ai-toolkit ${w.install.commit}`);
    await run([w.python, '-m', 'pip', 'install', '--quiet', '-r', path.posix.join(w.toolkitDir, 'requirements.txt')], 'installing ai-toolkit requirements');
    await host.writeFile(marker, `${w.install.commit}\n`);
  }

  private async launchRun(id: string, target: TrainingTarget): Promise<void> {
    const row = this.repo.require(id);
    const files = runFiles(row.training_folder, row.id);
    const { pid, logOffset } = await launch(target.host, files, row.config_json, target.workspace.toolkitDir, target.workspace.python);
    this.patch(id, {
      state: 'running',
      pid,
      log_offset: logOffset,
      started_at: row.started_at ?? new Date().toISOString(),
      finished_at: null,
      message: 'starting ai-toolkit',
    });
    this.attach(id, target);
  }

  async stop(id: string): Promise<TrainingRun> {
    const r = this.requireRun(id);
    const prep = this.preparing.get(id);
    if (prep) {
      prep.abort(new Error('Stopped before launch.'));
      this.patch(id, { stop_requested: 1 });
      return this.view(this.repo.require(id));
    }
    if (r.state !== 'running' && r.state !== 'stopping') throw new StudioError('conflict', `training.stop: run ${id} is ${r.state}, not running.`);
    if (!r.pid) throw new StudioError('conflict', `training.stop: run ${id} has no process id.`);
    this.patch(id, { state: 'stopping', stop_requested: 1, message: 'stopping' });
    let att = this.attachments.get(id);
    if (!att) {
      const target = await this.deps.targets.open(r.target).catch((err: Error) => {
        throw new StudioError('unavailable', `training.stop: cannot reach ${r.target}: ${err.message}`);
      });
      att = this.attach(id, target);
    }
    void this.escalate(id, att.target.host, r.pid).catch((err: Error) => this.deps.log.warn(`stopping ${id}: ${err.message}`));
    return this.view(this.repo.require(id));
  }

  /** SIGINT (ai-toolkit prints "Job stopped"), then TERM, then KILL; never in the middle of a save. */
  private async escalate(id: string, host: Host, pid: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    while ((this.repo.get(id)?.message ?? '').startsWith('saving') && Date.now() < deadline) await sleep(200);
    for (const [sig, wait] of [['INT', this.stopGraceMs], ['TERM', this.stopGraceMs / 2], ['KILL', 0]] as const) {
      if (await groupGone(host, pid)) return;
      await signalGroup(host, pid, sig);
      this.deps.log.info(`run ${id}: sent SIG${sig} to process group ${pid}`);
      const until = Date.now() + wait;
      while (Date.now() < until) {
        if (await groupGone(host, pid)) return;
        await sleep(100);
      }
    }
  }

  async resume(id: string, steps?: number): Promise<TrainingRun> {
    const r = this.requireRun(id);
    if (ACTIVE_STATES.includes(r.state)) throw new StudioError('conflict', `training.resume: run ${id} is ${r.state}; stop it first.`);
    const config = JSON.parse(r.config_json) as TrainingConfig;
    const proc = config.config.process[0];
    if (!proc) throw new StudioError('internal', 'stored config has no process');
    if (steps !== undefined) {
      if (steps <= r.step) throw new StudioError('invalid_input', `training.resume: steps: must be more than the ${r.step} already trained`, 'steps');
      proc.train.steps = steps;
    } else if (r.state === 'completed') {
      throw new StudioError('conflict', `training.resume: run ${id} is complete; give more steps to train further.`, 'steps');
    }
    const target = await this.deps.targets.open(r.target).catch((err: Error) => {
      throw new StudioError('unavailable', `training.resume: cannot reach ${r.target}: ${err.message}`);
    });
    try {
      const files = runFiles(r.training_folder, r.id);
      if (r.pid && (await isAlive(target.host, r.pid)) && (await readExitCode(target.host, files)) === null) {
        throw new StudioError('conflict', `training.resume: the run's process ${r.pid} is still alive on ${r.target}.`);
      }
      const expected = await this.newestCheckpointStep(target.host, files, r.id, r.total);
      this.patch(id, {
        state: 'running',
        config_json: JSON.stringify(config),
        total: proc.train.steps,
        outcome: null,
        oom_count: 0,
        stop_requested: 0,
        error_code: null,
        error_message: null,
        expected_resume_step: expected,
        resumed_from_step: null,
        resume_note: null,
        message: expected > 0 ? `resuming from step ${expected}` : 'restarting (no checkpoint to resume from)',
      });
      await this.launchRun(id, target);
      return this.view(this.repo.require(id));
    } catch (err) {
      await target.release().catch(() => undefined);
      if (!(err instanceof StudioError)) this.finish(id, 'failed', { error_code: 'resume_failed', error_message: (err as Error).message });
      throw err;
    }
  }

  private async newestCheckpointStep(host: Host, files: RunFiles, name: string, total: number): Promise<number> {
    let entries: { name: string; mtimeMs: number }[] = [];
    try {
      entries = await host.list(files.output);
    } catch {
      return 0;
    }
    let best: { step: number; mtime: number } | null = null;
    for (const e of entries) {
      const s = checkpointStep(e.name, name);
      if (s === undefined) continue;
      const step = s ?? total;
      if (!best || e.mtimeMs > best.mtime || (e.mtimeMs === best.mtime && step > best.step)) best = { step, mtime: e.mtimeMs };
    }
    return best?.step ?? 0;
  }

  markStopped(id: string): TrainingRun {
    const r = this.requireRun(id);
    if (r.state !== 'lost' && !(ACTIVE_STATES.includes(r.state) && !this.attachments.has(id) && !this.preparing.has(id))) {
      throw new StudioError('conflict', `training.markStopped: run ${id} is ${r.state}${this.attachments.has(id) ? ' and being followed' : ''}.`);
    }
    return this.view(this.finish(id, 'stopped', { message: 'marked as stopped' }));
  }

  sampleDataUrl(id: string, file: string): string {
    this.requireRun(id);
    const p = path.join(this.localDir(id), 'samples', file);
    if (!fs.existsSync(p)) throw new StudioError('not_found', `training.sample: file: no sample ${file}`, 'file');
    const ext = path.extname(file).slice(1).toLowerCase();
    const type = ext === 'jpg' ? 'jpeg' : ext;
    return `data:image/${type};base64,${fs.readFileSync(p).toString('base64')}`;
  }

  /** LoRA files trained here (fetched into <dataDir>/trainings/<id>/checkpoints), newest run first, final file first. */
  trainedLoras(): TrainedLora[] {
    const out: TrainedLora[] = [];
    for (const r of this.repo.list()) {
      const config = JSON.parse(r.config_json) as TrainingConfig;
      const trigger = config.config.process[0]?.trigger_word ?? null;
      for (const c of this.localCheckpoints(r)) out.push({ runId: r.id, name: r.id, model: r.model, trigger, file: c.file, path: c.path, step: c.step, final: c.final });
    }
    return out;
  }

  // ---------- attach / follow ----------

  /** Start-up: pick up every run left active. Runs never launched are failed; live ones are followed. */
  async reconcile(): Promise<{ reattached: number; failed: number }> {
    let reattached = 0;
    let failed = 0;
    const pending: Promise<void>[] = [];
    for (const r of this.repo.list(ACTIVE_STATES)) {
      if (r.state === 'preparing' || !r.pid) {
        this.finish(r.id, 'failed', { error_code: 'interrupted', error_message: 'The studio stopped while preparing this run (before launch). Start it again.' });
        failed++;
        continue;
      }
      pending.push(this.reattachRun(r.id).then((ok) => void (ok && reattached++)));
    }
    // A pod that does not answer must not hold up start-up: its runs reattach when it does (or on reconnect).
    const all = Promise.all(pending).then(() => undefined);
    this.reconciling = all;
    await Promise.race([all, sleep(3000)]);
    return { reattached, failed };
  }

  /** Reconnect (e.g. a pod link came back): follow every active run on that target that is not followed. */
  async reattach(targetId?: string): Promise<number> {
    let n = 0;
    for (const r of this.repo.list(['running', 'stopping'])) {
      if (targetId && r.target !== targetId) continue;
      if (this.attachments.has(r.id)) continue;
      if (await this.reattachRun(r.id)) n++;
    }
    return n;
  }

  private async reattachRun(id: string): Promise<boolean> {
    const r = this.repo.require(id);
    try {
      const target = await this.deps.targets.open(r.target);
      if (this.closing) {
        await target.release().catch(() => undefined);
        return false;
      }
      this.patch(id, { host_label: target.label, message: 'reattached' });
      this.attach(id, target);
      this.deps.log.info(`run ${id}: reattached at log offset ${r.log_offset}`);
      return true;
    } catch (err) {
      this.deps.log.warn(`run ${id}: cannot reattach to ${r.target} now: ${(err as Error).message}`);
      this.patch(id, { message: `waiting for ${r.target} (${(err as Error).message})` });
      return false;
    }
  }

  private attach(id: string, target: TrainingTarget): Attachment {
    const existing = this.attachments.get(id);
    if (existing) return existing;
    let wake = () => undefined as void;
    const att: Attachment = { runId: id, target, detach: false, done: Promise.resolve(), wake: () => wake() };
    this.attachments.set(id, att);
    att.done = this.follow(att, (w) => (wake = w))
      .catch((err: Error) => this.deps.log.error(`following ${id} failed`, err))
      .finally(async () => {
        // Out of the map first (a resume may attach anew while the old link closes), but still awaited by close().
        this.attachments.delete(id);
        await att.target.release().catch(() => undefined);
        if (this.closed) return;
        const row = this.repo.get(id);
        if (row) this.emit(row);
      });
    this.following.add(att.done);
    void att.done.finally(() => this.following.delete(att.done));
    this.emit(this.repo.require(id));
    return att;
  }

  private async follow(att: Attachment, setWake: (w: () => void) => void): Promise<void> {
    const id = att.runId;
    const start = this.repo.require(id);
    const files = runFiles(start.training_folder, start.id);
    const parser = new LogParser(start.id);
    let readOffset = start.log_offset;
    let carry = 0; // bytes read past the last line terminator (re-read after a restart)
    let mirrorPending: Buffer = Buffer.alloc(0);
    let lastArtifacts = 0;
    let lastLiveness = 0;
    const fetched = new Map<string, string>();
    const prevListing = new Map<string, string>();
    let failures = 0;
    while (!att.detach && !this.closing) {
      try {
        const chunk = (await att.target.host.stat(files.log)) ? await att.target.host.readFile(files.log, { start: readOffset, maxBytes: LOG_CHUNK }) : Buffer.alloc(0);
        let artifactsDue = Date.now() - lastArtifacts > 2000;
        if (chunk.length > 0) {
          readOffset += chunk.length;
          let last = chunk.length - 1;
          while (last >= 0 && !isTerminator(chunk[last] as number)) last--;
          carry = last >= 0 ? chunk.length - 1 - last : carry + chunk.length;
          const events = parser.push(chunk);
          // The mirror gets complete lines only, so a reattach from the committed offset appends no duplicates.
          mirrorPending = Buffer.concat([mirrorPending, chunk]);
          this.appendMirror(id, mirrorPending.subarray(0, mirrorPending.length - carry));
          mirrorPending = mirrorPending.subarray(mirrorPending.length - carry);
          if (this.apply(id, events, readOffset - carry)) artifactsDue = true;
        }
        if (artifactsDue) {
          await this.pullArtifacts(att.target.host, files, id, fetched, prevListing, false);
          lastArtifacts = Date.now();
        }
        if (chunk.length === 0 && Date.now() - lastLiveness > 1000) {
          lastLiveness = Date.now();
          const ended = await this.checkEnded(att.target.host, files, id);
          if (ended) {
            // Drain what the process wrote last, then finish.
            this.appendMirror(id, mirrorPending);
            mirrorPending = Buffer.alloc(0);
            for (;;) {
              const rest = await att.target.host.readFile(files.log, { start: readOffset, maxBytes: LOG_CHUNK });
              if (rest.length === 0) break;
              readOffset += rest.length;
              this.appendMirror(id, rest);
              this.apply(id, parser.push(rest), readOffset);
            }
            this.apply(id, parser.flush(), readOffset);
            await this.pullArtifacts(att.target.host, files, id, fetched, prevListing, true);
            this.conclude(id, ended.exitCode);
            return;
          }
        }
        if (failures > 0) this.patch(id, { message: 'reattached' });
        failures = 0;
        if (chunk.length < LOG_CHUNK) await new Promise<void>((r) => {
          const t = setTimeout(r, this.pollMs);
          setWake(() => (clearTimeout(t), r()));
        });
      } catch (err) {
        failures++;
        if (att.detach || this.closing) return;
        this.deps.log.warn(`run ${id}: lost the link (${(err as Error).message}); retrying`);
        this.patch(id, { message: `connection lost — reattaching (${(err as Error).message})` });
        await sleep(Math.min(10_000, 250 * 2 ** Math.min(failures, 6)));
        // Ask the provider for a fresh host (a new SSH link); keep the old one when that fails too.
        try {
          const fresh = await this.deps.targets.open(this.repo.require(id).target);
          await att.target.release().catch(() => undefined);
          att.target = fresh;
        } catch {
          // still down: next round
        }
      }
    }
  }

  /** null while alive; the exit code (or null code) once the process is gone. */
  private async checkEnded(host: Host, files: RunFiles, id: string): Promise<{ exitCode: number | null } | null> {
    const exitCode = await readExitCode(host, files);
    if (exitCode !== null) return { exitCode };
    const row = this.repo.require(id);
    const pid = row.pid ?? (await readPid(host, files));
    if (pid && (await isAlive(host, pid))) return null;
    // Gone without exit_code: killed (or just exiting: look once more).
    await sleep(200);
    const again = await readExitCode(host, files);
    return { exitCode: again };
  }

  /** Apply parsed log events to the row (one transaction with the new offset). True when an artifact may have appeared. */
  private apply(id: string, events: LogEvent[], committedOffset: number): boolean {
    let artifacts = false;
    const points: { step: number; loss: number }[] = [];
    const row = this.repo.require(id);
    const patch: RunPatch = { log_offset: Math.max(row.log_offset, committedOffset) };
    let changed = false;
    for (const e of events) {
      switch (e.type) {
        case 'progress': {
          patch.step = e.step;
          patch.total = e.total;
          patch.seconds_per_step = e.secondsPerStep;
          if (e.lr !== null) patch.lr = e.lr;
          if (e.loss !== null) {
            patch.loss = e.loss;
            points.push({ step: e.step, loss: e.loss });
          }
          patch.message = 'training';
          const expected = row.expected_resume_step ?? 0;
          const resumed = patch.resumed_from_step ?? row.resumed_from_step;
          if (expected > 0 && resumed == null && !(patch.resume_note ?? row.resume_note)) {
            patch.resume_note = `Resume did not continue from step ${expected}: ai-toolkit restarted from step ${Math.max(0, e.step - 1)}.`;
          }
          changed = true;
          break;
        }
        case 'images':
          patch.message = `found ${e.count} images`;
          changed = true;
          break;
        case 'sampling':
          patch.message = 'generating samples';
          changed = true;
          break;
        case 'resuming':
          patch.message = 'resuming from checkpoint';
          changed = true;
          break;
        case 'resumed': {
          patch.resumed_from_step = e.step;
          patch.step = e.step;
          const expected = row.expected_resume_step ?? 0;
          patch.resume_note = expected > 0 && e.step !== expected ? `Resumed from step ${e.step}, expected ${expected}.` : null;
          patch.message = `resumed from step ${e.step}`;
          changed = true;
          break;
        }
        case 'saving':
          patch.message = `saving at step ${e.step}`;
          changed = true;
          break;
        case 'saved':
          patch.message = 'saved checkpoint';
          artifacts = true;
          changed = true;
          break;
        case 'removed':
          break;
        case 'oom':
          patch.oom_count = (patch.oom_count ?? row.oom_count) + 1;
          patch.message = `out of GPU memory (batch skipped ${e.count}/3)`;
          changed = true;
          break;
        case 'completed':
          if ((patch.outcome ?? row.outcome) !== 'error') patch.outcome = 'completed';
          changed = true;
          break;
        case 'stopped':
          patch.outcome = 'stopped';
          changed = true;
          break;
        case 'error':
          patch.outcome = 'error';
          patch.error_message = e.message;
          changed = true;
          break;
        case 'line':
          break;
      }
      if (e.type === 'sampling' || e.type === 'saved') artifacts = true;
    }
    this.repo.transaction(() => {
      this.repo.addPoints(id, points);
      this.repo.update(id, patch);
    });
    if (changed) this.emit(this.repo.require(id));
    return artifacts;
  }

  private conclude(id: string, exitCode: number | null): void {
    const r = this.repo.require(id);
    const lastErr = r.error_message ?? '';
    if (r.outcome === 'error' || (exitCode !== null && exitCode !== 0)) {
      const oom = r.oom_count > 0 || /out of memory/i.test(lastErr);
      const message = oom
        ? `Out of GPU memory at step ${r.step}: ${lastErr || 'ai-toolkit gave up after repeated OOM'}. Pick a smaller preset (lower resolution, batch 1, quantize, low VRAM) and resume.`
        : lastErr
          ? `ai-toolkit failed at step ${r.step}: ${lastErr}`
          : `ai-toolkit exited with code ${exitCode} at step ${r.step}; see the log.`;
      this.finish(id, 'failed', { error_code: oom ? 'oom' : 'training_error', error_message: message });
    } else if (r.outcome === 'stopped' || r.stop_requested) {
      this.finish(id, 'stopped', { message: `stopped at step ${r.step}` });
    } else if (r.outcome === 'completed' || (exitCode === 0 && r.step >= r.total)) {
      this.finish(id, 'completed', { message: 'completed', step: Math.max(r.step, r.total) });
    } else if (exitCode === 0) {
      this.finish(id, 'stopped', { message: `ended at step ${r.step} without a result line` });
    } else {
      this.finish(id, 'lost', {
        error_code: 'process_gone',
        error_message: `The training process is gone without a result (killed, or the host restarted) at step ${r.step}. Resume it, or mark it as stopped.`,
      });
    }
  }

  private finish(id: string, state: RunRow['state'], patch: RunPatch): RunRow {
    const row = this.repo.update(id, { ...patch, state, finished_at: new Date().toISOString() });
    this.emit(row);
    return row;
  }

  private async pullArtifacts(host: Host, files: RunFiles, id: string, fetched: Map<string, string>, prev: Map<string, string>, final: boolean): Promise<void> {
    const local = this.localDir(id);
    const pull = async (dir: string, localSub: string, wanted: (n: string) => boolean, needsStable: boolean) => {
      let entries;
      try {
        entries = await host.list(dir);
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.isDirectory || e.name.startsWith('.') || !wanted(e.name)) continue;
        const sig = `${e.size}:${e.mtimeMs}`;
        const key = `${localSub}/${e.name}`;
        const dest = path.join(local, localSub, e.name);
        const stable = prev.get(key) === sig;
        prev.set(key, sig);
        if (fetched.get(key) === sig) continue;
        if (fs.existsSync(dest) && fs.statSync(dest).size === e.size && !fetched.has(key)) {
          fetched.set(key, sig); // fetched before a restart
          continue;
        }
        if (needsStable && !stable && !final) continue; // still being written: next round
        await host.get(path.posix.join(dir, e.name), dest);
        fetched.set(key, sig);
      }
    };
    await pull(path.posix.join(files.output, 'samples'), 'samples', (n) => sampleInfo(n) !== null, false);
    await pull(files.output, 'checkpoints', (n) => checkpointStep(n, id) !== undefined, true);
  }

  // ---------- local files ----------

  private localDir(id: string): string {
    return path.join(this.deps.dataDir, 'trainings', id);
  }

  private appendMirror(id: string, chunk: Buffer): void {
    if (chunk.length === 0) return;
    fs.mkdirSync(this.localDir(id), { recursive: true });
    fs.appendFileSync(path.join(this.localDir(id), 'train.log'), chunk);
  }

  private logTail(id: string, lines: number): string[] {
    const file = path.join(this.localDir(id), 'train.log');
    let text = '';
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const len = Math.min(size, 64 * 1024);
        const buf = Buffer.alloc(len);
        fs.readSync(fd, buf, 0, len, size - len);
        text = buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return [];
    }
    // A \r redraw replaces the line it is on, as in a terminal.
    return text
      .split('\n')
      .map((l) => l.split('\r').filter((s) => s.length > 0).pop() ?? '')
      .filter((l) => l.trim().length > 0)
      .slice(-lines);
  }

  private localSamples(id: string): { file: string; step: number; prompt: number }[] {
    let names: string[] = [];
    try {
      names = fs.readdirSync(path.join(this.localDir(id), 'samples'));
    } catch {
      return [];
    }
    return names
      .filter((n) => !n.startsWith('.'))
      .map((file) => ({ file, info: sampleInfo(file) }))
      .filter((x): x is { file: string; info: { step: number; prompt: number } } => x.info !== null)
      .map(({ file, info }) => ({ file, ...info }))
      .sort((a, b) => a.step - b.step || a.prompt - b.prompt || a.file.localeCompare(b.file));
  }

  private localCheckpoints(r: RunRow): TrainingCheckpoint[] {
    const dir = path.join(this.localDir(r.id), 'checkpoints');
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return [];
    }
    const out: TrainingCheckpoint[] = [];
    for (const file of names) {
      const step = checkpointStep(file, r.id);
      if (step === undefined) continue;
      out.push({ file, path: path.join(dir, file), step, final: step === null, bytes: fs.statSync(path.join(dir, file)).size });
    }
    return out.sort((a, b) => (a.final ? -1 : b.final ? 1 : (b.step ?? 0) - (a.step ?? 0)));
  }

  // ---------- plumbing ----------

  private requireRun(id: string): RunRow {
    const r = this.repo.get(id);
    if (!r) throw new StudioError('not_found', `No training run ${id}.`, 'id');
    return r;
  }

  private patch(id: string, patch: RunPatch): RunRow {
    const row = this.repo.update(id, patch);
    this.emit(row);
    return row;
  }

  private view(r: RunRow): TrainingRun {
    const samples = this.localSamples(r.id).length;
    const checkpoints = this.localCheckpoints(r).length;
    const eta = r.state === 'running' ? etaSeconds(r.step, r.total, r.seconds_per_step) : null;
    return toRun(r, { attached: this.attachments.has(r.id), sampleCount: samples, checkpointCount: checkpoints, etaSeconds: eta });
  }

  private emit(r: RunRow): void {
    if (this.closed) return;
    this.deps.emit(this.view(r));
  }

  private closed = false;

  /** Stop following (the runs keep going on their hosts); reconcile in the next studio picks them up. */
  async close(): Promise<void> {
    this.closing = true;
    await this.reconciling;
    for (const p of this.preparing.values()) p.abort(new Error('The studio is closing.'));
    await Promise.all([...this.preparingDone]);
    for (const a of this.attachments.values()) {
      a.detach = true;
      a.wake();
    }
    await Promise.all([...this.following]);
    this.closed = true;
  }
}
