// A pod's log as `GET /v2/pods/{id}/logs` serves it (RunPod v2 spec, getPodLogs):
//
//   Content-Type: text/event-stream         (the stream stays open; new lines follow)
//   id: 2026-12-04T16:50:01.123Z            (= the event's ts; resume with Last-Event-ID)
//   data: {"ts":"2026-12-04T16:50:01.123Z","source":"container","line":"Pod Started"}
//
// `ts` is strictly increasing per pod (a line in the same millisecond as the previous one gets
// the next millisecond) so an id is a unique resume point. Query: `source` (container|system),
// `tail` (last N lines, default 100, max 5000), `since` (date-time, inclusive);
// `Last-Event-ID` sends only lines after that id.
//
// On every start the `container` lines are what RunPod's start script prints with PUBLIC_KEY
// set (runpod/containers container-template/start.sh, the same in ai-toolkit docker/start.sh),
// the fingerprint lines being real `ssh-keygen -lf` output of the pod's new host keys:
//
//   Pod Started
//   Setting up SSH...
//   RSA key fingerprint:
//   3072 SHA256:… root@<hostname> (RSA)
//   DSA key fingerprint:            (skipped where ssh-keygen cannot make DSA keys)
//   1024 SHA256:… root@<hostname> (DSA)
//   ECDSA key fingerprint:
//   256 SHA256:… root@<hostname> (ECDSA)
//   ED25519 key fingerprint:
//   256 SHA256:… root@<hostname> (ED25519)
//    * Starting OpenBSD Secure Shell server sshd
//      ...done.
//   SSH host keys:
//   Key: /etc/ssh/ssh_host_dsa_key.pub
//   1024 SHA256:… root@<hostname> (DSA)
//   Key: /etc/ssh/ssh_host_ecdsa_key.pub
//   …                               (one pair per key, in `ls` order)
//   Exporting environment variables...
//   Start script(s) finished, Pod is ready to use.
//
// A client pins the host key whose `SHA256:` fingerprint appears in the lines printed after
// the pod's LAST "Pod Started" (older starts printed older keys).

export type LogSource = 'container' | 'system';

export interface LogLine {
  ts: string;
  source: LogSource;
  line: string;
}

type Listener = (line: LogLine) => void;
type Closer = () => void;

export class PodLog {
  private lines: LogLine[] = [];
  private lastMs = 0;
  private listeners = new Set<Listener>();
  private closers = new Set<Closer>();

  append(source: LogSource, line: string): LogLine {
    const ms = Math.max(Date.now(), this.lastMs + 1);
    this.lastMs = ms;
    const entry: LogLine = { ts: new Date(ms).toISOString(), source, line };
    this.lines.push(entry);
    for (const l of this.listeners) l(entry);
    return entry;
  }

  all(): readonly LogLine[] {
    return this.lines;
  }

  /** The lines a request selects (before following new ones). */
  select(opts: { source?: LogSource; tail?: number; since?: string; lastEventId?: string }): LogLine[] {
    const after = opts.lastEventId ? Date.parse(opts.lastEventId) : NaN;
    const since = opts.since ? Date.parse(opts.since) : NaN;
    let out = this.lines.filter((l) => {
      const t = Date.parse(l.ts);
      if (opts.source && l.source !== opts.source) return false;
      if (!Number.isNaN(after) && t <= after) return false;
      if (!Number.isNaN(since) && t < since) return false;
      return true;
    });
    // A resumed stream sends everything after the last id; `tail` bounds a fresh read.
    if (Number.isNaN(after)) out = out.slice(Math.max(0, out.length - (opts.tail ?? 100)));
    return out;
  }

  /** Follow new lines; `onEnd` runs when the log ends (the pod was terminated). */
  subscribe(listener: Listener, onEnd: Closer): () => void {
    this.listeners.add(listener);
    this.closers.add(onEnd);
    return () => {
      this.listeners.delete(listener);
      this.closers.delete(onEnd);
    };
  }

  /** No more lines will come: end every open stream. */
  end(): void {
    const closers = [...this.closers];
    this.listeners.clear();
    this.closers.clear();
    for (const c of closers) c();
  }
}

/** One SSE event as the spec's example writes it. */
export function sseEvent(line: LogLine): string {
  return `id: ${line.ts}\ndata: ${JSON.stringify({ ts: line.ts, source: line.source, line: line.line })}\n\n`;
}
