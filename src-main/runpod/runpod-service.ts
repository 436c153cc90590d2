// RunPod from the studio (issue 15; docs/architecture.md, "RunPod"): the account's pods, the
// GPU catalog, create / start / stop / terminate, the spend meter, and PodPower (a generation
// or training on a stopped pod starts it first). A pod the studio reaches over SSH is linked
// to a pod profile (pods/pod-repo.ts): this service keeps that profile's address and host
// key true after every start; generation and training keep talking to profiles.
import { z } from 'zod';
import type { Job, PodProfile } from '@shared/contract';
import type { GpuOffer, NetworkVolume, RunpodCreateRequest, RunpodPod, SpendMeter as SpendMeterShape, WatchdogStatus } from '@shared/contract/runpod';
import { StudioError } from '../core/studio-error';
import { isSshError } from '../hosts/ssh-errors';
import type { HostKeyInfo } from '../hosts/ssh-host';
import type { JobExecutor, JobService } from '../jobs/job-service';
import type { Logger } from '../logging/logger';
import type { PodConnections } from '../pods/pod-connections';
import type { PodPower, PowerProgress } from '../pods/pod-power';
import type { PodRepo } from '../pods/pod-repo';
import type { SettingsService } from '../settings/settings-service';
import { NoBalanceError, NoCapacityError, networkError, unwrap, type ApiCreatePod, type ApiPod, type RunpodApi } from './runpod-client';
import { readLogFingerprints } from './pod-log-fingerprints';
import { gpuDisplayName, STUDIO_ENV, stockLabel, toRunpodPod } from './runpod-prices';
import type { SpendMeter } from './spend-meter';
import { ensureStudioKey, registerStudioKey, type StudioKey } from './studio-ssh-key';
import { setTimeout as wait } from 'node:timers/promises';

export const CREATE_KIND = 'runpod.create';
export const START_KIND = 'runpod.start';

/** The on-pod idle watchdog, as the runpod service reaches it (pods/pod-watchdog.ts implements it). */
export interface PodWatchdogAccess {
  read(profile: PodProfile): Promise<WatchdogStatus>;
  extend(profile: PodProfile, minutes: number): Promise<WatchdogStatus>;
  /** Arms it (uploading watchdog.py first): a pod created or started from the Pods page and then forgotten is still stopped. Never throws. */
  arm(profile: PodProfile): Promise<WatchdogStatus | null>;
}

export interface RunpodTiming {
  /** Between two reads of a pod while waiting for it (ms). */
  pollMs: number;
  /** Give up waiting for SSH after this long (ms). */
  sshTimeoutMs: number;
  /** The meter's and the pods list's background poll (ms), while someone looks or a pod runs. */
  watchMs: number;
  /** How long after the last look (runpod.pods / runpod.spend) the background poll goes on (ms). */
  lookWindowMs: number;
  /** Typical seconds from create / start to SSH, for the first ETA (then measured). */
  createEtaSec: number;
  startEtaSec: number;
}

export const DEFAULT_TIMING: RunpodTiming = { pollMs: 2_000, sshTimeoutMs: 10 * 60_000, watchMs: 15_000, lookWindowMs: 5 * 60_000, createEtaSec: 90, startEtaSec: 40 };

export interface RunpodServiceDeps {
  api: RunpodApi;
  /** A key is set (env or store). */
  configured(): boolean;
  repo: PodRepo;
  connections: PodConnections;
  jobs: JobService;
  settings: SettingsService;
  meter: SpendMeter;
  log: Logger;
  /** Where the studio's SSH key lives (<dataDir>/runpod). */
  keyDir: string;
  /** Where a new pod's volume is mounted, and so its profile's workspace (default /workspace; tests: the loopback pod's folder). */
  mountPath?: string;
  /** Extra settings of a profile the studio creates (tests: the standin pipeline, the test venv's python). */
  profileDefaults?: { python?: string | null; pipeline?: 'standin' | 'diffusers' };
  watchdog?: PodWatchdogAccess;
  timing?: Partial<RunpodTiming>;
  emitPods(pods: RunpodPod[]): void;
  emitSpend(meter: SpendMeterShape): void;
}

const CreateParams = z.object({ request: z.custom<RunpodCreateRequest>((v) => typeof v === 'object' && v !== null) });
const StartParams = z.object({ id: z.string(), name: z.string() });

