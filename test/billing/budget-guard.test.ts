// The budget guard's rules over the RunPod service's announcements: which job uses which
// pod, what it is billed at, when a cap refuses new jobs and which pods it stops (idle ones
// at once, busy ones after their job; a training is stopped gracefully first).
import { describe, expect, test } from 'vitest';
import type { Settings } from '@shared/contract';
import type { RunpodPod, SpendMeter } from '@shared/contract/runpod';
import { BudgetGuard, budgetLeft, capMessage, capReached, profileOfJob } from '../../src-main/billing/budget-guard';
import type { Logger } from '../../src-main/logging/logger';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => quiet } as unknown as Logger;

function pod(id: string, profileId: string | null, status: RunpodPod['status'], costPerHr: number): RunpodPod {
  return {
    id, name: `pod-${id}`, status, actions: [], gpu: { id: 'NVIDIA RTX A5000', displayName: 'RTX A5000', count: 1 }, cloud: 'SECURE', image: 'img',
    costPerHr, storageCostPerHr: 0.01, containerDiskGb: 50, volumeGb: 50, networkVolumeId: null, uptimeSec: 10,
    ssh: null, profileId, createdByStudio: true, sessionSpendUsd: 0, watchdog: null,
  };
}
const meter = (sessionUsd: number, monthUsd = sessionUsd): SpendMeter => ({
  configured: true, running: [], ratePerHr: 0, sessionUsd, monthUsd, budgetSessionUsd: null, budgetMonthUsd: null, capReached: null,
});
const caps = (session: number | null, month: number | null) => ({ runpodBudgetSessionUsd: session, runpodBudgetMonthUsd: month });

function guardWith(running: { id: string; kind: string; lane: string; host: string | null }[], settings = caps(1, null)) {
  const stopped: string[] = [];
  const cancelled: string[] = [];
  const guard = new BudgetGuard({
    settings: () => settings as Settings,
    jobs: { runningJobs: () => running.map((j) => ({ ...j, params: {} })), cancel: (id) => cancelled.push(id) },
    stop: async (id) => stopped.push(id),
    log: quiet,
  });
  return { guard, stopped, cancelled };
}

describe('which pod a job uses', () => {
  test('generation lanes, training lanes and a host a job set; other kinds are not billed', () => {
    expect(profileOfJob({ kind: 'generation', lane: 'remote:p1', params: {} })).toBe('p1');
    expect(profileOfJob({ kind: 'training.run', lane: 'training:pod:p2', params: {} })).toBe('p2');
    expect(profileOfJob({ kind: 'training.run', lane: 'training:runpod-run1', params: {}, host: 'pod:p3' })).toBe('p3');
    expect(profileOfJob({ kind: 'training.run', lane: 'training:local', params: {} })).toBeNull();
    expect(profileOfJob({ kind: 'pods.prepare', lane: 'remote:p1', params: {} })).toBeNull();
    expect(profileOfJob({ kind: 'generation', lane: 'local', params: {} })).toBeNull();
  });
});

describe('caps', () => {
  test('session before month; what is left under the tighter one; the message names the cap and the setting', () => {
    expect(capReached(meter(0.5, 10), caps(1, 20))).toBeNull();
    expect(capReached(meter(1, 10), caps(1, 20))).toEqual({ cap: 'session', limitUsd: 1, spentUsd: 1 });
    expect(capReached(meter(0.2, 25), caps(1, 20))).toEqual({ cap: 'month', limitUsd: 20, spentUsd: 25 });
    expect(capReached(meter(100, 100), caps(null, null))).toBeNull();
    expect(budgetLeft(meter(0.25, 19.9), caps(1, 20))).toEqual({ cap: 'month', leftUsd: expect.closeTo(0.1, 6) as number });
    expect(budgetLeft(meter(0.25, 1), caps(1, 20))).toEqual({ cap: 'session', leftUsd: 0.75 });
    expect(budgetLeft(null, caps(null, null))).toBeNull();
    const m = capMessage({ cap: 'session', limitUsd: 5, spentUsd: 5.126 });
    expect(m).toContain('session budget of $5.00 is reached ($5.13 spent this session)');
    expect(m).toContain('raise or clear Session budget (runpodBudgetSessionUsd) in Settings');
  });
});

