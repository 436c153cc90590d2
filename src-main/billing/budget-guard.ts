// What rented GPUs cost per job, and the budget caps (issue 15, "Cost control"). The job
// system asks this guard (through its JobBilling hooks) what a job is billed at and whether
// it may start; the RunPod service's announcements (runpod.pods, runpod.spend) keep it
// current, and `stop` is the one thing it asks of that service. At the session or month cap
// (Settings runpodBudgetSessionUsd / runpodBudgetMonthUsd) new jobs on RunPod pods are
// refused with a message naming the cap and the way out, pods that are busy are stopped
// after their current job (a generation: the current image; a training: stopped gracefully,
// resumable), idle ones at once. See docs/architecture.md, "Cost, budget and stall guard".
import type { Settings } from '@shared/contract';
import type { RunpodPod, SpendMeter } from '@shared/contract/runpod';
import type { BilledJob, JobBilling } from '../jobs/job-billing';
import type { Logger } from '../logging/logger';

/** The job kinds that run on a pod profile's GPU (and are billed at its rate). */
const BILLED_KINDS = new Set(['generation', 'training.run']);

/** The pod profile a job uses: generation lane "remote:<id>", training lane "training:pod:<id>", or the host a job set ("pod:<id>"). */
export function profileOfJob(job: BilledJob & { host?: string | null }): string | null {
  if (!BILLED_KINDS.has(job.kind)) return null;
  const fromHost = job.host?.match(/^pod:(.+)$/)?.[1];
  if (fromHost) return fromHost;
  const m = job.lane.match(/^(?:remote|training:pod):(.+)$/);
  return m?.[1] ?? null;
}

export interface BudgetCap {
  cap: 'session' | 'month';
  limitUsd: number;
  spentUsd: number;
}

/** The first cap the spend has reached (session before month), from the user's settings. */
export function capReached(meter: SpendMeter | null, s: Pick<Settings, 'runpodBudgetSessionUsd' | 'runpodBudgetMonthUsd'>): BudgetCap | null {
  if (!meter) return null;
  if (s.runpodBudgetSessionUsd !== null && meter.sessionUsd >= s.runpodBudgetSessionUsd) {
    return { cap: 'session', limitUsd: s.runpodBudgetSessionUsd, spentUsd: meter.sessionUsd };
  }
  if (s.runpodBudgetMonthUsd !== null && meter.monthUsd >= s.runpodBudgetMonthUsd) {
    return { cap: 'month', limitUsd: s.runpodBudgetMonthUsd, spentUsd: meter.monthUsd };
  }
  return null;
}

