// Where commands run (docs/architecture.md, "Processes"). LocalHost (child_process + fs) and SshHost (ssh2
// exec + SFTP) implement this one interface, so the Python worker, the pod bootstrap and
// ai-toolkit run on either unchanged. Commands are argv arrays, never shell strings built
// from user text: user text travels in files or as JSON on stdin.
import type { Readable, Writable } from 'node:stream';

export interface ExecOptions {
  cwd?: string;
  /** Extra environment for the command (names must be [A-Z_][A-Z0-9_]*). Never secrets: those go on stdin. */
  env?: Readonly<Record<string, string>>;
  /** Written to the command's stdin, which is then closed. */
  stdin?: string | Buffer;
  signal?: AbortSignal;
  /** Streamed output, as it arrives (the full text is also in the result unless it exceeds maxBuffer). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Kill the command after this long (ms). */
  timeoutMs?: number;
  /** Bytes of stdout/stderr kept for the result (default 1 MiB each; the rest is streamed only). */
  maxBuffer?: number;
}

export interface ExecResult {
  /** Exit code; null when ended by a signal or a lost connection. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Readonly<Record<string, string>>;
}

/** A long-running command with live stdio (the warm worker, a log follower). */
export interface HostProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the process ends or the link to it is lost (code null, signal null, lost true). */
  readonly exited: Promise<{ code: number | null; signal: string | null; lost: boolean }>;
  kill(signal?: 'TERM' | 'KILL' | 'INT'): void;
}

export interface TransferOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** File mode for the written file (put / writeFile). */
  mode?: number;
}

export interface HostStat {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

export interface HostDirEntry extends HostStat {
  name: string;
}

export interface Host {
  readonly kind: 'local' | 'ssh';
  /** For logs and job rows: "local" or "ssh:<profile name>". */
  readonly label: string;
  /** Run argv[0] with arguments argv[1..] to completion. */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  spawn(argv: readonly string[], opts?: SpawnOptions): HostProcess;
  /** Copy a local file to the host; written to a temp name and renamed, so no partial file has the final name. */
  put(localPath: string, hostPath: string, opts?: TransferOptions): Promise<void>;
  /** Copy a host file here, atomically (temp file + rename). */
  get(hostPath: string, localPath: string, opts?: TransferOptions): Promise<void>;
  /** null when the path does not exist. */
  stat(hostPath: string): Promise<HostStat | null>;
  list(hostDir: string): Promise<HostDirEntry[]>;
  /** Bytes [start, start+maxBytes) of a file (for following logs from an offset). */
  readFile(hostPath: string, opts?: { start?: number; maxBytes?: number }): Promise<Buffer>;
  /** Atomic write (temp + rename). */
  writeFile(hostPath: string, data: string | Buffer, opts?: { mode?: number }): Promise<void>;
  mkdir(hostPath: string): Promise<void>; // recursive, no error when present
  remove(hostPath: string): Promise<void>; // file or empty-or-not directory; no error when absent
  rename(from: string, to: string): Promise<void>;
  close(): Promise<void>;
}
