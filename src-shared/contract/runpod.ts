// RunPod: rent, start, stop and pay for GPUs from the studio (issue 15). The API key lives
// in main's secret store (secret `runpod`, RUNPOD_API_KEY wins) and never appears here.
// A RunPod pod the studio can reach over SSH is linked to a pod profile (contract/pods.ts):
// generation and training keep talking to profiles; this capability keeps the profile's
// address and host key true after every start. See docs/architecture.md ("RunPod").
// Nothing here may import Node or Electron.
import { z } from 'zod';
import { call, Empty, Job } from './shapes';
import { PodId, PodName } from './pods';

/** RunPod's own pod id (e.g. "7h9k2m4n6p"). */
export const RunpodPodId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be a RunPod pod id (letters, digits, _ and -)');
export type RunpodPodId = z.infer<typeof RunpodPodId>;

export const RunpodPodState = z.enum(['PROVISIONING', 'STARTING', 'RUNNING', 'EXITED', 'ERROR', 'TERMINATED']);
export type RunpodPodState = z.infer<typeof RunpodPodState>;
export const RunpodAction = z.enum(['start', 'stop', 'restart', 'terminate']);
export const CloudType = z.enum(['SECURE', 'COMMUNITY']);
export type CloudType = z.infer<typeof CloudType>;

/** The on-pod idle watchdog as last read from the pod (native/pod/watchdog.py). */
export const WatchdogStatus = z.object({
  /** Running on the pod now. */
  armed: z.boolean(),
  idleMinutes: z.number().int().min(1),
  /** When the pod stops if nothing happens (ISO); null: not counting (a training is running, or not armed). */
  deadline: z.string().nullable(),
  lastActivity: z.string().nullable(),
  /** Why it is not counting down, or what it did last ("training running", "stopped the pod at …"). */
  note: z.string().nullable(),
  readAt: z.string(),
});
export type WatchdogStatus = z.infer<typeof WatchdogStatus>;

export const RunpodPod = z.object({
  id: RunpodPodId,
  name: z.string(),
  status: RunpodPodState,
  /** The transitions RunPod allows now (anything else is refused with 409). */
  actions: z.array(RunpodAction),
  gpu: z.object({ id: z.string(), displayName: z.string(), count: z.number().int() }).nullable(),
  cloud: CloudType.nullable(),
  image: z.string(),
  /** Compute USD/h while running (0 when stopped). */
  costPerHr: z.number().min(0),
  /** Storage USD/h billed whether running or stopped (volume + container disk). */
  storageCostPerHr: z.number().min(0),
  containerDiskGb: z.number().min(0),
  volumeGb: z.number().min(0),
  networkVolumeId: z.string().nullable(),
  uptimeSec: z.number().min(0).nullable(),
  /** ssh.direct when running with 22/tcp exposed; null otherwise. */
  ssh: z.object({ host: z.string(), port: z.number().int() }).nullable(),
  /** The studio pod profile linked to it (generate / train use it); null: not linked. */
  profileId: PodId.nullable(),
  createdByStudio: z.boolean(),
  /** What this pod has cost during this studio session (compute + storage), USD. */
  sessionSpendUsd: z.number().min(0),
  watchdog: WatchdogStatus.nullable(),
});
export type RunpodPod = z.infer<typeof RunpodPod>;

export const GpuOffer = z.object({
  id: z.string(),
  displayName: z.string(),
  memoryGb: z.number().min(0),
  /** USD/h per GPU; null: not offered on that cloud. */
  securePrice: z.number().nullable(),
  communityPrice: z.number().nullable(),
  /** RunPod's stock status per cloud ("High", "Medium", "Low") or null when none is available. */
  secureStock: z.string().nullable(),
  communityStock: z.string().nullable(),
});
export type GpuOffer = z.infer<typeof GpuOffer>;

export const NetworkVolume = z.object({
  id: z.string(),
  name: z.string(),
  sizeGb: z.number().min(0),
  dataCenterId: z.string().nullable(),
});
export type NetworkVolume = z.infer<typeof NetworkVolume>;

