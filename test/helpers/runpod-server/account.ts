// What the local RunPod server keeps for its one account: the GPU catalog with capacity, the
// registered SSH keys, network volumes and the pods (through the state machine).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PodMeter } from './billing';
import { DATA_CENTERS, type CatalogGpu } from './catalog';
import { HttpError } from './http-errors';
import { PodLog } from './pod-logs';
import { newId, type PodMachine, type PodRecord } from './pod-state';
import type { NetworkVolumeInput } from './types';

export interface NetworkVolume {
  id: string;
  name: string;
  size: number;
  dataCenter: string;
  type: 'STANDARD' | 'HIGH_PERFORMANCE';
  /** The directory that is the volume on this machine. */
  dir: string;
  /** Made by the server (removed with it), not given by the test. */
  ownDir: boolean;
}

export interface NewPod {
  name: string;
  image: string;
  gpu: { id: string; count: number } | null;
  cloud: 'SECURE' | 'COMMUNITY';
  ports: string[];
  env: Record<string, string>;
  disk: number;
  args: string;
  mounts: PodRecord['mounts'];
  /** A network volume's directory; a persistent volume's is derived from mounts. */
  networkVolumeDir: string | null;
  authorizedKeys: string[];
  dataCenterId: string;
  madeOnWebsite: boolean;
  registry: string | null;
  templateId: string | null;
}

export function secret(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(18).toString('base64url')}`;
}

export class Account {
  readonly gpus: Map<string, CatalogGpu>;
  readonly volumes = new Map<string, NetworkVolume>();
  registeredKeys: string[] = [];

  constructor(
    readonly machine: PodMachine,
    readonly rootDir: string,
    gpus: readonly CatalogGpu[],
  ) {
    this.gpus = new Map(gpus.map((g) => [g.id, { ...g, price: { ...g.price }, maxCount: { ...g.maxCount }, cudaVersions: [...g.cudaVersions] }]));
  }

  /** USD/h of `count` GPUs of a type in a cloud. */
  gpuPrice(gpuId: string, cloud: 'SECURE' | 'COMMUNITY', count: number): number {
    const g = this.gpus.get(gpuId);
    if (!g) return 0;
    return Math.round((cloud === 'SECURE' ? g.price.secure : g.price.community) * count * 1000) / 1000;
  }

  /** A pod record, not yet started (PodMachine.add starts it). */
  newPod(init: NewPod): PodRecord {
    const id = newId();
    const { networkVolumeDir, ...rest } = init;
    const pod: PodRecord = {
      id,
      ...rest,
      volumePath: networkVolumeDir,
      cudaVersion: this.gpus.get(init.gpu?.id ?? '')?.cudaVersions.at(-1) ?? '12.8',
      locked: false,
      createdAt: new Date().toISOString(),
      startedAt: null,
      runningSince: null,
      status: 'PROVISIONING',
      podApiKey: secret('rpa_pod'),
      gpuUsdPerHour: init.gpu ? this.gpuPrice(init.gpu.id, init.cloud, init.gpu.count) : 0,
      podRoot: path.join(this.rootDir, id),
      direct: null,
      previousDirect: null,
      staleUntil: 0,
      starts: 0,
      loopback: null,
      log: new PodLog(),
      meter: new PodMeter({ running: false, computeUsdPerHour: 0, containerDiskGb: 0, volumeGb: 0 }),
      timer: null,
      generation: 0,
      failNextStart: null,
      hostSuffix: crypto.randomBytes(4).toString('hex'),
      halting: null,
    };
    if (init.mounts.persistent) pod.volumePath = this.persistentVolumeDir(id, init.mounts.persistent.path);
    return pod;
  }

  /**
   * The real directory of a persistent volume: the requested path itself when it lies in the
   * temp dir (tests pass a temp workspace), else a directory of the pod under this server's
   * root (a client asking for RunPod's default /workspace must not get, or on terminate
   * remove, this machine's /workspace).
   */
  private persistentVolumeDir(podId: string, requested: string): string {
    const resolved = path.resolve(requested);
    const inTmp = [os.tmpdir(), fs.realpathSync(os.tmpdir())].some((t) => resolved.startsWith(t + path.sep));
    if (inTmp && !resolved.startsWith(this.rootDir + path.sep)) return resolved;
    return path.join(this.rootDir, 'volumes', podId, resolved);
  }

  /** A pod the API can see (404 for an unknown or terminated one). */
  livePod(id: string): PodRecord {
    const pod = this.machine.pods.get(id);
    if (!pod || pod.status === 'TERMINATED') throw new HttpError(404, `Pod ${id} not found.`);
    return pod;
  }

  addVolume(input: NetworkVolumeInput & { type?: 'STANDARD' | 'HIGH_PERFORMANCE' }): NetworkVolume {
    const id = newId().slice(0, 10);
    const ownDir = !input.path;
    const dir = input.path ?? path.join(this.rootDir, 'network-volumes', id);
    fs.mkdirSync(dir, { recursive: true });
    const v: NetworkVolume = { id, name: input.name, size: input.size, dataCenter: input.dataCenter ?? DATA_CENTERS[0]!.id, type: input.type ?? 'STANDARD', dir, ownDir };
    this.volumes.set(id, v);
    return v;
  }
}
