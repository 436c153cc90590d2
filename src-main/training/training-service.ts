// Training runs, the facade the handlers call. A run is a row (training_runs: config, state,
// loss points, log offset; samples and checkpoints on disk) and each start or resume of it is
// a job of kind "training.run" in the lane "training:<target>" (run-executor.ts): runs on one
// target queue and go one after another, the job's progress is the run's, cancel is Stop,
// and a run that outlives the studio is followed again through the job system's reclaim.
//   planning.ts      wizard options, plan, validate
//   run-executor.ts  the job: prepare → launch → follow; reclaim after a restart
//   preparation.ts   toolkit install, dataset sync, detached launch, resume checks
//   follower.ts      following the log on the host, stop escalation, link loss
//   run-log.ts       what the log means for the row; how a run ended
//   run-book.ts      rows, their view and announcements; local-files.ts, artifacts.ts: files
//   trained-loras.ts the LoRAs trained here
//   rented-pods.ts   RunPod pods as targets ("Train on RunPod"), estimate.ts: time and cost
import path from 'node:path';
import type { Job, Settings } from '@shared/contract';
import {
  RUNPOD_NEW_TARGET,
  type RunpodTrainingPod,
  type TrainedLora,
  type TrainingEstimate,
  type TrainingModel,
  type TrainingPlan,
  type TrainingPlanRequest,
  type TrainingRun,
  type TrainingRunDetail,
} from '@shared/contract/training';
import { StudioError } from '../core/studio-error';
import type { JobExecutor } from '../jobs/job-service';
import type { Logger } from '../logging/logger';
import { validateYaml, type TrainingCatalog, type TrainingConfig } from './config';
import type { RunFollower } from './follower';
import { LocalRunFiles } from './local-files';
import { TrainingPlanner } from './planning';
import { RunBook } from './run-book';
import { TRAINING_JOB, trainingExecutor, type TrainingJobParams } from './run-executor';
import type { RentedPods } from './rented-pods';
import { estimateTraining } from './estimate';
import { combineTargets, type DatasetSource, type TrainingTargets } from './targets';
import { trainedLoras } from './trained-loras';
import { ACTIVE_STATES, type TrainingRepo } from './training-repo';

/** The part of the job system training uses. */
export interface TrainingJobs {
  submit(kind: string, params: unknown): Job;
  cancel(id: string): Job;
}

export interface TrainingDeps {
  repo: TrainingRepo;
  jobs: TrainingJobs;
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
  /** The stall guard's and "Train on RunPod"'s settings (default: 20 min, no pod stop, stop after training). */
  settings?: () => Pick<Settings, 'trainingStallMinutes' | 'stopPodOnStall' | 'runpodAfterTraining'>;
  /** Tests: the stall time in ms instead of Settings.trainingStallMinutes. */
  stallMs?: number;
}

export class TrainingService {
  private readonly book: RunBook;
  private readonly planner: TrainingPlanner;
  private readonly followers = new Map<string, RunFollower>();
  private closing = false;
  private rented: RentedPods | null = null;
  /** The studio's targets plus "RunPod: new pod" once RunPod is wired. */
  private readonly targets: TrainingTargets;

  constructor(private readonly deps: TrainingDeps) {
    this.book = new RunBook(deps.repo, new LocalRunFiles(deps.dataDir), deps.emit);
    this.targets = combineTargets(deps.targets, newPodTarget(() => this.rented));
    this.planner = new TrainingPlanner({ ...deps, targets: this.targets, runExists: (name) => deps.repo.get(name) !== null });
  }

  /** The "training.run" job kind; the studio registers it before the job system's start-up reconcile. */
  executor(): JobExecutor<TrainingJobParams> {
    return trainingExecutor({
      book: this.book,
      targets: this.targets,
      datasets: this.deps.datasets,
      log: this.deps.log,
      pollMs: this.deps.pollMs ?? 250,
      stopGraceMs: this.deps.stopGraceMs ?? 20_000,
      followers: this.followers,
      stall: () => this.stallRule(),
      rented: () => this.rented,
      afterTraining: () => this.deps.settings?.().runpodAfterTraining ?? 'stop',
    });
  }

  /** RunPod pods as training targets (rented-pods.ts), given by the composition once the RunPod service exists. */
  useRentedPods(rented: RentedPods | null): void {
    this.rented = rented;
  }

