// The quit prompt (src-main/app/quit-prompt.ts) against a real Studio and the local RunPod
// server: with pods running it asks (their names, $/h and the idle minutes from the
// settings); "Stop them" stops every running pod through the API; "Keep running" stops none.
// Only the message box is a stand-in (Electron's dialog cannot run here).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { confirmQuit, type MessageBox } from '../../src-main/app/quit-prompt';
import type { Studio } from '../../src-main/studio';
import { unwrap } from '../helpers/remote-pod';
import { startRunpodServer, type RunpodTestServer } from '../helpers/runpod-server';
import { requireSshd } from '../helpers/sshd';
import { makeStudio } from '../helpers/studio';

requireSshd();

describe('quitting with RunPod pods running (local RunPod server)', () => {
  let rp: RunpodTestServer;
  let studio: Studio;

  beforeAll(async () => {
    rp = await startRunpodServer({ delays: { provisionMs: 30, startMs: 30, stopMs: 0 } });
    studio = await makeStudio({ env: { RUNPOD_API_KEY: rp.apiKey }, runpod: { apiBase: rp.url, timing: { pollMs: 100 }, retry: { maxRetries: 0 } } });
    unwrap(await studio.dispatch('settings.update', { runpodIdleStopMinutes: 25 }));
  }, 120_000);
  afterAll(async () => {
    await studio?.close();
    await rp?.close();
  });

  const quit = async (answer: number) => {
    const boxes: MessageBox[] = [];
    const warnings: string[] = [];
    const result = await confirmQuit({
      dispatch: studio.dispatch,
      showMessageBox: (box) => {
        boxes.push(box);
        return Promise.resolve({ response: answer });
      },
      warn: (m) => void warnings.push(m),
    });
    return { result, boxes, warnings };
  };

  test('asks with the running pods; keep running stops nothing, stop them stops every one', async () => {
    const a = await rp.addPod({ name: 'pod a', gpuId: 'NVIDIA RTX A5000' });
    const b = await rp.addPod({ name: 'pod b', gpuId: 'NVIDIA RTX A5000' });
    const idle = await rp.addPod({ name: 'pod c', status: 'EXITED' });
    await rp.waitFor(a, 'RUNNING');
    await rp.waitFor(b, 'RUNNING');

    const keep = await quit(0);
    expect(keep.warnings).toEqual([]);
    expect(keep.result).toBe('quit');
    expect(keep.boxes).toHaveLength(1);
    expect(keep.boxes[0]?.message).toMatch(/^2 RunPod pods are running: \$\d+\.\d\d\/h together\.$/);
    expect(keep.boxes[0]?.detail).toContain('pod a (');
    expect(keep.boxes[0]?.detail).not.toContain('pod c');
    expect(keep.boxes[0]?.buttons[0]).toBe('Keep running (the watchdog stops them after 25 idle minutes)');
    expect(rp.pod(a)?.status).toBe('RUNNING');

    const cancel = await quit(2);
    expect(cancel.result).toBe('cancel');
    expect(rp.pod(b)?.status).toBe('RUNNING');

    const stop = await quit(1);
    expect(stop.result).toBe('quit');
    await rp.waitFor(a, 'EXITED', 10_000);
    await rp.waitFor(b, 'EXITED', 10_000);
    expect(rp.pod(idle)?.status).toBe('EXITED');

    // Nothing running any more: quitting asks nothing.
    const after = await quit(2);
    expect(after.result).toBe('quit');
    expect(after.boxes).toEqual([]);
    expect(rp.violations()).toEqual([]);
  }, 120_000);
});
