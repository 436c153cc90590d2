// Pods: SSH profiles for remote GPU hosts (RunPod pods), host-key trust, connection status
// and one-click preparation. Nothing here may import Node or Electron.
import { z } from 'zod';
import { AbsolutePath, call, Empty, Job, ModelId } from './shapes';

export const PodId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be a pod id');

/** What a user may name a pod: shown in lists, used by `--pod NAME`. */
export const PodName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(60, 'is too long (60 characters at most)')
  .regex(/^[\p{L}\p{N} ._-]+$/u, 'may hold letters, digits, spaces, dots, dashes and underscores');

const HostName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(253, 'is too long')
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._:-]+)$/, 'must be a host name or IP address');
const UserName = z.string().trim().min(1, 'must not be empty').max(64).regex(/^[A-Za-z0-9._-]+$/, 'must be a user name (letters, digits, . _ -)');
/** A path on the pod (POSIX, absolute). */
export const PodPath = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'is too long')
  .refine((p) => p.startsWith('/'), 'must be an absolute path on the pod (start with /)')
  .refine((p) => !p.includes('\0') && !p.includes('\n'), 'must not contain NUL or newline')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ..');

export const WorkerPipeline = z.enum(['diffusers', 'standin']);

export const HostKeyPin = z.object({
  fingerprint: z.string(),
  keyType: z.string(),
  pinnedAt: z.string(),
});

