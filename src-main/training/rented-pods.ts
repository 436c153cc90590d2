// What training needs of rented GPUs (RunPod), as a narrow interface the composition
// implements with the RunPod service, so training never imports it (the RunPod capability
// imports pods; training reaches pods only through pod-targets.ts). Used for "Train on
// RunPod" (create or start the pod, stop or terminate it when the run ends), the stall
// guard (stop the pod of a stalled run) and the wizard's estimate (GPU, $/h, budget left).
// See docs/architecture.md, "Train on RunPod".
import type { CloudType, GpuOffer } from '@shared/contract/runpod';

export interface RentedPod {
  /** RunPod's pod id. */
  runpodId: string;
  /** The training target that reaches it ("pod:<profile id>"). */
  targetId: string;
  name: string;
  status: string;
  gpuId: string | null;
  gpuName: string | null;
  /** Compute USD/h while it runs (the last rate seen when stopped; null: unknown). */
  costPerHr: number | null;
}

export type PodProgress = (message: string) => void;

export interface RentedPods {
  /** Why pods cannot be rented here (no RunPod key…), with the way out; null: they can. */
  unavailable(): string | null;
  /** Where a pod the studio creates keeps datasets and runs (its workspace: /workspace on RunPod). */
  newPodLayout(): { datasetsDir: string; trainingsDir: string };
  /** Read the account's pods again (GPU, status, $/h of each); quiet when RunPod is not set up. */
  refresh(): Promise<void>;
  /** The RunPod pod behind a training target; null for this computer or a plain SSH host. */
  podOf(targetId: string): RentedPod | null;
  /** The GPU catalog for a new pod (price per cloud). */
  gpus(): Promise<GpuOffer[]>;
  /** Create a pod for a run, wait for SSH and link a profile; answers the pod (its targetId opens it). */
  create(req: { name: string; gpuTypeId: string; cloud: CloudType }, signal: AbortSignal, progress: PodProgress): Promise<RentedPod>;
  /** Start the pod behind the target when it is stopped and wait until SSH answers (its new address and key pinned). */
  ensureRunning(targetId: string, signal: AbortSignal, progress: PodProgress): Promise<void>;
  stop(runpodId: string): Promise<void>;
  terminate(runpodId: string): Promise<void>;
  /** What is left under the tighter budget cap (Settings), null: no cap. */
  budgetLeft(): { cap: 'session' | 'month'; leftUsd: number } | null;
  /** Other jobs (generation) queued or running on this target's pod: it must not be stopped under them. */
  busyWithOthers(targetId: string): boolean;
}
