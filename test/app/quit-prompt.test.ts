// The quit prompt's decision (src-main/app/quit-prompt.ts) with a stand-in dispatch whose
// answers are checked against the contract's schemas, and a recording message box.
import { describe, expect, test } from 'vitest';
import { calls, type Envelope } from '@shared/contract';
import { SpendMeter } from '@shared/contract/runpod';
import type { Dispatch } from '../../src-main/api/dispatch';
import { choiceOf, confirmQuit, quitQuestion, type MessageBox } from '../../src-main/app/quit-prompt';

const meter = (running: Array<{ id: string; name: string; costPerHr: number }>, configured = true): SpendMeter =>
  SpendMeter.parse({ configured, running, ratePerHr: running.reduce((s, p) => s + p.costPerHr, 0), sessionUsd: 1.2, monthUsd: 9, budgetSessionUsd: null, budgetMonthUsd: null, capReached: null });

const TWO = [
  { id: 'abc123', name: 'flux-a', costPerHr: 0.69 },
  { id: 'def456', name: 'flux-b', costPerHr: 0.44 },
];

function setup(o: { spend?: Envelope<unknown>; idleMinutes?: number; answers?: number[]; stopAll?: Envelope<unknown> }) {
  const called: string[] = [];
  const boxes: MessageBox[] = [];
  const warnings: string[] = [];
  const answers = [...(o.answers ?? [])];
  const dispatch: Dispatch = (name, payload) => {
    const n = String(name);
    called.push(n);
    // Every call the prompt makes is a real contract call with a valid request.
    expect(Object.keys(calls)).toContain(n);
    calls[n as keyof typeof calls].request.parse(payload);
    if (n === 'runpod.spend') return Promise.resolve(o.spend ?? { ok: true, data: meter([]) });
    if (n === 'settings.get') return Promise.resolve({ ok: true, data: { runpodIdleStopMinutes: o.idleMinutes ?? 15 } });
    if (n === 'runpod.stopAll') return Promise.resolve(o.stopAll ?? { ok: true, data: { stopped: TWO.map((p) => p.id) } });
    throw new Error(`unexpected call ${n}`);
  };
  const deps = {
    dispatch,
    showMessageBox: (box: MessageBox) => {
      boxes.push(box);
      const response = answers.shift();
      if (response === undefined) throw new Error('an unexpected message box');
      return Promise.resolve({ response });
    },
    warn: (m: string) => void warnings.push(m),
  };
  return { deps, called, boxes, warnings };
}

describe('quitQuestion', () => {
  test('no running pod: nothing to ask', () => {
    expect(quitQuestion(meter([]), 15)).toBeNull();
  });

  test('names the pods, the rate and the idle minutes; keep is the default, cancel the escape', () => {
    const box = quitQuestion(meter(TWO), 20);
    expect(box).not.toBeNull();
    expect(box?.message).toBe('2 RunPod pods are running: $1.13/h together.');
    expect(box?.detail).toContain('flux-a ($0.69/h), flux-b ($0.44/h)');
    expect(box?.detail).toContain('after 20 idle minutes');
    expect(box?.detail).toContain('a running training is never stopped');
    expect(box?.buttons).toEqual(['Keep running (the watchdog stops them after 20 idle minutes)', 'Stop them', 'Cancel']);
    expect(box?.buttons[box.defaultId]).toMatch(/^Keep running/);
    expect(box?.buttons[box.cancelId]).toBe('Cancel');
    expect(quitQuestion(meter(TWO.slice(0, 1)), 1)?.buttons[0]).toBe('Keep running (the watchdog stops them after 1 idle minute)');
  });

  test('choiceOf maps the buttons', () => {
    expect([0, 1, 2, -1].map(choiceOf)).toEqual(['keep', 'stop', 'cancel', 'cancel']);
  });
});

describe('confirmQuit', () => {
  test('no running pods: quits without asking', async () => {
    const t = setup({});
    expect(await confirmQuit(t.deps)).toBe('quit');
    expect(t.boxes).toEqual([]);
    expect(t.called).not.toContain('runpod.stopAll');
  });

  test('no RunPod key: quits without asking', async () => {
    const t = setup({ spend: { ok: true, data: meter([], false) } });
    expect(await confirmQuit(t.deps)).toBe('quit');
    expect(t.boxes).toEqual([]);
  });

  test('the spend meter fails: quits without asking, and says why in the log', async () => {
    const t = setup({ spend: { ok: false, error: { code: 'network', message: 'api.runpod.io did not answer' } } });
    expect(await confirmQuit(t.deps)).toBe('quit');
    expect(t.boxes).toEqual([]);
    expect(t.warnings[0]).toContain('api.runpod.io did not answer');
  });

  test('keep running: quits and stops nothing', async () => {
    const t = setup({ spend: { ok: true, data: meter(TWO) }, idleMinutes: 30, answers: [0] });
    expect(await confirmQuit(t.deps)).toBe('quit');
    expect(t.boxes[0]?.buttons[0]).toContain('30 idle minutes');
    expect(t.called).not.toContain('runpod.stopAll');
  });

  test('stop them: stops every pod, then quits', async () => {
    const t = setup({ spend: { ok: true, data: meter(TWO) }, answers: [1] });
    expect(await confirmQuit(t.deps)).toBe('quit');
    expect(t.called).toEqual(['runpod.spend', 'settings.get', 'runpod.stopAll']);
  });

  test('cancel: stays open', async () => {
    const t = setup({ spend: { ok: true, data: meter(TWO) }, answers: [2] });
    expect(await confirmQuit(t.deps)).toBe('cancel');
    expect(t.called).not.toContain('runpod.stopAll');
  });

  test('stopping fails: says so, then quit anyway or stay', async () => {
    const stopAll: Envelope<unknown> = { ok: false, error: { code: 'upstream', message: 'RunPod answered 500' } };
    const quitAnyway = setup({ spend: { ok: true, data: meter(TWO) }, answers: [1, 0], stopAll });
    expect(await confirmQuit(quitAnyway.deps)).toBe('quit');
    expect(quitAnyway.boxes[1]?.detail).toContain('RunPod answered 500');
    expect(quitAnyway.boxes[1]?.buttons).toEqual(['Quit anyway', 'Cancel']);
    const stay = setup({ spend: { ok: true, data: meter(TWO) }, answers: [1, 1], stopAll });
    expect(await confirmQuit(stay.deps)).toBe('cancel');
  });
});