export const RunpodCreateRequest = z
  .object({
    name: PodName,
    /** GPU types in order of preference: the next is tried when one has no capacity. */
    gpuTypeIds: z.array(z.string().min(1).max(100)).min(1, 'pick at least one GPU type').max(10),
    cloud: CloudType.default('SECURE'),
    /** null: the studio's default image (fits the worker and ai-toolkit). */
    image: z.string().trim().min(1).max(300).nullable().default(null),
    containerDiskGb: z.number().int().min(10, 'must be at least 10 GB').max(1000).default(50),
    storage: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('volume'), sizeGb: z.number().int().min(10, 'must be at least 10 GB').max(4000) }).strict(),
        z.object({ kind: z.literal('network'), volumeId: z.string().min(1).max(100) }).strict(),
        z.object({ kind: z.literal('none') }).strict(),
      ])
      .default({ kind: 'volume', sizeGb: 50 }),
  })
  .strict();
export type RunpodCreateRequest = z.infer<typeof RunpodCreateRequest>;

export const SpendMeter = z.object({
  /** Whether a RunPod API key is set (env or store). */
  configured: z.boolean(),
  running: z.array(z.object({ id: RunpodPodId, name: z.string(), costPerHr: z.number() })),
  /** Sum of what is billed per hour now (compute of running pods + storage of all). */
  ratePerHr: z.number().min(0),
  sessionUsd: z.number().min(0),
  monthUsd: z.number().min(0),
  budgetSessionUsd: z.number().nullable(),
  budgetMonthUsd: z.number().nullable(),
  /** Which cap is reached, if any: running pods are stopped after the current image. */
  capReached: z.enum(['session', 'month']).nullable(),
});
export type SpendMeter = z.infer<typeof SpendMeter>;

const ById = z.object({ id: RunpodPodId }).strict();

export const runpodCalls = {
  'runpod.pods': call({
    summary: 'The account\'s pods (made by the studio or on the website) with status, GPU, $/h, uptime, volume, session spend and watchdog.',
    request: Empty,
    response: z.array(RunpodPod),
  }),
  'runpod.gpus': call({ summary: 'The GPU catalog for pods, with price and availability per cloud.', request: Empty, response: z.array(GpuOffer) }),
  'runpod.volumes': call({ summary: 'The account\'s network volumes.', request: Empty, response: z.array(NetworkVolume) }),
  'runpod.create': call({
    summary: 'Queue a job that registers the studio\'s public key, creates the pod (trying each GPU type in order), waits for ssh.direct and links a pod profile with the host key from the pod\'s log.',
    request: RunpodCreateRequest,
    response: Job,
  }),
  'runpod.start': call({
    summary: 'Queue a job that starts a stopped pod, waits for its new address and pins its new host key when the pod\'s log shows the same fingerprint.',
    request: ById,
    response: Job,
  }),
  'runpod.stop': call({ summary: 'Stop a pod (compute billing ends; the volume is kept and still billed).', request: ById, response: RunpodPod }),
  'runpod.terminate': call({
    summary: 'Terminate a pod: irreversible, its volume is destroyed. `confirm` must be the pod\'s name.',
    request: z.object({ id: RunpodPodId, confirm: z.string().min(1).max(200) }).strict(),
    response: z.object({ terminated: z.literal(true) }),
  }),
  'runpod.link': call({
    summary: 'Link a running pod (e.g. made on the website) to a pod profile so generate and train can use it.',
    request: ById,
    response: RunpodPod,
  }),
  'runpod.spend': call({ summary: 'The spend meter: running pods, $/h now, this session\'s and this month\'s spend, budget caps.', request: Empty, response: SpendMeter }),
  'runpod.watchdog': call({ summary: 'Read the on-pod idle watchdog\'s countdown.', request: ById, response: WatchdogStatus }),
  'runpod.extendWatchdog': call({
    summary: 'Push the on-pod idle deadline back by N minutes from now.',
    request: z.object({ id: RunpodPodId, minutes: z.number().int().min(1).max(24 * 60) }).strict(),
    response: WatchdogStatus,
  }),
  'runpod.stopAll': call({ summary: 'Stop every running pod (quit prompt, budget cap).', request: Empty, response: z.object({ stopped: z.array(RunpodPodId) }) }),
} as const;

export const runpodEvents = {
  /** The account's pods changed (status, address, cost). */
  'runpod.pods': z.array(RunpodPod),
  /** The spend meter moved. */
  'runpod.spend': SpendMeter,
} as const;
