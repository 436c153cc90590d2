// `flux-studio pods create|start|stop|terminate|gpus|cost` in this process (runCliInProcess)
// against the local RunPod server (test/helpers/runpod-server) and its loopback pods.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunpodPod, SpendMeter } from '@shared/contract/runpod';
import { startRunpodServer, type RunpodTestServer } from '../../helpers/runpod-server';
import { runCliInProcess } from '../../helpers/cli';
import { requireSshd } from '../../helpers/sshd';
import { tempDir } from '../../helpers/studio';

requireSshd();

const A4090 = 'NVIDIA GeForce RTX 4090';
const A5000 = 'NVIDIA RTX A5000';

describe('pods CLI for RunPod', () => {
  let rp: RunpodTestServer;
  const dataDir = tempDir('flux-cli-runpod-');
  const saved = { api: process.env.FLUX_STUDIO_RUNPOD_API, key: process.env.RUNPOD_API_KEY };
  const cli = (...args: string[]) => runCliInProcess([...args, '--data-dir', dataDir]);

  beforeAll(async () => {
    rp = await startRunpodServer({ delays: { provisionMs: 100, startMs: 100 } });
    process.env.FLUX_STUDIO_RUNPOD_API = rp.url;
    process.env.RUNPOD_API_KEY = rp.apiKey;
  }, 60_000);
  afterAll(async () => {
    if (saved.api === undefined) delete process.env.FLUX_STUDIO_RUNPOD_API;
    else process.env.FLUX_STUDIO_RUNPOD_API = saved.api;
    if (saved.key === undefined) delete process.env.RUNPOD_API_KEY;
    else process.env.RUNPOD_API_KEY = saved.key;
    const violations = rp?.violations() ?? [];
    await rp?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(violations).toEqual([]);
  });

  it('gpus lists price and stock per cloud', async () => {
    const out = await cli('pods', 'gpus');
    expect(out).toMatch(/NVIDIA GeForce RTX 4090\s+24 GB\s+secure \$0\.69\/h High/);
  });

  it('create tries each --gpu in order, says when none has capacity, and creates on a network volume', async () => {
    rp.setCapacity(A4090, 0);
    rp.setCapacity(A5000, 0);
    await expect(cli('pods', 'create', 'nothing', '--gpu', A4090, '--gpu', A5000)).rejects.toThrow(/no capacity for any of the GPU types you picked.*RTX 4090.*RTX A5000/s);
    rp.setCapacity(A5000, 4);
    const vol = rp.addNetworkVolume({ name: 'cache', size: 50 });
    const out = await cli('pods', 'create', 'cli pod', '--gpu', A4090, '--gpu', A5000, '--network-volume', vol, '--disk', '20', '--json');
    const pod = JSON.parse(out) as RunpodPod;
    expect(pod).toMatchObject({ name: 'cli pod', status: 'RUNNING', networkVolumeId: vol, gpu: { id: A5000 }, createdByStudio: true });
    expect(pod.profileId).not.toBeNull();
    expect(rp.pod(pod.id)!.fingerprints.length).toBeGreaterThan(0);
  });

  it('stop, start (new address), cost', async () => {
    const stopped = await cli('pods', 'stop', 'cli pod');
    expect(stopped).toMatch(/stopped cli pod; its volume is kept/);
    const id = rp.pods().find((p) => p.name === 'cli pod')!.id;
    expect(rp.pod(id)!.status).toBe('EXITED');
    const started = JSON.parse(await cli('pods', 'start', 'cli pod', '--json')) as RunpodPod;
    expect(started.status).toBe('RUNNING');
    expect(started.ssh).toEqual({ host: rp.pod(id)!.direct!.host, port: rp.pod(id)!.direct!.port });
    const cost = JSON.parse(await cli('pods', 'cost', '--json')) as { meter: SpendMeter; pods: RunpodPod[] };
    expect(cost.meter.configured).toBe(true);
    expect(cost.meter.running.map((r) => r.name)).toEqual(['cli pod']);
    expect(cost.meter.ratePerHr).toBeGreaterThan(0);
    const human = await cli('pods', 'cost');
    expect(human).toMatch(/cli pod\s+RUNNING/);
    expect(human).toMatch(/now \$\d+\.\d{3}\/h; this session \$\d+\.\d{2}; this month/);
  });

  it('terminate asks for confirmation (refuses without a terminal) and goes ahead with --yes', async () => {
    await expect(cli('pods', 'terminate', 'cli pod')).rejects.toThrow(/destroys its volume\. Run again with --yes/);
    const id = rp.pods().find((p) => p.name === 'cli pod')!.id;
    expect(rp.pod(id)!.status).toBe('RUNNING');
    expect(await cli('pods', 'terminate', 'cli pod', '--yes')).toMatch(/terminated cli pod; its volume is destroyed/);
    expect(rp.pod(id)?.status ?? 'TERMINATED').toBe('TERMINATED');
  });
});
