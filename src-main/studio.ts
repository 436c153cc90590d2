// The composition root: everything main does, wired once, with no Electron in sight.
// The desktop app, `serve` and the CLI each create one Studio over a data dir and hand
// it their platform (desktop dialogs, or none) and secret store.
import fs from 'node:fs';
import path from 'node:path';
import { createDispatch, type Dispatch } from './api/dispatch';
import { systemHandlers } from './system/system-handlers';
import { settingsHandlers } from './settings/settings-handlers';
import { secretsHandlers } from './secrets/secrets-handlers';
import { jobsHandlers } from './jobs/jobs-handlers';
import { promptHandlers } from './prompt/prompt-handlers';
import { templatesHandlers } from './templates/templates-handlers';
import { galleryHandlers } from './gallery/gallery-handlers';
import { metadataHandlers } from './metadata/metadata-handlers';
import { generationHandlers } from './generation/generation-handlers';
import { localHandlers } from './generation/local/local-handlers';
import { datasetHandlers } from './datasets/dataset-handlers';
import { taggingHandlers } from './datasets/tagging/tagging-handlers';
import { trainingHandlers } from './training/training-handlers';
import { podHandlers } from './pods/pods-handlers';
import { runpodHandlers } from './runpod/runpod-handlers';
import type { Handlers } from './api/handlers-type';
import { openDatabase, type Db } from './db/open-database';
import { JobRepo } from './jobs/job-repo';
import { JobService, type JobExecutor } from './jobs/job-service';
import { LogSink, type Logger } from './logging/logger';
import { backupExecutor } from './system/backup-job';
import type { MediaRoots } from './media/media-roots';
import { headlessPlatform, type Platform } from './platform/platform';
import { FileSecretStore, plainFileCipher } from './secrets/file-secret-store';
import type { SecretCipher } from './secrets/secret-store';
import { SecretsService } from './secrets/secrets-service';
import { loadDefaultSettings, SettingsService } from './settings/settings-service';
import { loadPresets, PresetsService } from './generation/presets-service';
import { loadShippedTemplates, TemplatesService } from './templates/templates-service';
import { TokenService } from './prompt/token-service';
import { clipTrimmer, EnhanceService, promptFiles } from './prompt/enhance-service';
import { EventBus } from './core/event-bus';
import { GalleryService } from './gallery/gallery-service';
import { ThumbnailService } from './gallery/thumbnails/thumbnail-service';
import { readImageParameters } from './metadata/read-parameters';
import { LocalService } from './generation/local/local-service';
import { LocalRuntime } from './generation/local/local-runtime';
import { ModelDownloads, ortBinDir } from './generation/local/model-downloads';
import { defaultWorkerPath, type WorkerSpawner } from './generation/local/onnx-worker-client';
import { DatasetService } from './datasets/dataset-service';
import { TaggingService } from './datasets/tagging/tagging-service';
import { TrainingService } from './training/training-service';
import { TrainingRepo } from './training/training-repo';
import { loadTrainingCatalog } from './training/config';
import { combineTargets, managedDatasets, localTargets, type DatasetSource, type ToolkitSource, type TrainingTargets } from './training/targets';
import { podTargets } from './training/pod-targets';
import { PodRepo } from './pods/pod-repo';
import { PodConnections, passphraseSecret, type ReconnectPolicy } from './pods/pod-connections';
import { PodsService } from './pods/pods-service';
import { podLinks, type PodLinkWatchdog } from './pods/pod-links';
import { RuntimeRegistry } from './generation/runtime-registry';
import { RemoteRuntime } from './generation/remote/remote-runtime';
import { GenerationService } from './generation/generation-service';
import type { SftpTuning } from './hosts/ssh-host';
import { createRunpodClient, DEFAULT_RUNPOD_API, type RetryPolicy } from './runpod/runpod-client';
import { RunpodService, type RunpodTiming } from './runpod/runpod-service';
import { armForProfile, extendWatchdog, readWatchdog, type WatchdogArming } from './pods/pod-watchdog';
import { SpendMeter } from './runpod/spend-meter';
import type { RunpodPod, SpendMeter as SpendMeterShape } from '@shared/contract/runpod';
import { BudgetGuard } from './billing/budget-guard';
import { rentedTrainingPods } from './billing/rented-training-pods';

