// What can go wrong reaching a pod, as codes the UI and the reconnect policy understand, with
// messages that say what happened and what to do.

export const SSH_ERROR_CODES = [
  'auth', // the server refused our key
  'refused', // nothing listens on host:port
  'timeout', // no answer / handshake did not finish in time
  'dns', // the host name does not resolve
  'unreachable', // network or host unreachable
  'key_unreadable', // the private key file is missing, unreadable or not a key
  'passphrase_needed', // the key is encrypted and no passphrase is stored
  'passphrase_wrong', // the stored passphrase does not open the key
  'host_key_unknown', // first connection: the user must confirm the fingerprint
  'host_key_changed', // the pinned fingerprint differs: refused
  'lost', // the link dropped after it was up
  'closed', // we closed it
  'protocol', // anything else from the SSH layer
] as const;
export type SshErrorCode = (typeof SSH_ERROR_CODES)[number];

export class SshError extends Error {
  constructor(
    readonly code: SshErrorCode,
    message: string,
    /** For host key errors: the key the server presented. */
    readonly hostKey: { fingerprint: string; keyType: string } | null = null,
  ) {
    super(message);
    this.name = 'SshError';
  }

  /** Worth retrying with backoff (the pod may be restarting); the others need the user. */
  get transient(): boolean {
    return this.code === 'refused' || this.code === 'timeout' || this.code === 'lost' || this.code === 'unreachable' || this.code === 'protocol';
  }
}

export function isSshError(err: unknown): err is SshError {
  return err instanceof SshError;
}

/** An error from ssh2's 'error' event or the socket, as an SshError with a readable message. */
export function mapConnectError(err: unknown, where: string): SshError {
  if (err instanceof SshError) return err;
  const e = err as { code?: string; level?: string; message?: string };
  const msg = e?.message ?? String(err);
  if (e?.level === 'client-authentication' || /All configured authentication methods failed/i.test(msg)) {
    return new SshError('auth', `${where} refused the key (authentication failed). Check the user name and that this key's public half is in the pod's authorized_keys (RunPod: Settings → SSH public keys, then restart the pod).`);
  }
  switch (e?.code) {
    case 'ECONNREFUSED':
      return new SshError('refused', `${where} refused the connection: nothing listens on that port. The pod may be stopped or its port changed (RunPod changes it on every restart): paste the new SSH command.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new SshError('dns', `${where}: the host name does not resolve. Check the host (paste the pod's SSH command again).`);
    case 'ETIMEDOUT':
      return new SshError('timeout', `${where} did not answer in time. The pod may be starting, stopped, or behind a firewall.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new SshError('unreachable', `${where} is unreachable from this network.`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new SshError('lost', `${where} closed the connection.`);
    default:
  }
  if (/Timed out while waiting for handshake/i.test(msg)) {
    return new SshError('timeout', `${where} did not finish the SSH handshake in time. The pod may be starting, or the port is not an SSH server.`);
  }
  return new SshError('protocol', `${where}: ${msg}`);
}
