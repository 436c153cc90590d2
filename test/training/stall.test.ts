// The stall guard: a running run whose step stops advancing is reported stalled (on the run
// and in its job) after the stall time, clears when it moves again, and with stopPodOnStall
// its pod is stopped and the run ends failed ("stalled", resumable). The hang is real: the
// stand-in's process group is frozen with SIGSTOP (the real ai-toolkit hangs the same way
// to the follower, but a real run takes minutes to reach its first step on two cores).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { Studio } from '../../src-main/studio';
import type { RentedPod, RentedPods } from '../../src-main/training/rented-pods';
import { ENDED, newDataDir, planAndStart, trainingStudio, waitRun } from './helpers';

const open: Studio[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
});

async function studioFor(dataDir: string): Promise<Studio> {
  const s = await trainingStudio(dataDir, { training: { pollMs: 100, stopGraceMs: 2000, stallMs: 1500 } });
  open.push(s);
  return s;
}

function signalGroup(dataDir: string, name: string, signal: string): void {
  const pid = fs.readFileSync(path.join(dataDir, 'training-host', 'trainings', name, 'pid'), 'utf8').trim();
  execFileSync('kill', [`-${signal}`, '--', `-${pid}`]);
}

describe('stall guard', () => {
  test('a step that stops advancing is reported stalled on the run and in its job; it clears when the run moves again', async () => {
    const dataDir = newDataDir('faces', 3);
    const studio = await studioFor(dataDir);
    const run = await planAndStart(studio, { name: 'frozen', steps: 400, saveEvery: 1000, sampleEvery: 1000, stepSeconds: 0.1 });
    await waitRun(studio, run.id, (r) => r.step >= 3);
    signalGroup(dataDir, 'frozen', 'STOP');
    const stalled = await waitRun(studio, run.id, (r) => r.stalledSince !== null, 20_000);
    expect(stalled.state).toBe('running');
    expect(stalled.message).toMatch(/^stalled: step \d+\/400 has not advanced for 2 s\. Stop it, or wait$/);
    const job = studio.jobs.get(stalled.jobId as string);
    expect(job.progress?.message).toBe(stalled.message);
    signalGroup(dataDir, 'frozen', 'CONT');
    const moving = await waitRun(studio, run.id, (r) => r.stalledSince === null && r.step > stalled.step, 20_000);
    expect(moving.message).toBe('training');
    studio.training.stop(run.id);
    expect((await waitRun(studio, run.id, ENDED)).state).toBe('stopped');
  });

  test('with stopPodOnStall the pod behind the target is stopped and the run ends failed as stalled', async () => {
    const dataDir = newDataDir('faces', 3);
    const studio = await studioFor(dataDir);
    studio.settings.update({ stopPodOnStall: true });
    const stops: string[] = [];
    const pod: RentedPod = { runpodId: 'rp42', targetId: 'local', name: 'night-pod', status: 'RUNNING', gpuId: 'g', gpuName: 'RTX A5000', costPerHr: 0.26 };
    // Plumbing only: this "pod" is the local target; stopping it ends its processes as a pod stop does.
    // (RunpodService.stop against the local RunPod server is tested in test/runpod/.)
    const unused = async (): Promise<never> => {
      throw new Error('not used by this test');
    };
    const rented: RentedPods = {
      unavailable: () => 'not in this test',
      newPodLayout: () => ({ datasetsDir: '/nowhere/datasets', trainingsDir: '/nowhere/trainings' }),
      refresh: async () => undefined,
      podOf: (target: string) => (target === 'local' ? pod : null),
      gpus: unused,
      create: unused,
      ensureRunning: async () => undefined,
      stop: async (id: string) => {
        stops.push(id);
        signalGroup(dataDir, 'hung', 'KILL');
      },
      terminate: unused,
      budgetLeft: () => null,
      busyWithOthers: () => false,
    };
    studio.training.useRentedPods(rented);
    const run = await planAndStart(studio, { name: 'hung', steps: 400, saveEvery: 1000, sampleEvery: 1000, stepSeconds: 0.1 });
    await waitRun(studio, run.id, (r) => r.step >= 3);
    signalGroup(dataDir, 'hung', 'STOP');
    const end = await waitRun(studio, run.id, ENDED, 20_000);
    expect(stops).toEqual(['rp42']);
    expect(end.state).toBe('failed');
    expect(end.error).toEqual({ code: 'stalled', message: expect.stringMatching(/^Stalled: step \d+\/400 has not advanced for 2 s, so pod night-pod was stopped \(Settings: stopPodOnStall\)\./) as string });
    await studio.jobs.whenIdle();
    expect(studio.jobs.get(end.jobId as string)).toMatchObject({ state: 'failed', error: { code: 'stalled' } });
  });
});