/** What is left under the tighter cap (null: no cap set, or nothing read yet). */
export function budgetLeft(meter: SpendMeter | null, s: Pick<Settings, 'runpodBudgetSessionUsd' | 'runpodBudgetMonthUsd'>): { cap: 'session' | 'month'; leftUsd: number } | null {
  const left: { cap: 'session' | 'month'; leftUsd: number }[] = [];
  if (s.runpodBudgetSessionUsd !== null) left.push({ cap: 'session', leftUsd: Math.max(0, s.runpodBudgetSessionUsd - (meter?.sessionUsd ?? 0)) });
  if (s.runpodBudgetMonthUsd !== null) left.push({ cap: 'month', leftUsd: Math.max(0, s.runpodBudgetMonthUsd - (meter?.monthUsd ?? 0)) });
  return left.sort((a, b) => a.leftUsd - b.leftUsd)[0] ?? null;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The user's words for a reached cap: which one, what was spent, and how to go on. */
export function capMessage(c: BudgetCap): string {
  const setting = c.cap === 'session' ? 'Session budget (runpodBudgetSessionUsd)' : 'Monthly budget (runpodBudgetMonthUsd)';
  return (
    `The RunPod ${c.cap} budget of ${usd(c.limitUsd)} is reached (${usd(c.spentUsd)} spent${c.cap === 'session' ? ' this session' : ' this month'}): ` +
    `new jobs on RunPod pods are refused and running pods are stopped. To go on, raise or clear ${setting} in Settings.`
  );
}

export interface BudgetGuardDeps {
  settings(): Settings;
  /** The jobs running now (lane, kind, host say which pod) and how to stop one (a training, gracefully). */
  jobs: { runningJobs(): (BilledJob & { id: string; host: string | null })[]; cancel(id: string): unknown };
  /** Stop a RunPod pod (compute billing ends). */
  stop(runpodId: string): Promise<unknown>;
  log: Logger;
}

export class BudgetGuard implements JobBilling {
  private pods: readonly RunpodPod[] = [];
  private meter: SpendMeter | null = null;
  /** Last compute $/h seen per RunPod pod while it ran (a stopped pod reports 0). */
  private readonly lastRate = new Map<string, number>();
  /** Pods this guard asked to stop (once each while the cap holds). */
  private readonly stopping = new Set<string>();
  private readonly cancelled = new Set<string>();

  constructor(private readonly deps: BudgetGuardDeps) {}

  /** runpod.pods: the account's pods changed. */
  seePods(pods: readonly RunpodPod[]): void {
    this.pods = pods;
    // RunPod bills compute from allocation (provisioning and starting too): any rate it reports counts.
    for (const p of pods) if (p.costPerHr > 0) this.lastRate.set(p.id, p.costPerHr);
    for (const id of this.stopping) if (!pods.some((p) => p.id === id && p.status === 'RUNNING')) this.stopping.delete(id);
    this.enforce();
  }

  /** runpod.spend: the meter moved. */
  seeSpend(meter: SpendMeter): void {
    this.meter = meter;
    this.enforce();
  }

  /** The caps may have changed (Settings): apply them now, not at the next meter reading. */
  check(): void {
    this.enforce();
  }

  spend(): SpendMeter | null {
    return this.meter;
  }

  cap(): BudgetCap | null {
    return capReached(this.meter, this.deps.settings());
  }

  left(): { cap: 'session' | 'month'; leftUsd: number } | null {
    return budgetLeft(this.meter, this.deps.settings());
  }

  /** The RunPod pod behind a pod profile, if it is linked to one. */
  podOfProfile(profileId: string): RunpodPod | null {
    return this.pods.find((p) => p.profileId === profileId) ?? null;
  }

  /** Compute $/h of a RunPod pod: now while it is billed, else the last rate seen this session. */
  rateOfPod(runpodId: string): number | null {
    const p = this.pods.find((x) => x.id === runpodId);
    if (p && p.costPerHr > 0) return p.costPerHr;
    return this.lastRate.get(runpodId) ?? null;
  }

  // ---------- JobBilling ----------

  rate(job: BilledJob): number | null {
    const profile = profileOfJob(job);
    const pod = profile ? this.podOfProfile(profile) : null;
    return pod ? this.rateOfPod(pod.id) : null;
  }

  refuse(job: BilledJob): { code: string; message: string } | null {
    if (!this.rented(job)) return null;
    const c = this.cap();
    return c ? { code: 'budget_cap', message: capMessage(c) } : null;
  }

  ended(job: BilledJob & { host?: string | null }): void {
    if (!this.cap()) return;
    const profile = profileOfJob(job);
    const pod = profile ? this.podOfProfile(profile) : null;
    if (pod) this.enforce();
  }

  /** A job on a RunPod pod (a linked profile, or a training that rents its own: lane training:runpod-…). */
  private rented(job: BilledJob & { host?: string | null }): boolean {
    if (job.kind === 'training.run' && /^training:runpod-/.test(job.lane)) return true;
    const profile = profileOfJob(job);
    return profile !== null && this.podOfProfile(profile) !== null;
  }

  /** At the cap: stop idle running pods now; stop busy trainings (their pod follows when the job ends). */
  private enforce(): void {
    const c = this.cap();
    if (!c) {
      this.stopping.clear();
      this.cancelled.clear();
      return;
    }
    const running = this.deps.jobs.runningJobs();
    for (const pod of this.pods) {
      if (pod.status !== 'RUNNING' || this.stopping.has(pod.id)) continue;
      const busy = running.filter((j) => pod.profileId !== null && profileOfJob(j) === pod.profileId);
      if (busy.length === 0) {
        this.stopping.add(pod.id);
        this.deps.log.info(`${c.cap} budget reached: stopping pod ${pod.name} (${pod.id})`);
        void this.deps.stop(pod.id).catch((err: Error) => {
          this.stopping.delete(pod.id);
          this.deps.log.warn(`budget cap: could not stop pod ${pod.id}: ${err.message}`);
        });
        continue;
      }
      // A generation finishes its image; a training is stopped gracefully (resumable), then the pod.
      for (const j of busy) {
        if (j.kind !== 'training.run' || this.cancelled.has(j.id)) continue;
        this.cancelled.add(j.id);
        this.deps.log.info(`${c.cap} budget reached: stopping training job ${j.id} on ${pod.name}`);
        try {
          this.deps.jobs.cancel(j.id);
        } catch (err) {
          this.deps.log.warn(`budget cap: could not stop job ${j.id}: ${(err as Error).message}`);
        }
      }
    }
  }
}