export interface StudioOptions {
  dataDir: string;
  dataDirSource?: 'flag' | 'env' | 'default';
  /** Folder holding configs/ (the repo root in a checkout, resources/ in a package). */
  resourcesDir: string;
  version: string;
  platform?: Platform;
  cipher?: SecretCipher;
  env?: NodeJS.ProcessEnv;
  consoleLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  consoleWrite?: (text: string) => void;
  /**
   * Extra job executors, registered before start-up reconciliation so that rows of their
   * kind left queued or running are resumed or reclaimed instead of marked interrupted.
   */
  executors?: readonly JobExecutor<never>[];
  /**
   * Watch the gallery sources and scan them at start-up (default: in the desktop app).
   * `serve` starts it itself; one-shot CLI commands leave it off.
   */
  watchGallery?: boolean;
  /** The built local inference worker (default: out/main/local-worker.js). */
  localWorkerPath?: string;
  /** How to start it (default: child_process.fork; the desktop app uses a utility process). */
  localWorkerSpawner?: WorkerSpawner;
  /** Training wiring: where runs can go (default: this computer per Settings) and which datasets exist (default: <dataDir>/datasets/*). */
  training?: {
    targets?: (ctx: { settings: SettingsService; dataDir: string }) => TrainingTargets;
    datasets?: DatasetSource;
    pollMs?: number;
    stopGraceMs?: number;
    /** Tests: the stall guard's time in ms instead of Settings.trainingStallMinutes. */
    stallMs?: number;
    /** Where pods install ai-toolkit from (default: github.com/ostris/ai-toolkit at the pinned commit, torch by the driver). */
    aiToolkit?: ToolkitSource;
  };
  /** Remote pods: test and benchmark knobs (worker env/flags, reconnect backoff, SFTP tuning). */
  pods?: {
    workerEnv?: Readonly<Record<string, string>>;
    workerArgs?: readonly string[];
    reconnect?: Partial<ReconnectPolicy>;
    sftp?: Partial<SftpTuning>;
    /** Electron builds: BoringSSL has no chacha20-poly1305. */
    noChacha?: boolean;
    recoverTimeoutMs?: number;
    bootstrapArgs?: readonly string[];
  };
  /** RunPod (docs/architecture.md, "RunPod"): API base (default FLUX_STUDIO_RUNPOD_API or https://api.runpod.io) and test knobs. */
  runpod?: {
    apiBase?: string;
    /** Where new pods mount their volume, and so their profiles' workspace (default /workspace; loopback test pods: a temp folder). */
    mountPath?: string;
    profileDefaults?: { python?: string | null; pipeline?: 'standin' | 'diffusers' };
    timing?: Partial<RunpodTiming>;
    retry?: Partial<RetryPolicy>;
    /** Tests: the on-pod watchdog's countdown in seconds, its check interval, where it reads RUNPOD_*. */
    watchdog?: Pick<PodLinkWatchdog, 'idleSeconds' | 'tickSeconds' | 'envFile'>;
  };
}

export interface Studio {
  readonly info: {
    name: string;
    version: string;
    platform: string;
    dataDir: string;
    dataDirSource: 'flag' | 'env' | 'default';
  };
  readonly db: Db;
  readonly log: Logger;
  readonly logs: LogSink;
  readonly events: EventBus;
  readonly settings: SettingsService;
  readonly secrets: SecretsService;
  readonly jobs: JobService;
  readonly presets: PresetsService;
  readonly templates: TemplatesService;
  readonly tokens: TokenService;
  readonly enhance: EnhanceService;
  readonly platform: Platform;
  readonly gallery: GalleryService;
  readonly local: LocalService;
  readonly datasets: DatasetService;
  readonly tagging: TaggingService;
  readonly training: TrainingService;
  readonly pods: PodsService;
  readonly podConnections: PodConnections;
  readonly runpod: RunpodService;
  /** Generation runtimes: remote registers here; the local one calls `studio.runtimes.register(runtime)`. */
  readonly runtimes: RuntimeRegistry;
  readonly generation: GenerationService;
  readonly handlers: Handlers;
  readonly dispatch: Dispatch;
  mediaRoots(): MediaRoots;
  /** True for paths inside the data dir or the output folder. */
  isStudioPath(p: string): boolean;
  close(): Promise<void>;
}