  private stallRule(): { afterMs: number; stopPod: boolean } {
    const s = this.deps.settings?.();
    return { afterMs: this.deps.stallMs ?? (s?.trainingStallMinutes ?? 20) * 60_000, stopPod: s?.stopPodOnStall ?? false };
  }

  // ---------- wizard ----------

  async options() {
    await this.refreshPods();
    const o = await this.planner.options();
    return {
      ...o,
      targets: o.targets.map((t) => {
        const pod = this.rented?.podOf(t.id) ?? null;
        return { ...t, runpod: pod ? { runpodId: pod.runpodId, gpu: pod.gpuName ?? pod.gpuId, costPerHr: pod.costPerHr, status: pod.status } : null };
      }),
      // "RunPod: new pod" is offered, not preselected: it rents a GPU.
      defaults: { ...o.defaults, target: o.targets.find((t) => t.ready && t.id !== RUNPOD_NEW_TARGET)?.id ?? null },
    };
  }

  /** Time and cost of a run before it starts (estimate.ts); the budget left when it rents a GPU. */
  async estimate(req: { target: string; model: TrainingModel; steps: number; runpod?: RunpodTrainingPod }): Promise<TrainingEstimate> {
    const rented = this.rented;
    await this.refreshPods();
    let gpu: string | null = null;
    let rate: number | null = null;
    const isNew = req.target === RUNPOD_NEW_TARGET;
    const pod = isNew ? null : (rented?.podOf(req.target) ?? null);
    if (isNew) {
      if (!req.runpod) throw new StudioError('invalid_input', 'training.estimate: runpod: pick a GPU type for the new pod', 'runpod.gpuTypeId');
      gpu = req.runpod.gpuTypeId;
    } else if (pod) {
      gpu = pod.gpuId ?? pod.gpuName;
      rate = pod.costPerHr;
    }
    if (rented && gpu !== null && (isNew || rate === null)) {
      const cloud = req.runpod?.cloud ?? 'SECURE';
      const offer = (await rented.gpus()).find((g) => g.id === gpu || g.displayName === gpu);
      if (isNew && !offer) throw new StudioError('not_found', `training.estimate: runpod.gpuTypeId: RunPod offers no GPU type ${gpu}`, 'runpod.gpuTypeId');
      rate = (cloud === 'SECURE' ? offer?.securePrice : offer?.communityPrice) ?? offer?.securePrice ?? offer?.communityPrice ?? null;
    }
    const est = estimateTraining({
      steps: req.steps,
      model: req.model,
      gpu,
      history: gpu ? this.deps.repo.speeds(gpu, req.model) : [],
      newPod: isNew,
      ratePerHr: rate,
      budget: isNew || pod ? (rented?.budgetLeft() ?? null) : null,
    });
    return { gpu, ...est };
  }

  plan(req: TrainingPlanRequest): Promise<TrainingPlan & { config: TrainingConfig }> {
    return this.planner.plan(req);
  }

  validate(yaml: string) {
    return this.planner.validate(yaml);
  }

  // ---------- runs ----------

  list(): TrainingRun[] {
    return this.book.list().map((r) => this.book.view(r));
  }

  get(id: string): TrainingRunDetail {
    const r = this.book.require(id);
    const config = JSON.parse(r.config_json) as TrainingConfig;
    const prompts = config.config.process[0]?.sample.prompts ?? [];
    const files = this.book.files;
    return {
      run: this.book.view(r),
      yaml: r.yaml,
      loss: this.deps.repo.points(id),
      samples: files.samples(id).map((s) => ({ ...s, promptText: prompts[s.prompt] ?? null })),
      checkpoints: files.checkpoints(id),
      logTail: files.logTail(id, 200),
    };
  }