describe('the guard', () => {
  test('a job on a linked pod is billed at its GPU rate, also after the pod stopped; an unlinked pod is not billed', () => {
    const { guard } = guardWith([]);
    guard.seePods([pod('rp1', 'p1', 'RUNNING', 0.44), pod('rp2', null, 'RUNNING', 2.0)]);
    expect(guard.rate({ kind: 'generation', lane: 'remote:p1', params: {} })).toBe(0.44);
    guard.seePods([pod('rp1', 'p1', 'EXITED', 0), pod('rp2', null, 'RUNNING', 2.0)]);
    expect(guard.rate({ kind: 'generation', lane: 'remote:p1', params: {} })).toBe(0.44);
    expect(guard.rate({ kind: 'generation', lane: 'remote:other', params: {} })).toBeNull();
  });

  test('at the cap: jobs on RunPod pods are refused (not those on other hosts), idle pods stop at once, busy ones after their job', async () => {
    const running = [{ id: 'g1', kind: 'generation', lane: 'remote:busy', host: null as string | null }];
    const { guard, stopped, cancelled } = guardWith(running);
    guard.seePods([pod('rpIdle', 'idle', 'RUNNING', 0.3), pod('rpBusy', 'busy', 'RUNNING', 0.5), pod('rpOff', 'off', 'EXITED', 0)]);
    guard.seeSpend(meter(0.4));
    expect(guard.refuse({ kind: 'generation', lane: 'remote:busy', params: {} })).toBeNull();
    expect(stopped).toEqual([]);
    guard.seeSpend(meter(1.02));
    expect(guard.refuse({ kind: 'generation', lane: 'remote:busy', params: {} })).toMatchObject({ code: 'budget_cap', message: expect.stringContaining('session budget of $1.00') as string });
    expect(guard.refuse({ kind: 'training.run', lane: 'training:runpod-r9', params: {} })?.code).toBe('budget_cap');
    expect(guard.refuse({ kind: 'generation', lane: 'remote:ssh-box', params: {} })).toBeNull();
    expect(guard.refuse({ kind: 'generation', lane: 'local', params: {} })).toBeNull();
    expect(stopped).toEqual(['rpIdle']);
    guard.seeSpend(meter(1.05)); // asked once per pod
    expect(stopped).toEqual(['rpIdle']);
    expect(cancelled).toEqual([]); // a generation finishes its image
    running.length = 0;
    guard.ended({ kind: 'generation', lane: 'remote:busy', params: {} });
    expect(stopped).toEqual(['rpIdle', 'rpBusy']);
  });

  test('a training on a pod at the cap is stopped gracefully (its job cancelled) once; its pod stops when the job ends', () => {
    const running = [{ id: 't1', kind: 'training.run', lane: 'training:runpod-r1', host: 'pod:p1' as string | null }];
    const { guard, stopped, cancelled } = guardWith(running);
    guard.seePods([pod('rp1', 'p1', 'RUNNING', 1.2)]);
    guard.seeSpend(meter(2));
    guard.seeSpend(meter(2.1));
    expect(cancelled).toEqual(['t1']);
    expect(stopped).toEqual([]);
    running.length = 0;
    guard.ended({ kind: 'training.run', lane: 'training:runpod-r1', params: {}, host: 'pod:p1' });
    expect(stopped).toEqual(['rp1']);
  });

  test('raising the cap lifts it: jobs are admitted again', () => {
    const settings = caps(1, null);
    const { guard } = guardWith([], settings);
    guard.seePods([pod('rp1', 'p1', 'EXITED', 0)]);
    guard.seeSpend(meter(1.5));
    expect(guard.refuse({ kind: 'generation', lane: 'remote:p1', params: {} })).not.toBeNull();
    settings.runpodBudgetSessionUsd = 5;
    expect(guard.refuse({ kind: 'generation', lane: 'remote:p1', params: {} })).toBeNull();
  });
});
