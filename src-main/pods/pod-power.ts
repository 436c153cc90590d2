// Powering a pod on before it is used: a profile linked to a rented pod (RunPod) may be
// stopped. Declared here, on the pods side, and implemented by the runpod capability
// (runpod/runpod-service.ts), so that pods never imports runpod (docs/architecture.md,
// "RunPod"; test/lint/import-graph.test.ts). pod-links.ts asks it before every connect.
import type { PodProfile } from '@shared/contract/pods';

/** A progress line for the job that waits ("starting pod, ~40 s"); etaSeconds when known. */
export type PowerProgress = (message: string, etaSeconds: number | null) => void;

export interface PodPower {
  /**
   * Makes sure the pod behind `profile` runs and answers at the address it now has: starts a
   * stopped pod, waits for SSH, updates the profile's address (and pins the new host key when
   * the pod's log shows it). Answers the profile as it is now; a plain SSH profile (no rented
   * pod) comes back unchanged without a network call.
   */
  ensureRunning(profile: PodProfile, onProgress: PowerProgress, signal?: AbortSignal): Promise<PodProfile>;
}

/** No power control (no RunPod wiring): every profile is used as it is. */
export const alwaysOn: PodPower = {
  ensureRunning: async (profile) => profile,
};