export const PodProfile = z.object({
  id: PodId,
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  /** null: use the SSH agent. */
  keyPath: z.string().nullable(),
  connectTimeoutSec: z.number().int(),
  workspace: z.string(),
  /** The venv python on the pod; null: <workspace>/.venv/bin/python. */
  python: z.string().nullable(),
  /** 'standin' is a fast deterministic stand-in for plumbing tests. */
  pipeline: WorkerPipeline,
  /** A folder or hub id per model, passed to the worker as --model-path (null: the hub default). */
  modelPaths: z.object({ 'flux-dev': z.string().nullable(), 'flux-schnell': z.string().nullable() }),
  hostKey: HostKeyPin.nullable(),
  hasPassphrase: z.boolean(),
  /** The RunPod pod this profile reaches (its address and host key follow it); null: a plain SSH host. */
  runpodId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PodProfile = z.infer<typeof PodProfile>;

export const PodDraft = z
  .object({
    name: PodName,
    host: HostName,
    port: z.number().int('must be a whole number').min(1, 'must be 1–65535').max(65535, 'must be 1–65535').optional(),
    user: UserName.optional(),
    keyPath: AbsolutePath.nullable().optional(),
    connectTimeoutSec: z.number().int().min(1, 'must be 1–120 s').max(120, 'must be 1–120 s').optional(),
    workspace: PodPath.optional(),
    python: PodPath.nullable().optional(),
    pipeline: WorkerPipeline.optional(),
    modelPaths: z.object({ 'flux-dev': z.string().max(1024).nullable().optional(), 'flux-schnell': z.string().max(1024).nullable().optional() }).strict().optional(),
  })
  .strict();
export type PodDraft = z.infer<typeof PodDraft>;

export const ParsedSshCommand = z.object({
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  keyPath: z.string().nullable(),
  warnings: z.array(z.string()),
});
export type ParsedSshCommand = z.infer<typeof ParsedSshCommand>;

export const SshConfigHost = z.object({
  alias: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  keyPath: z.string().nullable(),
});
export type SshConfigHost = z.infer<typeof SshConfigHost>;

export const PodGpu = z.object({
  name: z.string(),
  memoryUsedMiB: z.number(),
  memoryTotalMiB: z.number(),
});

export const PodStatus = z.object({
  id: PodId,
  state: z.enum(['disconnected', 'connecting', 'connected', 'reconnecting', 'error']),
  /** What went wrong last (auth, refused, timeout, dns, key_unreadable, host_key_changed…). */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** null until connected, or when nvidia-smi is missing on the pod. */
  gpus: z.array(PodGpu),
  gpuNote: z.string().nullable(),
  /**
   * Whether the pod has the worker's environment (the venv bootstrap.sh makes, or the profile's
   * own python): checked on connect, set after a preparation. null: not checked yet.
   * "Ready" means connected, prepared and with a GPU (docs/architecture.md, "Pods page").
   */
  prepared: z.boolean().nullable(),
  /** The warm worker: not started, starting, ready (with device/torch/diffusers) or gone. */
  worker: z.object({ state: z.enum(['none', 'starting', 'ready', 'gone']), device: z.string().nullable(), pipeline: z.string().nullable() }),
  updatedAt: z.string(),
});
export type PodStatus = z.infer<typeof PodStatus>;

export const HostKeyScan = z.object({
  fingerprint: z.string(),
  keyType: z.string(),
  pinned: z.string().nullable(),
  /** new: nothing pinned yet; match: pinned and equal; changed: pinned and different (refused until trusted). */
  verdict: z.enum(['new', 'match', 'changed']),
});
export type HostKeyScan = z.infer<typeof HostKeyScan>;

const ById = z.object({ id: PodId }).strict();

export const podCalls = {
  'pods.list': call({ summary: 'Pod profiles (no secrets).', request: Empty, response: z.array(PodProfile) }),
  'pods.save': call({
    summary: 'Create a pod profile (no id) or update one (id). Changing host or port keeps the pinned host key; a new key is refused until trusted.',
    request: PodDraft.extend({ id: PodId.optional() }).strict(),
    response: PodProfile,
  }),
  'pods.remove': call({ summary: 'Delete a pod profile and its stored passphrase.', request: ById, response: z.object({ removed: z.boolean() }) }),
  'pods.parseCommand': call({
    summary: 'Read host, port, user and key from a pasted SSH command (e.g. RunPod\'s "ssh root@1.2.3.4 -p 12345 -i ~/.ssh/id_ed25519").',
    request: z.object({ command: z.string().min(1, 'must not be empty').max(2000) }).strict(),
    response: ParsedSshCommand,
  }),
  'pods.sshConfigHosts': call({
    summary: 'Hosts from ~/.ssh/config (or the given file) that can be imported as pods.',
    request: z.object({ path: AbsolutePath.optional() }).strict(),
    response: z.array(SshConfigHost),
  }),
  'pods.setPassphrase': call({
    summary: 'Store (or clear with null) the passphrase of the pod\'s private key in the secret store. It never comes back.',
    request: z.object({ id: PodId, passphrase: z.string().min(1).max(1024).nullable() }).strict(),
    response: PodProfile,
  }),
  'pods.scanHostKey': call({
    summary: 'Fetch the pod\'s host key fingerprint (SHA256, OpenSSH format) without logging in, and compare it with the pinned one.',
    request: ById,
    response: HostKeyScan,
  }),
  'pods.trust': call({
    summary: 'Pin the host key the pod presents now. The fingerprint the user confirmed must match it, or nothing is pinned.',
    request: z.object({ id: PodId, fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256:… fingerprint') }).strict(),
    response: PodProfile,
  }),
  'pods.connect': call({ summary: 'Connect (or check the connection) and read the GPU status.', request: ById, response: PodStatus }),
  'pods.disconnect': call({ summary: 'Close the connection and stop the warm worker.', request: ById, response: PodStatus }),
  'pods.status': call({ summary: 'Connection, GPU and worker status of every pod.', request: Empty, response: z.array(PodStatus) }),
  'pods.prepare': call({
    summary: 'Queue the pod preparation job: upload the worker files, run bootstrap.sh (venv, pinned packages, model download) with a streamed log.',
    request: z.object({ id: PodId, model: z.union([ModelId, z.literal('none')]).optional() }).strict(),
    response: Job,
  }),
} as const;

export const podEvents = {
  /** A pod's connection, GPU or worker status changed. */
  'pods.status': PodStatus,
  /** Pod profiles changed (saved, removed, trusted). */
  'pods.changed': z.object({ id: PodId }),
} as const;
