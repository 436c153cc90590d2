// What the remote runtime needs of a pod, and nothing more: the narrow interface through which
// generation reaches the pods capability (as training does through training/pod-targets.ts).
// Defined here, on the generation side; implemented by pods/pod-links.ts (which does not
// import generation: the shapes match structurally) and wired in studio.ts. Generation never
// sees pod profiles, secrets or PodConnections; the pods capability never sees the worker.
import type { SshHost } from '../../hosts/ssh-host';

/** The pod's warm worker, as the pods capability shows it in `pods.status`. */
export interface PodWorkerState {
  state: 'none' | 'starting' | 'ready' | 'gone';
  device: string | null;
  pipeline: string | null;
}

/** Where the worker's files are on the pod, once put there. */
export interface PodWorkerFiles {
  /** <workspace>/flux-studio/worker.py */
  script: string;
  /** <workspace>/outputs */
  outputs: string;
  /** <workspace>/flux-studio/run */
  runDir: string;
}

/** One pod, looked up once (per job): its name and layout, and its shared SSH connection. */
export interface PodLink {
  readonly id: string;
  readonly name: string;
  /** The pod's workspace folder (outputs, loras, the worker's files live under it). */
  readonly workspace: string;
  /** The Python that runs the worker (the pod venv's, or the profile's). */
  readonly python: string;
  /** Worker flags from the profile: `--pipeline` and `--model-path model=path`. */
  readonly workerArgs: readonly string[];
  /**
   * The pod's shared SSH connection, connecting when needed and retrying transient failures
   * with backoff; `onWait` hears each failure and the delay before the next try. A stopped
   * rented pod is started first; `onProgress` hears how that goes ("starting pod, ~40 s").
   */
  connect(signal?: AbortSignal, onWait?: (err: Error, delayMs: number, attempt: number) => void, onProgress?: (message: string) => void): Promise<SshHost>;
  /** Puts the worker's files on the pod (synced from this studio), makes outputs/, prunes old run files. */
  installWorker(host: SshHost): Promise<PodWorkerFiles>;
  /** Tells the pods capability how the pod's worker is doing (shown in `pods.status`). */
  workerState(state: PodWorkerState): void;
  /** Reads the GPU's memory again (after an image), best effort. */
  refresh(): Promise<void>;
}

export interface PodLinks {
  /** The pod with this id; throws (not_found) when there is none. */
  link(podId: string): PodLink;
  /**
   * Called before the pods capability closes a pod's connection on purpose (disconnect,
   * removal, a changed host key, shutdown): the remote runtime stops the pod's worker first.
   */
  beforeDisconnect(listener: (podId: string) => Promise<void>): void;
}