  /** Queue a run on its target; it starts at once when the target's lane is free. */
  async start(req: {
    yaml: string;
    dataset: string;
    model: TrainingModel;
    target?: string;
    runpod?: RunpodTrainingPod;
    confirmOverBudget?: boolean;
  }): Promise<TrainingRun> {
    if (this.closing) throw new StudioError('unavailable', 'The studio is shutting down.');
    const v = validateYaml(req.yaml);
    if (!v.ok) {
      const first = v.errors[0];
      throw new StudioError('invalid_input', `training.start: yaml: ${v.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, first ? `yaml.${first.path}` : 'yaml');
    }
    const config = v.config;
    const name = config.config.name;
    if (this.deps.repo.get(name)) throw new StudioError('conflict', `training.start: a run named ${name} exists; resume it or choose another name.`, 'yaml.config.name');
    const ds = (await this.deps.datasets.list()).find((d) => d.name === req.dataset);
    if (!ds) throw new StudioError('not_found', `training.start: dataset: no dataset named ${req.dataset}`, 'dataset');
    const { id: targetId, layout } = await this.planner.layoutFor(req.target);
    const proc = config.config.process[0];
    if (!proc) throw new StudioError('invalid_input', 'training.start: yaml: config.process: must hold one process', 'yaml');
    await this.checkBudget(targetId, req, proc.train.steps);
    const wantFolder = path.posix.join(layout.trainingsDir, name);
    const wantData = path.posix.join(layout.datasetsDir, req.dataset);
    if (proc.training_folder !== wantFolder) {
      throw new StudioError('invalid_input', `training.start: yaml: config.process[0].training_folder: must be ${wantFolder} on ${targetId}`, 'yaml.config.process[0].training_folder');
    }
    if (proc.datasets[0]?.folder_path !== wantData) {
      throw new StudioError('invalid_input', `training.start: yaml: config.process[0].datasets[0].folder_path: must be ${wantData} on ${targetId}`, 'yaml.config.process[0].datasets[0].folder_path');
    }
    this.book.files.writeConfig(name, req.yaml);
    const row = this.deps.repo.insert({
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
    this.book.emit(row);
    if (targetId === RUNPOD_NEW_TARGET) this.book.patch(name, { host_label: `RunPod: new pod (${req.runpod?.gpuTypeId ?? '?'})`, gpu: req.runpod?.gpuTypeId ?? null });
    this.submit({ runId: name, target: targetId, ...(targetId === RUNPOD_NEW_TARGET && req.runpod ? { runpod: req.runpod } : {}) });
    return this.book.view(this.book.require(name));
  }

  /** A run on RunPod: a new pod needs its GPU; a reached cap refuses; an estimate over what is left needs the user's yes. */
  private async checkBudget(targetId: string, req: { model: TrainingModel; runpod?: RunpodTrainingPod; confirmOverBudget?: boolean }, steps: number): Promise<void> {
    const isNew = targetId === RUNPOD_NEW_TARGET;
    if (isNew && !req.runpod) throw new StudioError('invalid_input', 'training.start: runpod: pick a GPU type for the new pod', 'runpod.gpuTypeId');
    if (isNew && this.rented?.unavailable()) throw new StudioError('unavailable', `training.start: ${this.rented.unavailable()}`);
    if (!isNew && !this.rented?.podOf(targetId)) return;
    const est = await this.estimate({ target: targetId, model: req.model, steps, ...(req.runpod ? { runpod: req.runpod } : {}) });
    if (est.budgetCap === null || est.budgetLeftUsd === null) return;
    const cap = est.budgetCap === 'session' ? 'session budget (runpodBudgetSessionUsd)' : 'monthly budget (runpodBudgetMonthUsd)';
    if (est.budgetLeftUsd <= 0) {
      throw new StudioError('conflict', `training.start: the RunPod ${cap} is used up: raise or clear it in Settings to train on RunPod.`);
    }
    if (est.exceedsBudget && !req.confirmOverBudget) {
      throw new StudioError(
        'conflict',
        `training.start: the estimated cost $${(est.usd ?? 0).toFixed(2)} (${Math.round(est.seconds / 60)} min at $${(est.ratePerHr ?? 0).toFixed(2)}/h) is more than the $${est.budgetLeftUsd.toFixed(2)} left of the ${cap}: confirm to start anyway (the cap stops the pod when it is reached), or raise the budget in Settings.`,
        'confirmOverBudget',
      );
    }
  }

  private async refreshPods(): Promise<void> {
    if (!this.rented || this.rented.unavailable()) return;
    try {
      await this.rented.refresh();
    } catch (err) {
      this.deps.log.warn(`training: could not read the RunPod pods: ${(err as Error).message}`);
    }
  }

  /** A training job ended: its cost is now stored; show it on the run. */
  jobEnded(job: { kind: string; params: Record<string, unknown> }): void {
    if (job.kind !== TRAINING_JOB || typeof job.params.runId !== 'string') return;
    const r = this.book.get(job.params.runId);
    if (r) this.book.emit(r);
  }

  /** Queue a stopped or failed run to continue from its newest checkpoint (optionally to more steps). */
  resume(id: string, steps?: number): TrainingRun {
    if (this.closing) throw new StudioError('unavailable', 'The studio is shutting down.');
    const r = this.book.require(id);
    if (ACTIVE_STATES.includes(r.state)) throw new StudioError('conflict', `training.resume: run ${id} is ${r.state}; stop it first.`);
    if (steps !== undefined && steps <= r.step) throw new StudioError('invalid_input', `training.resume: steps: must be more than the ${r.step} already trained`, 'steps');
    if (steps === undefined && r.state === 'completed') throw new StudioError('conflict', `training.resume: run ${id} is complete; give more steps to train further.`, 'steps');
    this.book.patch(id, {
      state: 'queued',
      outcome: null,
      oom_count: 0,
      stop_requested: 0,
      error_code: null,
      error_message: null,
      finished_at: null,
      message: 'queued to resume',
    });
    this.submit({ runId: id, target: r.target, resume: true, ...(steps !== undefined ? { steps } : {}) });
    return this.book.view(this.book.require(id));
  }

  private submit(params: TrainingJobParams): void {
    try {
      const job = this.deps.jobs.submit(TRAINING_JOB, params);
      // A free lane has already started it (state 'preparing', job_id set); a busy one leaves it queued.
      const row = this.book.require(params.runId);
      if (row.job_id !== job.id && row.state === 'queued') this.book.patch(params.runId, { job_id: job.id });
    } catch (err) {
      this.book.finish(params.runId, 'failed', { error_code: 'start_failed', error_message: (err as Error).message });
      throw err;
    }
  }

  /** Stop = cancel of the run's job: a queued run leaves the queue, a running one is stopped gracefully. */
  stop(id: string): TrainingRun {
    const r = this.book.require(id);
    if (!ACTIVE_STATES.includes(r.state) || !r.job_id) throw new StudioError('conflict', `training.stop: run ${id} is ${r.state}, not running.`);
    if ((r.state === 'running' || r.state === 'stopping') && !r.pid) throw new StudioError('conflict', `training.stop: run ${id} has no process id.`);
    if (r.state === 'running' || r.state === 'stopping') this.book.patch(id, { state: 'stopping', stop_requested: 1, message: 'stopping' });
    else if (r.state === 'preparing') this.book.patch(id, { stop_requested: 1 });
    try {
      this.deps.jobs.cancel(r.job_id);
    } catch (err) {
      if (err instanceof StudioError) throw new StudioError(err.code, `training.stop: ${err.message}`);
      throw err;
    }
    return this.book.view(this.book.require(id));
  }

  /** Record a run whose process is gone (or whose host is gone for good) as stopped. */
  markStopped(id: string): TrainingRun {
    const r = this.book.require(id);
    const follower = this.followers.get(id);
    const followed = this.book.attached.has(id);
    if (r.state !== 'lost' && !(ACTIVE_STATES.includes(r.state) && r.state !== 'queued' && r.state !== 'preparing' && !followed)) {
      throw new StudioError('conflict', `training.markStopped: run ${id} is ${r.state}${followed ? ' and being followed' : ''}.`);
    }
    const row = this.book.finish(id, 'stopped', { message: 'marked as stopped' });
    follower?.abandon();
    return this.book.view(row);
  }

  sampleDataUrl(id: string, file: string): string {
    this.book.require(id);
    return this.book.files.sampleDataUrl(id, file);
  }

  trainedLoras(): TrainedLora[] {
    return trainedLoras(this.book);
  }

  /** A target came back (a pod link reconnected): runs waiting for it try at once. */
  wake(targetId: string): void {
    for (const f of this.followers.values()) if (this.book.get(f.runId)?.target === targetId) f.wake();
  }

  /**
   * After the job system closed (which made every running training job stop following;
   * the runs keep going on their hosts and the next studio reclaims their jobs).
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const f of this.followers.values()) f.detach();
    this.book.closed = true;
  }
}

/** The "RunPod: new pod" target: listed once RunPod is wired; the run creates its pod (run-executor.ts), so it is never opened. */
function newPodTarget(rented: () => RentedPods | null): TrainingTargets {
  const info = () => {
    const r = rented();
    if (!r) return [];
    const why = r.unavailable();
    return [{ id: RUNPOD_NEW_TARGET, label: 'RunPod: new pod (pick GPU)', ready: why === null, reason: why, layout: r.newPodLayout() }];
  };
  return {
    async list() {
      return info();
    },
    async open() {
      throw new Error('A new RunPod pod is created by its run; it is not opened as a target.');
    },
  };
}
