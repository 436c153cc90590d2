// Per-pod accrued USD, as RunPod bills it (per second; runpod.md §5): compute (GPU $/h × count)
// while RUNNING, the container disk while RUNNING, the volume disk at the running price while
// RUNNING and at the stopped price otherwise (until terminate). Network volumes are billed to
// the account, not the pod.
import { STORAGE_USD_PER_GB_HOUR } from './catalog';

export interface Accrual {
  gpuUsd: number;
  diskUsd: number;
}

export interface BillingInput {
  running: boolean;
  /** USD per hour for the pod's GPUs (price × count). */
  computeUsdPerHour: number;
  containerDiskGb: number;
  volumeGb: number;
}

export class PodMeter {
  private acc: Accrual = { gpuUsd: 0, diskUsd: 0 };
  private since: number;
  private input: BillingInput;

  constructor(input: BillingInput, now = Date.now()) {
    this.input = input;
    this.since = now;
  }

  /** Close the current interval at `now` and bill the next one with `input`. */
  update(input: BillingInput, now = Date.now()): void {
    this.settle(now);
    this.input = input;
  }

  private settle(now: number): void {
    const hours = Math.max(0, now - this.since) / 3_600_000;
    const i = this.input;
    if (i.running) {
      this.acc.gpuUsd += i.computeUsdPerHour * hours;
      this.acc.diskUsd += (i.containerDiskGb * STORAGE_USD_PER_GB_HOUR.containerDisk + i.volumeGb * STORAGE_USD_PER_GB_HOUR.volumeRunning) * hours;
    } else {
      this.acc.diskUsd += i.volumeGb * STORAGE_USD_PER_GB_HOUR.volumeStopped * hours;
    }
    this.since = now;
  }

  /** Accrued so far (settles up to `now`). */
  read(now = Date.now()): Accrual {
    this.settle(now);
    return { ...this.acc };
  }

  /** Stop billing (terminate). */
  end(now = Date.now()): void {
    this.update({ running: false, computeUsdPerHour: 0, containerDiskGb: 0, volumeGb: 0 }, now);
  }
}
