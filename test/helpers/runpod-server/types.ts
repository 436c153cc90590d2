// The public types of the local RunPod server (index.ts has the usage).
import type { TestSshd } from '../sshd';
import type { CatalogGpu } from './catalog';
import type { FaultSpec } from './faults';
import type { HostKeyType } from './loopback-pod';
import type { LogLine } from './pod-logs';
import type { Delays, PodAction, PodStatus, SshDirect } from './pod-state';

export interface RunpodServerOptions {
  apiKey?: string;
  delays?: Partial<Delays>;
  gpus?: CatalogGpu[];
  /** Host key types the start script makes (default: all four, as RunPod's script does). */
  hostKeyTypes?: HostKeyType[];
}

export interface PodSnapshot {
  id: string;
  name: string;
  status: PodStatus;
  actions: PodAction[];
  gpu: { id: string; count: number } | null;
  /** USD/h now (0 unless the pod holds compute). */
  cost: number;
  /** The address the sshd really listens on (null unless RUNNING). */
  direct: SshDirect | null;
  /** What GET /v2/pods/{id} reports now (the old address during the stale window). */
  reportedDirect: SshDirect | null;
  /** SHA256 fingerprints of the host keys the running sshd serves. */
  fingerprints: string[];
  volumePath: string | null;
  /** `<podRoot>/rp_environment` of the current start (RunPod: /etc/rp_environment); null before the first start. */
  envFile: string | null;
  /** The pod's RUNPOD_API_KEY. */
  podApiKey: string;
  authorizedKeys: string[];
  madeOnWebsite: boolean;
  /** How many times the start script ran (create, start, restart). */
  starts: number;
  /** Compute and storage billed so far (as accruedUsd(id)). */
  accruedUsd: number;
}

export interface AddPodInput {
  name: string;
  gpuId?: string;
  gpuCount?: number;
  status?: 'RUNNING' | 'EXITED';
  ports?: string[];
  cloud?: 'SECURE' | 'COMMUNITY';
  image?: string;
  /** Persistent volume path (as mounts.persistent.path: used as is inside the temp dir, else mapped under the server's root) and size. */
  volumePath?: string;
  volumeGb?: number;
  /** Keys its sshd accepts (default: the account's registered keys now). */
  authorizedKeys?: string[];
}

export interface NetworkVolumeInput {
  name: string;
  size: number;
  dataCenter?: string;
  /** The directory that is the volume on this machine (default: a temp dir). */
  path?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  operationId: string | null;
  /** Which key asked: the account's, the read-only one, a pod's own; null when none was valid. */
  key: 'account' | 'read' | 'pod' | null;
  at: number;
}

export interface RunpodTestServer {
  readonly url: string;
  readonly apiKey: string;
  /** A valid key scoped to reads: every non-GET answers 403. */
  readonly readOnlyApiKey: string;
  pods(): PodSnapshot[];
  pod(id: string): PodSnapshot | undefined;
  setCapacity(gpuId: string, available: number | boolean): void;
  failNext(method: string, pathPattern: string | RegExp, fault: FaultSpec): void;
  /** The next start of this pod ends in ERROR (with `detail` in its system log). */
  failNextStart(id: string, detail?: string): void;
  addPod(input: AddPodInput): Promise<string>;
  addNetworkVolume(input: NetworkVolumeInput): string;
  sshKeys(): string[];
  /** Every line of the pod's log so far (what GET /v2/pods/{id}/logs streams). */
  podLog(id: string): LogLine[];
  requests(): RecordedRequest[];
  violations(): string[];
  accruedUsd(id: string): number;
  sshd(id: string): TestSshd | null;
  /** Wait until the pod reaches `status` (polls the state, not the API); for EXITED, until its processes are gone too. */
  waitFor(id: string, status: PodStatus, timeoutMs?: number): Promise<PodSnapshot>;
  /** pids of this server's pods' processes still alive (sshds, sessions, what they started; [] after close). */
  livePodProcesses(): number[];
  close(): Promise<void>;
}
