// The "Train on RunPod" estimate: speed from earlier runs on the GPU (median), else the
// default table (scaled per model family); setup allowance; cost at the GPU rate; over budget.
import { describe, expect, test } from 'vitest';
import { defaultSecondsPerStep, estimateTraining, SETUP_SECONDS, UNKNOWN_GPU_SECONDS_PER_STEP } from '../../src-main/training/estimate';

describe('training estimate', () => {
  test('the default table matches RunPod GPU type ids and names; an unknown GPU gets the fallback', () => {
    expect(defaultSecondsPerStep('NVIDIA GeForce RTX 4090')).toEqual({ secondsPerStep: 2.6, label: 'RTX 4090' });
    expect(defaultSecondsPerStep('NVIDIA H100 80GB HBM3')).toEqual({ secondsPerStep: 1.2, label: 'H100' });
    expect(defaultSecondsPerStep('NVIDIA A100-SXM4-80GB').label).toBe('A100 80 GB');
    expect(defaultSecondsPerStep('NVIDIA L40S').label).toBe('L40S');
    expect(defaultSecondsPerStep('NVIDIA L40').label).toBe('L40');
    expect(defaultSecondsPerStep('Some Future GPU')).toEqual({ secondsPerStep: UNKNOWN_GPU_SECONDS_PER_STEP, label: null });
  });

  test('no history: the default speed x steps + setup, at the GPU rate; SDXL is faster', () => {
    const e = estimateTraining({ steps: 1000, model: 'flux-dev', gpu: 'NVIDIA GeForce RTX 4090', history: [], newPod: true, ratePerHr: 0.69, budget: null });
    expect(e).toMatchObject({ basis: 'default', secondsPerStep: 2.6, setupSeconds: SETUP_SECONDS.newPod, seconds: SETUP_SECONDS.newPod + 2600, budgetCap: null, exceedsBudget: false });
    expect(e.usd).toBeCloseTo(0.69 * ((SETUP_SECONDS.newPod + 2600) / 3600), 2);
    expect(e.basisNote).toMatch(/default for RTX 4090/);
    const sdxl = estimateTraining({ steps: 1000, model: 'sdxl', gpu: 'NVIDIA GeForce RTX 4090', history: [], newPod: false, ratePerHr: null, budget: null });
    expect(sdxl.secondsPerStep).toBe(1.3);
    expect(sdxl.usd).toBeNull();
  });

  test('history wins (median of earlier runs on that GPU); over what is left of the budget asks', () => {
    const e = estimateTraining({
      steps: 2000, model: 'flux-dev', gpu: 'NVIDIA RTX A5000', history: [3.1, 9.9, 3.3], newPod: false, ratePerHr: 0.27, budget: { cap: 'session', leftUsd: 0.4 },
    });
    expect(e).toMatchObject({ basis: 'history', secondsPerStep: 3.3, basisNote: '3 earlier runs of flux-dev on NVIDIA RTX A5000', budgetCap: 'session', budgetLeftUsd: 0.4 });
    expect(e.usd).toBeGreaterThan(0.4);
    expect(e.exceedsBudget).toBe(true);
    const cheap = estimateTraining({ steps: 10, model: 'flux-dev', gpu: 'NVIDIA RTX A5000', history: [3], newPod: false, ratePerHr: 0.27, budget: { cap: 'month', leftUsd: 5 } });
    expect(cheap.exceedsBudget).toBe(false);
  });
});