/** One progress line for a job or a PodPower caller. */
export type Progress = (message: string, etaSeconds: number | null) => void;

function abortError(): Error {
  return Object.assign(new Error('cancelled'), { name: 'AbortError' });
}

/** Waits ms, or rejects with an AbortError when the signal fires (node:timers/promises). */
function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return wait(ms, undefined, signal ? { signal } : undefined);
}

export class RunpodService implements PodPower {
  private readonly timing: RunpodTiming;
  private readonly mountPath: string;
  private gpuNames = new Map<string, string>();
  private readonly watchdogs = new Map<string, WatchdogStatus>();
  private readonly starting = new Map<string, Promise<PodProfile>>();
  private lastPods: ApiPod[] = [];
  private lookedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Measured seconds to SSH (create / start), for the next ETA. */
  private measured = { create: 0, start: 0 };

  constructor(private readonly deps: RunpodServiceDeps) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.mountPath = deps.mountPath ?? '/workspace';
    this.measured = { create: this.timing.createEtaSec, start: this.timing.startEtaSec };
  }

  // ---------------------------------------------------------------- reads

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw networkError(err, what);
    }
  }

  private async apiPods(signal?: AbortSignal): Promise<ApiPod[]> {
    const r = await this.call('list pods', async () => unwrap(await this.deps.api.GET('/v2/pods', { signal }), 'list pods'));
    const pods = r.pods ?? [];
    this.observe(pods);
    return pods;
  }

  private async apiPod(id: string, signal?: AbortSignal): Promise<ApiPod> {
    return this.call('read the pod', async () => unwrap(await this.deps.api.GET('/v2/pods/{id}', { params: { path: { id } }, signal }), `read pod ${id}`));
  }

  private rate(p: RunpodPod): number {
    return p.costPerHr + p.storageCostPerHr;
  }

  private map(p: ApiPod): RunpodPod {
    const base = toRunpodPod(p, { displayName: (id) => this.gpuNames.get(id) ?? id, profileId: this.deps.repo.byRunpodId(p.id)?.id ?? null, sessionSpendUsd: 0, watchdog: this.watchdogs.get(p.id) ?? null });
    return { ...base, sessionSpendUsd: this.deps.meter.sessionUsd(p.id) };
  }

  /** A fresh read of the pods: the meter adds what they cost since the last read. */
  private observe(pods: ApiPod[]): void {
    const seen = new Set(pods.map((p) => p.id));
    for (const p of pods) this.deps.meter.observe(p.id, this.rate(toRunpodPod(p, { displayName: (id) => id, profileId: null, sessionSpendUsd: 0, watchdog: null })));
    for (const old of this.lastPods) if (!seen.has(old.id)) this.deps.meter.forget(old.id);
    this.lastPods = pods;
  }

  /** The account's pods (made by the studio or on the website). */
  async pods(): Promise<RunpodPod[]> {
    this.look();
    const pods = (await this.apiPods()).map((p) => this.map(p));
    this.deps.emitPods(pods);
    this.deps.emitSpend(this.meterNow());
    return pods;
  }

  /** The GPU catalog for pods, with price and stock per cloud. */
  async gpus(): Promise<GpuOffer[]> {
    const read = async (cloud: 'SECURE' | 'COMMUNITY') =>
      this.call('read the GPU catalog', async () =>
        unwrap(await this.deps.api.GET('/v2/catalog/gpus', { params: { query: { include: ['AVAILABILITY'], product: ['POD'], cloud } } }), 'read the GPU catalog'),
      );
    const [secure, community] = await Promise.all([read('SECURE'), read('COMMUNITY')]);
    const stockC = new Map(community.gpus.map((g) => [g.id, g.availability]));
    const offers = secure.gpus.map((g) => {
      this.gpuNames.set(g.id, gpuDisplayName(g));
      return {
        id: g.id,
        displayName: gpuDisplayName(g),
        memoryGb: g.memory,
        securePrice: g.secure ? g.price.secure : null,
        communityPrice: g.community ? g.price.community : null,
        secureStock: g.secure ? stockLabel(g.availability) : null,
        communityStock: g.community ? stockLabel(stockC.get(g.id)) : null,
      };
    });
    return offers.sort((a, b) => (a.securePrice ?? a.communityPrice ?? 1e9) - (b.securePrice ?? b.communityPrice ?? 1e9));
  }

  async volumes(): Promise<NetworkVolume[]> {
    const r = await this.call('list network volumes', async () => unwrap(await this.deps.api.GET('/v2/network-volumes'), 'list network volumes'));
    return r.networkVolumes.map((v) => ({ id: v.id, name: v.name, sizeGb: v.size, dataCenterId: v.dataCenter ?? null }));
  }

  async pod(id: string): Promise<RunpodPod> {
    return this.map(await this.apiPod(id));
  }

  /** USD/h of a pod's GPU now (rp-cost: per-job cost), null when unknown or not running. */
  gpuRatePerHr(runpodId: string): number | null {
    const p = this.lastPods.find((x) => x.id === runpodId);
    return p && p.status === 'RUNNING' ? (p.cost ?? null) : null;
  }

  // ---------------------------------------------------------------- spend

  private meterNow(): SpendMeterShape {
    const s = this.deps.settings.get();
    const mapped = this.lastPods.map((p) => toRunpodPod(p, { displayName: (id) => id, profileId: null, sessionSpendUsd: 0, watchdog: null }));
    const sessionUsd = this.deps.meter.sessionUsd();
    const monthUsd = this.deps.meter.monthUsd();
    const capReached =
      s.runpodBudgetSessionUsd !== null && sessionUsd >= s.runpodBudgetSessionUsd ? 'session' : s.runpodBudgetMonthUsd !== null && monthUsd >= s.runpodBudgetMonthUsd ? 'month' : null;
    return {
      configured: this.deps.configured(),
      running: mapped.filter((p) => p.status === 'RUNNING').map((p) => ({ id: p.id, name: p.name, costPerHr: p.costPerHr })),
      ratePerHr: mapped.reduce((sum, p) => sum + this.rate(p), 0),
      sessionUsd,
      monthUsd,
      budgetSessionUsd: s.runpodBudgetSessionUsd,
      budgetMonthUsd: s.runpodBudgetMonthUsd,
      capReached,
    };
  }

  /** The spend meter (reads the pods first when a key is set). */
  async spend(): Promise<SpendMeterShape> {
    this.look();
    if (this.deps.configured()) await this.apiPods().catch((err: unknown) => this.deps.log.warn(`runpod: spend: ${(err as Error).message}`));
    const m = this.meterNow();
    this.deps.emitSpend(m);
    return m;
  }

  /** Someone looks at pods or spend: poll in the background for a while (and while pods run). */
  look(): void {
    this.lookedAt = Date.now();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const watching = Date.now() - this.lookedAt < this.timing.lookWindowMs;
      const running = this.lastPods.some((p) => p.status !== 'EXITED' && p.status !== 'TERMINATED');
      if (!this.deps.configured() || (!watching && !running) || this.closed) return;
      void this.apiPods()
        .then((pods) => {
          this.deps.emitPods(pods.map((p) => this.map(p)));
          this.deps.emitSpend(this.meterNow());
        })
        .catch((err: unknown) => this.deps.log.warn(`runpod: poll: ${(err as Error).message}`))
        .finally(() => this.schedule());
    }, this.timing.watchMs);
    this.timer.unref?.();
  }

  private async changed(): Promise<void> {
    try {
      const pods = await this.apiPods();
      this.deps.emitPods(pods.map((p) => this.map(p)));
      this.deps.emitSpend(this.meterNow());
      this.schedule();
    } catch (err) {
      this.deps.log.warn(`runpod: refresh: ${(err as Error).message}`);
    }
  }

  // ---------------------------------------------------------------- actions

  private async action(id: string, action: 'start' | 'stop' | 'restart' | 'terminate', signal?: AbortSignal): Promise<ApiPod | null> {
    const r = await this.call(`${action} the pod`, async () =>
      unwrap(await this.deps.api.POST('/v2/pods/{id}/action', { params: { path: { id } }, body: { action }, signal }), `${action} pod ${id}`),
    );
    return (r as ApiPod | undefined) ?? null;
  }

  /** Stop: compute billing ends, the volume is kept (and still billed). */
  async stop(id: string): Promise<RunpodPod> {
    const before = await this.apiPod(id);
    const profile = this.deps.repo.byRunpodId(id);
    if (profile) await this.deps.connections.disconnect(profile.id).catch(() => undefined);
    if (before.status !== 'EXITED') await this.action(id, 'stop');
    this.deps.log.info(`runpod: stopped ${before.name} (${id})`);
    const after = await this.apiPod(id);
    await this.changed();
    return this.map(after);
  }

  /** Terminate: irreversible, the pod's volume is destroyed. `confirm` must be the pod's name. */
  async terminate(id: string, confirm: string): Promise<{ terminated: true }> {
    const pod = await this.apiPod(id);
    if (confirm !== pod.name) {
      throw new StudioError('invalid_input', `runpod.terminate: confirm: type the pod's name “${pod.name}” to terminate it (its volume is destroyed; this cannot be undone).`, 'confirm');
    }
    const profile = this.deps.repo.byRunpodId(id);
    if (profile) await this.deps.connections.disconnect(profile.id).catch(() => undefined);
    await this.call('terminate the pod', async () => {
      const r = await this.deps.api.DELETE('/v2/pods/{id}', { params: { path: { id } } });
      if (!r.response.ok && r.response.status !== 404) unwrap(r, `terminate pod ${pod.name}`);
    });
    if (profile) this.deps.repo.linkRunpod(profile.id, null);
    this.deps.log.info(`runpod: terminated ${pod.name} (${id}); its volume is destroyed`);
    await this.changed();
    return { terminated: true };
  }

  async stopAll(): Promise<{ stopped: string[] }> {
    const pods = await this.apiPods();
    const stopped: string[] = [];
    for (const p of pods) {
      if (!p.actions?.includes('stop')) continue;
      const profile = this.deps.repo.byRunpodId(p.id);
      if (profile) await this.deps.connections.disconnect(profile.id).catch(() => undefined);
      await this.action(p.id, 'stop');
      stopped.push(p.id);
    }
    await this.changed();
    return { stopped };
  }

  /** Links a running pod (e.g. made on the website) to a pod profile, creating one if needed. */
  async link(id: string): Promise<RunpodPod> {
    const pod = await this.apiPod(id);
    const direct = pod.ssh?.direct;
    if (pod.status !== 'RUNNING' || !direct) {
      throw new StudioError('conflict', `Pod ${pod.name} has no direct SSH address now (status ${pod.status}${pod.status === 'RUNNING' ? ', no 22/tcp port exposed' : ''}). Start it, and expose 22/tcp, then link it.`, 'id');
    }
    await this.linkProfile(pod, direct, ensureStudioKey(this.deps.keyDir));
    await this.changed();
    return this.map(await this.apiPod(id));
  }

  // ---------------------------------------------------------------- watchdog

  async watchdog(id: string): Promise<WatchdogStatus> {
    const profile = this.deps.repo.byRunpodId(id);
    const idle = this.deps.settings.get().runpodIdleStopMinutes;
    if (!profile || !this.deps.watchdog) {
      return { armed: false, idleMinutes: idle, deadline: null, lastActivity: null, note: !profile ? 'not linked to a pod profile' : 'the on-pod watchdog is not available in this build', readAt: new Date().toISOString() };
    }
    const pod = await this.apiPod(id);
    if (pod.status !== 'RUNNING') {
      const status = { armed: false, idleMinutes: idle, deadline: null, lastActivity: null, note: `the pod is ${pod.status.toLowerCase()}`, readAt: new Date().toISOString() };
      this.watchdogs.set(id, status);
      return status;
    }
    const status = await this.deps.watchdog.read(profile).catch((err: unknown) => {
      if (isSshError(err)) throw new StudioError('network', `Could not reach ${profile.name} to read its idle watchdog: ${err.message}`);
      throw err;
    });
    this.watchdogs.set(id, status);
    return status;
  }

  async extendWatchdog(id: string, minutes: number): Promise<WatchdogStatus> {
    const profile = this.deps.repo.byRunpodId(id);
    if (!profile) throw new StudioError('conflict', 'This pod is not linked to a pod profile: link it first.', 'id');
    if (!this.deps.watchdog) throw new StudioError('unavailable', 'The on-pod watchdog is not available in this build.');
    const status = await this.deps.watchdog.extend(profile, minutes);
    this.watchdogs.set(id, status);
    return status;
  }

  // ---------------------------------------------------------------- create / start (jobs)

  /** Queues the create job (checked here so that a bad name fails before anything is rented). */
  create(req: RunpodCreateRequest): Job {
    if (!this.deps.configured()) throw new StudioError('unavailable', 'No RunPod API key: set one in Settings → Secrets (runpod) or RUNPOD_API_KEY.');
    if (this.deps.repo.byName(req.name)) throw new StudioError('conflict', `A pod profile named “${req.name}” already exists: pick another name.`, 'name');
    return this.deps.jobs.submit(CREATE_KIND, { request: req });
  }

  start(id: string): Job {
    if (!this.deps.configured()) throw new StudioError('unavailable', 'No RunPod API key: set one in Settings → Secrets (runpod) or RUNPOD_API_KEY.');
    const known = this.lastPods.find((p) => p.id === id);
    return this.deps.jobs.submit(START_KIND, { id, name: known?.name ?? id });
  }

  executors(): JobExecutor<never>[] {
    const create: JobExecutor<z.infer<typeof CreateParams>> = {
      kind: CREATE_KIND,
      params: CreateParams,
      lane: (p) => `runpod:create:${p.request.name}`,
      title: (p) => `Create RunPod pod ${p.request.name}`,
      run: async ({ params, signal, progress, log }) => {
        const say: Progress = (message, etaSeconds) => {
          log.info(message);
          progress({ step: 0, total: null, message, etaSeconds });
        };
        const { pod, profile } = await this.createAndWait(params.request, say, signal);
        return { id: pod.id, name: pod.name, profileId: profile.id, host: profile.host, port: profile.port, hostKeyPinned: profile.hostKey !== null };
      },
    };
    const start: JobExecutor<z.infer<typeof StartParams>> = {
      kind: START_KIND,
      params: StartParams,
      lane: (p) => `runpod:${p.id}`,
      title: (p) => `Start RunPod pod ${p.name}`,
      run: async ({ params, signal, progress, log }) => {
        const say: Progress = (message, etaSeconds) => {
          log.info(message);
          progress({ step: 0, total: null, message, etaSeconds });
        };
        const profile = await this.startAndWait(params.id, say, signal);
        return { id: params.id, profileId: profile?.id ?? null, host: profile?.host ?? null, port: profile?.port ?? null, hostKeyPinned: profile ? profile.hostKey !== null : false };
      },
    };
    return [create, start] as unknown as JobExecutor<never>[];
  }

  private createBody(req: RunpodCreateRequest, gpuId: string): ApiCreatePod & { name: string } {
    const mounts: ApiCreatePod['mounts'] =
      req.storage.kind === 'volume'
        ? { persistent: { size: req.storage.sizeGb, path: this.mountPath } }
        : req.storage.kind === 'network'
          ? { network: [{ volumeId: req.storage.volumeId, path: this.mountPath }] }
          : undefined;
    return {
      name: req.name,
      image: req.image ?? this.deps.settings.get().runpodImage,
      gpu: { id: gpuId, count: 1 },
      cloud: req.cloud,
      ports: ['22/tcp'],
      disk: req.containerDiskGb,
      ...(mounts ? { mounts } : {}),
      env: { [STUDIO_ENV]: '1' },
      startSsh: true,
    };
  }

  /**
   * Registers the studio's key, creates the pod (each GPU type in order while RunPod has no
   * capacity), waits for SSH, links a profile with the host key from the pod's log. The job
   * body, also used by "Train on RunPod".
   */
  async createAndWait(req: RunpodCreateRequest, say: Progress, signal?: AbortSignal): Promise<{ pod: RunpodPod; profile: PodProfile }> {
    if (this.deps.repo.byName(req.name)) throw new StudioError('conflict', `A pod profile named “${req.name}” already exists: pick another name.`, 'name');
    say('registering the studio\'s SSH key with RunPod', null);
    const key = ensureStudioKey(this.deps.keyDir);
    if (await this.call('register the SSH key', () => registerStudioKey(this.deps.api, key, signal))) say('added the studio\'s SSH key to the account (existing keys kept)', null);
    let created: ApiPod | null = null;
    const refused: string[] = [];
    const forbidden: StudioError[] = [];
    for (const gpuId of req.gpuTypeIds) {
      say(`creating ${req.name} on ${gpuId} (${req.cloud.toLowerCase()} cloud)`, null);
      try {
        created = await this.call('create the pod', async () => unwrap(await this.deps.api.POST('/v2/pods', { body: this.createBody(req, gpuId), signal }), `create a pod on ${gpuId}`));
        break;
      } catch (err) {
        if (err instanceof NoBalanceError) throw err;
        const skip = err instanceof NoCapacityError || (err instanceof StudioError && err.code === 'forbidden' && /403/.test(err.message));
        if (!skip) throw err;
        if (!(err instanceof NoCapacityError)) forbidden.push(err as StudioError);
        refused.push(`${gpuId}: ${(err as Error).message}`);
        const why = err instanceof NoCapacityError ? 'no capacity' : 'not open to this account';
        say(`${why} for ${gpuId}${req.gpuTypeIds.at(-1) === gpuId ? '' : ', trying the next GPU type'}`, null);
      }
    }
    if (!created) {
      // Every candidate refused with 403: that is the key's scope, not capacity.
      if (forbidden.length === req.gpuTypeIds.length && forbidden[0]) throw forbidden[0];
      throw new StudioError('unavailable', `RunPod has no capacity for any of the GPU types you picked (${req.cloud.toLowerCase()} cloud): ${refused.join('; ')}. Pick other GPU types or the other cloud.`);
    }
    this.deps.log.info(`runpod: created ${created.name} (${created.id}) on ${created.gpu?.id ?? '?'}`);
    void this.changed();
    const t0 = Date.now();
    let ready: { pod: ApiPod; host: HostKeyInfo };
    try {
      ready = await this.waitForSsh(created.id, null, 'create', t0, say, signal);
    } catch (err) {
      // Cancelled before it was ever usable: a new pod nobody asked for any more must not bill.
      if (signal?.aborted) await this.discard(created);
      throw err;
    }
    const { pod, host } = ready;
    const profile = await this.linkProfile(pod, pod.ssh!.direct!, key, host, say, signal);
    this.measured.create = Math.round((Date.now() - t0) / 1000);
    await this.armWatchdog(profile, say);
    await this.changed();
    return { pod: this.map(await this.apiPod(pod.id)), profile };
  }

  private async discard(pod: ApiPod): Promise<void> {
    try {
      const r = await this.deps.api.DELETE('/v2/pods/{id}', { params: { path: { id: pod.id } } });
      if (!r.response.ok && r.response.status !== 404) unwrap(r, `terminate pod ${pod.name}`);
      this.deps.log.info(`runpod: create cancelled: terminated the new pod ${pod.name} (${pod.id}) so that it does not bill`);
    } catch (err) {
      this.deps.log.warn(`runpod: create cancelled, but the new pod ${pod.name} (${pod.id}) could not be terminated: ${(err as Error).message}. Terminate it on the Pods page.`);
    }
    void this.changed();
  }

  /**
   * Starts a stopped pod (or waits for one starting), re-reads its address until SSH answers
   * there (the API may still report the old one for a while), updates the linked profile and
   * pins the new host key when the pod's log shows it. Answers the linked profile (null: none).
   */
  async startAndWait(id: string, say: Progress, signal?: AbortSignal): Promise<PodProfile | null> {
    const before = await this.apiPod(id, signal);
    const profile = this.deps.repo.byRunpodId(id);
    const old = profile ? { host: profile.host, port: profile.port } : before.ssh?.direct ? { host: before.ssh.direct.host, port: before.ssh.direct.port } : null;
    const t0 = Date.now();
    if (before.status === 'EXITED' || before.status === 'ERROR') {
      say(`starting pod ${before.name}, ~${this.measured.start} s`, this.measured.start);
      if (profile) await this.deps.connections.disconnect(profile.id).catch(() => undefined);
      await this.action(id, 'start', signal);
      void this.changed();
    } else if (before.status === 'TERMINATED') {
      throw new StudioError('conflict', `Pod ${before.name} was terminated; create a new one.`, 'id');
    }
    const restarted = before.status !== 'RUNNING';
    const { pod, host } = await this.waitForSsh(id, restarted ? old : null, 'start', t0, say, signal);
    if (restarted) this.measured.start = Math.max(1, Math.round((Date.now() - t0) / 1000));
    if (!profile) return null;
    const updated = await this.refreshProfile(profile, pod, host, say, signal);
    if (restarted) await this.armWatchdog(updated, say);
    await this.changed();
    return updated;
  }

  /** The on-pod idle watchdog from the first minute the pod runs (see docs/architecture.md, "RunPod: the idle watchdog"). */
  private async armWatchdog(profile: PodProfile, say: Progress): Promise<void> {
    if (!this.deps.watchdog || profile.hostKey === null) return; // an unpinned key: armed when the user trusts it and uses the pod
    say('arming the idle watchdog on the pod', null);
    const status = await this.deps.watchdog.arm(profile);
    if (status && this.lastPods.some((p) => p.id === profile.runpodId)) this.watchdogs.set(profile.runpodId ?? '', status);
  }

  /** PodPower: a profile linked to a RunPod pod is started first when it is not running. */
  async ensureRunning(profile: PodProfile, onProgress: PowerProgress, signal?: AbortSignal): Promise<PodProfile> {
    if (!profile.runpodId) return profile;
    const runpodId = profile.runpodId;
    const pending = this.starting.get(runpodId);
    if (pending) return pending;
    // A live link is proof enough: no API call per image on a warm pod.
    if (this.deps.connections.status(profile.id).state === 'connected') return profile;
    const p = (async () => {
      const pod = await this.apiPod(runpodId, signal);
      const direct = pod.ssh?.direct;
      if (pod.status === 'RUNNING' && direct && direct.host === profile.host && direct.port === profile.port) return profile;
      return (await this.startAndWait(runpodId, onProgress, signal)) ?? profile;
    })();
    this.starting.set(runpodId, p);
    try {
      return await p;
    } finally {
      this.starting.delete(runpodId);
    }
  }

  /**
   * Polls the pod until it runs with ssh.direct at an address where SSH answers. `old`: the
   * address before a start, which the API may keep reporting for a while (then it does not
   * answer, and we read again).
   */
  private async waitForSsh(
    id: string,
    old: { host: string; port: number } | null,
    what: 'create' | 'start',
    t0: number,
    say: Progress,
    signal?: AbortSignal,
  ): Promise<{ pod: ApiPod; host: HostKeyInfo }> {
    const typical = what === 'create' ? this.measured.create : this.measured.start;
    const eta = () => Math.max(1, typical - Math.round((Date.now() - t0) / 1000));
    for (;;) {
      if (signal?.aborted) throw abortError();
      if (Date.now() - t0 > this.timing.sshTimeoutMs) {
        throw new StudioError('network', `Pod ${id} did not answer on SSH within ${Math.round(this.timing.sshTimeoutMs / 1000)} s. See its log on runpod.io; stop it if it is stuck (it is billed while running).`);
      }
      const pod = await this.apiPod(id, signal);
      const direct = pod.ssh?.direct ?? null;
      if (pod.status === 'TERMINATED' || pod.status === 'ERROR') throw new StudioError('upstream', `Pod ${pod.name} is ${pod.status} on RunPod; see its log on runpod.io.`);
      if (pod.status === 'RUNNING' && !pod.ports?.includes('22/tcp')) throw new StudioError('conflict', `Pod ${pod.name} does not expose 22/tcp, so it has no direct SSH address.`);
      if (pod.status !== 'RUNNING' || !direct) {
        say(`${what === 'start' ? `starting pod ${pod.name}` : `pod ${pod.name} is ${pod.status.toLowerCase()}`}, waiting for SSH (~${eta()} s)`, eta());
        await sleep(this.timing.pollMs, signal);
        continue;
      }
      const stale = old !== null && direct.host === old.host && direct.port === old.port;
      try {
        const key = await this.deps.connections.scanHostKey({ ...this.probeProfile(pod), host: direct.host, port: direct.port });
        return { pod, host: key };
      } catch (err) {
        if (!isSshError(err) || !err.transient) throw err;
        say(`${stale ? `RunPod still reports the old address ${direct.host}:${direct.port}; reading it again` : `waiting for SSH at ${direct.host}:${direct.port}`} (~${eta()} s)`, eta());
        await sleep(this.timing.pollMs, signal);
      }
    }
  }

  /** A throwaway profile to scan a host key with (the scan stops before authenticating; the key only satisfies the connect's checks). */
  private probeProfile(pod: ApiPod): PodProfile {
    const now = new Date().toISOString();
    return {
      id: `probe-${pod.id}`,
      name: pod.name,
      host: '',
      port: 22,
      user: 'root',
      keyPath: ensureStudioKey(this.deps.keyDir).privateKeyPath,
      connectTimeoutSec: 10,
      workspace: '/workspace',
      python: null,
      pipeline: 'diffusers',
      modelPaths: { 'flux-dev': null, 'flux-schnell': null },
      hostKey: null,
      hasPassphrase: false,
      runpodId: pod.id,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** Pins `key` on the profile only when the pod's log printed its fingerprint. */
  private async pinFromLog(profileId: string, pod: ApiPod, key: HostKeyInfo, say?: Progress, signal?: AbortSignal): Promise<PodProfile> {
    say?.('checking the host key against the fingerprints in the pod\'s log', null);
    let printed: string[] = [];
    for (let i = 0; i < 5 && !printed.includes(key.fingerprint); i++) {
      if (i > 0) await sleep(this.timing.pollMs, signal);
      printed = await this.call('read the pod\'s log', () => readLogFingerprints(this.deps.api, pod.id, { want: key.fingerprint, signal })).catch((err: unknown) => {
        this.deps.log.warn(`runpod: ${pod.name}: could not read the log: ${(err as Error).message}`);
        return [] as string[];
      });
    }
    if (printed.includes(key.fingerprint)) {
      this.deps.log.info(`runpod: ${pod.name}: pinned host key ${key.fingerprint} (${key.keyType}): the pod's log printed it`);
      say?.(`host key ${key.fingerprint} matches the pod's log: pinned`, null);
      return this.deps.repo.pin(profileId, key);
    }
    this.deps.log.warn(`runpod: ${pod.name}: the key it presents (${key.fingerprint}) is not among the fingerprints in its log (${printed.join(', ') || 'none'}): left for you to trust`);
    say?.(`host key ${key.fingerprint} is not in the pod's log: check and trust it on the Pods page`, null);
    return this.deps.repo.require(profileId);
  }

  private async linkProfile(pod: ApiPod, direct: { host: string; port: number }, key: StudioKey, hostKey?: HostKeyInfo, say?: Progress, signal?: AbortSignal): Promise<PodProfile> {
    let profile = this.deps.repo.byRunpodId(pod.id);
    const workspace = pod.mounts?.persistent?.path ?? pod.mounts?.network?.[0]?.path ?? this.mountPath;
    if (!profile) {
      let name = pod.name;
      for (let i = 2; this.deps.repo.byName(name); i++) name = `${pod.name} (${i})`;
      profile = this.deps.repo.save({
        name,
        host: direct.host,
        port: direct.port,
        user: 'root',
        keyPath: key.privateKeyPath,
        workspace,
        ...(this.deps.profileDefaults?.python !== undefined ? { python: this.deps.profileDefaults.python } : {}),
        ...(this.deps.profileDefaults?.pipeline ? { pipeline: this.deps.profileDefaults.pipeline } : {}),
      });
      profile = this.deps.repo.linkRunpod(profile.id, pod.id);
    } else {
      await this.deps.connections.disconnect(profile.id).catch(() => undefined);
      profile = this.deps.repo.setAddress(profile.id, direct.host, direct.port);
    }
    const presented = hostKey ?? (await this.deps.connections.scanHostKey(profile).catch(() => null));
    if (presented && profile.hostKey?.fingerprint !== presented.fingerprint) profile = await this.pinFromLog(profile.id, pod, presented, say, signal);
    return profile;
  }

  private async refreshProfile(profile: PodProfile, pod: ApiPod, key: HostKeyInfo, say: Progress, signal?: AbortSignal): Promise<PodProfile> {
    const direct = pod.ssh!.direct!;
    await this.deps.connections.disconnect(profile.id).catch(() => undefined);
    let updated = profile.host === direct.host && profile.port === direct.port ? profile : this.deps.repo.setAddress(profile.id, direct.host, direct.port);
    if (updated.host !== profile.host || updated.port !== profile.port) say(`pod ${pod.name} is at ${direct.host}:${direct.port} now`, null);
    if (updated.hostKey?.fingerprint !== key.fingerprint) updated = await this.pinFromLog(profile.id, pod, key, say, signal);
    return updated;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