export async function createStudio(opts: StudioOptions): Promise<Studio> {
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const env = opts.env ?? process.env;

  // The redactor needs the secrets, and the secret store wants a logger: break the cycle
  // with a late-bound reference.
  let secretValues: () => string[] = () => [];
  const logs = new LogSink({
    file: path.join(dataDir, 'logs', 'studio.log'),
    consoleLevel: opts.consoleLevel ?? 'info',
    fileLevel: 'debug',
    maxBytes: 5 * 1024 * 1024,
    maxFiles: 5,
    redactions: () => secretValues(),
    consoleWrite: opts.consoleWrite,
  });
  const log = logs.logger('studio');

  const db = openDatabase(path.join(dataDir, 'studio.db'));
  const events = new EventBus();
  logs.subscribe((line) => events.emit('log.line', line));

  const store = new FileSecretStore(
    path.join(dataDir, opts.cipher ? 'secrets.safe.json' : 'secrets.json'),
    opts.cipher ?? plainFileCipher,
    log.child('secrets'),
  );
  const secrets = new SecretsService(store, env);
  secretValues = () => secrets.values();

  const configsDir = path.join(opts.resourcesDir, 'configs');
  const settings = new SettingsService(db, loadDefaultSettings(configsDir, dataDir), log.child('settings'));
  const presets = new PresetsService(loadPresets(configsDir), () => settings.get());
  const templates = new TemplatesService(db, loadShippedTemplates(configsDir));
  const tokens = new TokenService(() => ({ clipTokenizerDir: settings.get().clipTokenizerDir, dataDir, resourcesDir: opts.resourcesDir }));
  const enhance = new EnhanceService({
    getKey: () => secrets.get('anthropic'),
    settings: () => settings.get(),
    ...promptFiles(dataDir, opts.resourcesDir),
    trimToClip: clipTrimmer(tokens),
    // For proxies and tests; the SDK is never left to read the environment itself.
    baseURL: env.ANTHROPIC_BASE_URL || undefined,
    log: log.child('enhance'),
  });
  settings.onChange((s) => events.emit('settings.changed', s));

  const jobs = new JobService(
    new JobRepo(db),
    {
      updated: (job) => events.emit('job.updated', job),
      progress: (jobId, progress) => events.emit('job.progress', { jobId, progress }),
    },
    log.child('jobs'),
  );
  jobs.register(backupExecutor(db, dataDir));

  const platform = opts.platform ?? headlessPlatform;
  const thumbsDir = path.join(dataDir, 'thumbs');
  const thumbs = new ThumbnailService({ thumbsDir, log: log.child('thumbs') });
  const gallery = new GalleryService({
    db,
    dataDir,
    settings,
    jobs,
    platform,
    log: log.child('gallery'),
    readParameters: readImageParameters,
    thumbs,
    changed: (delta) => events.emit('gallery.changed', delta),
    env,
  });
  for (const executor of gallery.executors()) jobs.register(executor);
  const datasets = new DatasetService({ db, dataDir, log: log.child('datasets'), thumbs, jobs, changed: (name) => events.emit('datasets.changed', { name }) });
  for (const executor of datasets.executors()) jobs.register(executor);
  const tagging = new TaggingService({
    dataDir,
    resourcesDir: opts.resourcesDir,
    datasets,
    jobs,
    getKey: () => secrets.get('anthropic'),
    baseURL: env.ANTHROPIC_BASE_URL || undefined,
    log: log.child('tagging'),
  });
  jobs.register(tagging.executor());

  const local = new LocalService({
    settings,
    workerPath: opts.localWorkerPath ?? defaultWorkerPath(opts.resourcesDir),
    spawn: opts.localWorkerSpawner,
    log: log.child('local'),
    changed: (status) => events.emit('local.status', status),
  });
  // Model downloads from the Hugging Face Hub: a job; the token comes from the secret store only.
  local.downloads = new ModelDownloads({
    env,
    token: () => {
      try {
        return secrets.get('huggingface');
      } catch {
        return null;
      }
    },
    addModel: (dir, select) => {
      const m = local.addModel(dir);
      if (select) local.selectModel(dir);
      return { kind: m.kind, name: m.name };
    },
    hasActiveModel: () => local.activeModel() !== null,
    ortBinDir: ortBinDir(),
    submit: (kind, params) => jobs.submit(kind, params),
  });
  jobs.register(local.downloads.executor());

  const podRepo = new PodRepo(db, (id) => secrets.getNamed(passphraseSecret(id)) !== null);
  const podFilesDir = path.join(opts.resourcesDir, 'native', 'pod');
  const podConnections = new PodConnections({
    repo: podRepo,
    secrets,
    log: log.child('pods'),
    onStatus: (status) => events.emit('pods.status', status),
    reconnect: opts.pods?.reconnect,
    sftp: opts.pods?.sftp,
    noChacha: opts.pods?.noChacha,
  });
  const pods = new PodsService({
    repo: podRepo,
    connections: podConnections,
    secrets,
    jobs,
    log: log.child('pods'),
    changed: (id) => events.emit('pods.changed', { id }),
    hfToken: () => secrets.get('huggingface'),
    bootstrapArgs: opts.pods?.bootstrapArgs,
  });
  jobs.register(pods.prepareExecutor(podFilesDir));
  // RunPod: rented pods behind pod profiles; the API key never leaves main (runpod/runpod-client.ts).
  const runpodLog = log.child('runpod');
  const runpodBase = opts.runpod?.apiBase ?? (env.FLUX_STUDIO_RUNPOD_API || DEFAULT_RUNPOD_API);
  // How the on-pod idle watchdog is armed, by pod links (worker install) and the runpod service (create, start).
  const watchdogArming: WatchdogArming = {
    idleMinutes: () => settings.get().runpodIdleStopMinutes,
    // The pod calls RunPod itself; a non-default base (tests, a proxy) is handed to it.
    apiBase: () => (runpodBase === DEFAULT_RUNPOD_API ? null : runpodBase),
    ...opts.runpod?.watchdog,
    onError: (podId, err) => runpodLog.warn(`pod ${podId}: could not arm the idle watchdog: ${(err as Error).message}`),
  };
  const runpod = new RunpodService({
    api: createRunpodClient({
      baseUrl: runpodBase,
      apiKey: () => secrets.get('runpod'),
      log: runpodLog,
      retry: opts.runpod?.retry,
    }),
    configured: () => secrets.get('runpod') !== null,
    repo: podRepo,
    connections: podConnections,
    jobs,
    settings,
    meter: new SpendMeter(db),
    log: runpodLog,
    keyDir: path.join(dataDir, 'runpod'),
    mountPath: opts.runpod?.mountPath,
    profileDefaults: opts.runpod?.profileDefaults,
    // The on-pod idle watchdog (pods/pod-watchdog.ts), read and extended over the pod's SSH link.
    watchdog: {
      read: async (profile) => readWatchdog(await podConnections.host(profile), profile.workspace),
      extend: async (profile, minutes) => extendWatchdog(await podConnections.host(profile), profile.workspace, minutes),
      arm: async (profile) => {
        try {
          return await armForProfile(await podConnections.host(profile), profile, watchdogArming, { podFilesDir });
        } catch (err) {
          watchdogArming.onError?.(profile.id, err);
          return null;
        }
      },
    },
    timing: opts.runpod?.timing,
    emitPods: (list) => events.emit('runpod.pods', list),
    emitSpend: (meter) => events.emit('runpod.spend', meter),
  });
  for (const executor of runpod.executors()) jobs.register(executor);
  const runtimes = new RuntimeRegistry();
  // Generation reaches pods only through this narrow interface (generation/remote/pod-link.ts);
  // a stopped rented pod is started first (pods/pod-power.ts, implemented by the runpod service).
  const generationPods = podLinks({
    pod: (id) => podRepo.require(id),
    connections: podConnections,
    podFilesDir,
    power: runpod,
    watchdog: watchdogArming,
  });
  runtimes.register(
    new RemoteRuntime({
      pods: generationPods,
      workerEnv: opts.pods?.workerEnv,
      workerArgs: opts.pods?.workerArgs,
      tmpDir: path.join(dataDir, 'tmp', 'remote'),
      deleteAfterFetch: () => settings.get().deleteFromPodAfterFetch,
      log: log.child('remote'),
      recoverTimeoutMs: opts.pods?.recoverTimeoutMs,
    }),
  );
  runtimes.register(new LocalRuntime(local));
  const generation = new GenerationService({
    jobs,
    presets,
    settings,
    gallery,
    runtimes,
    pod: (id) => generationPods.link(id),
    platform,
    version: opts.version,
    log: log.child('generation'),
    trainingsDir: path.join(dataDir, 'trainings'),
  });
  jobs.register(generation.executor());
  for (const executor of opts.executors ?? []) jobs.register(executor);

  const training = new TrainingService({
    repo: new TrainingRepo(db),
    dataDir,
    catalog: loadTrainingCatalog(configsDir),
    targets:
      opts.training?.targets?.({ settings, dataDir }) ??
      combineTargets(
        localTargets(() => settings.get(), dataDir),
        // A training on a stopped rented pod starts it first (and gets its new address).
        podTargets(pods, { host: async (pod) => podConnections.host(await runpod.ensureRunning(pod, (m) => runpodLog.info(`${pod.name}: ${m}`))), status: (id) => podConnections.status(id) }, podFilesDir, opts.training?.aiToolkit),
      ),
    datasets: opts.training?.datasets ?? managedDatasets(datasets, dataDir),
    jobs,
    emit: (run) => events.emit('training.updated', run),
    log: log.child('training'),
    pollMs: opts.training?.pollMs,
    stopGraceMs: opts.training?.stopGraceMs,
    settings: () => settings.get(),
    stallMs: opts.training?.stallMs,
  });
  jobs.register(training.executor());

  // Cost and budget (docs/architecture.md, "Cost, budget and stall guard"): jobs on RunPod pods
  // are billed at their GPU's $/h, the caps refuse new ones and stop pods, and training reaches
  // RunPod pods ("Train on RunPod") through billing/rented-training-pods.ts.
  const budget = new BudgetGuard({ settings: () => settings.get(), jobs, stop: (id) => runpod.stop(id), log: log.child('budget') });
  jobs.useBilling({
    rate: (job) => budget.rate(job),
    refuse: (job) => budget.refuse(job),
    ended: (job) => {
      budget.ended(job);
      training.jobEnded(job);
    },
  });
  settings.onChange(() => budget.check());
  events.subscribe((name, payload) => {
    if (name === 'runpod.pods') budget.seePods(payload as RunpodPod[]);
    else if (name === 'runpod.spend') budget.seeSpend(payload as SpendMeterShape);
  });
  training.useRentedPods(
    rentedTrainingPods({
      runpod,
      repo: podRepo,
      budget,
      configured: () => secrets.get('runpod') !== null,
      workspace: opts.runpod?.mountPath ?? '/workspace',
      laneBusy: (lane) => jobs.laneBusy(lane),
    }),
  );

  const mediaRoots = (): MediaRoots => ({
    output: settings.get().outputDir,
    thumbs: thumbsDir,
    datasets: path.join(dataDir, 'datasets'),
    sources: gallery.sourceFolders(),
  });

  const partial = {
    info: {
      name: 'flux-studio',
      version: opts.version,
      platform: `${process.platform}-${process.arch}`,
      dataDir,
      dataDirSource: opts.dataDirSource ?? 'default',
    },
    db,
    log,
    logs,
    events,
    settings,
    secrets,
    jobs,
    presets,
    templates,
    tokens,
    enhance,
    platform,
    gallery,
    local,
    datasets,
    tagging,
    training,
    pods,
    podConnections,
    runpod,
    runtimes,
    generation,
    mediaRoots,
    isStudioPath(p: string): boolean {
      const roots = [dataDir, settings.get().outputDir, ...Object.values(gallery.sourceFolders())];
      const abs = path.resolve(p);
      return roots.some((r) => {
        const rel = path.relative(r, abs);
        return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
      });
    },
    async close(): Promise<void> {
      gallery.stopWatching();
      await runpod.close();
      await jobs.close(); // training jobs stop following; their runs go on and are reclaimed next time
      await training.close();
      await local.close();
      await podConnections.closeAll();
      await gallery.close();
      db.close();
    },
  };
  const studio = partial as Studio;
  const handlers = createHandlers(studio);
  Object.assign(studio, { handlers, dispatch: createDispatch(handlers, log.child('api')) });

  await jobs.reconcile();
  // A pod link came back: training runs waiting for it (reclaimed at start-up while it was away) try at once.
  events.subscribe((name, payload) => {
    if (name === 'pods.status' && (payload as { state?: string }).state === 'connected') training.wake(`pod:${(payload as { id: string }).id}`);
  });
  if (opts.watchGallery ?? platform.transport === 'electron') gallery.start();
  log.debug(`studio ready; data dir ${dataDir}`);
  return studio;
}

/**
 * The handler table: one handler file per capability, each given only its own service(s)
 * (docs/architecture.md, "How a call travels"). `satisfies` keeps the literal keys, so the
 * type-level test compares exactly these keys with the contract's call names.
 */
export function createHandlers(s: Omit<Studio, 'handlers' | 'dispatch'>) {
  const { info, platform, logs, jobs, events, settings, secrets, tokens, enhance, templates, gallery, presets, generation, runtimes, local, datasets, tagging, training, pods, runpod } = s;
  return {
    ...systemHandlers({ info, platform, logs, jobs, isStudioPath: (p) => s.isStudioPath(p) }),
    ...settingsHandlers(settings),
    ...secretsHandlers(secrets),
    ...jobsHandlers(jobs, events),
    ...promptHandlers(tokens, enhance),
    ...templatesHandlers(templates),
    ...galleryHandlers(gallery),
    ...metadataHandlers((req) => gallery.readMetadata(req)),
    ...generationHandlers(presets, generation, runtimes),
    ...localHandlers(local),
    ...datasetHandlers(datasets),
    ...taggingHandlers(tagging),
    ...trainingHandlers(training),
    ...podHandlers(pods),
    ...runpodHandlers(runpod),
  } satisfies Handlers;
}
