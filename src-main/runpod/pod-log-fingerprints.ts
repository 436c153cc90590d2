// Host key fingerprints from a pod's container log. RunPod-style start scripts make new
// /etc/ssh/ssh_host_* keys on every container start and print their fingerprints
// (`ssh-keygen -lf`) to the log, which GET /v2/pods/{id}/logs streams as Server-Sent Events
// ({source, line, ts}). A key the pod presents is pinned only when it is among these
// (docs/architecture.md, "RunPod"); otherwise the trust dialog asks, as for any host.
import type { RunpodApi } from './runpod-client';
import { toStudioError } from './runpod-client';

const FP = /SHA256:[A-Za-z0-9+/]{43}/g;

export function fingerprintsIn(text: string): string[] {
  return [...new Set(text.match(FP) ?? [])];
}

/**
 * Reads the log's backlog (the stream stays open on RunPod: we stop when `want` appears, when
 * the stream is quiet for `quietMs`, or after `maxMs`) and answers the fingerprints printed.
 */
export async function readLogFingerprints(api: RunpodApi, podId: string, opts: { want?: string; quietMs?: number; maxMs?: number; signal?: AbortSignal } = {}): Promise<string[]> {
  const ctl = new AbortController();
  const onAbort = () => ctl.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const total = setTimeout(() => ctl.abort(), opts.maxMs ?? 8_000);
  const found = new Set<string>();
  try {
    const r = await api.GET('/v2/pods/{id}/logs', { params: { path: { id: podId }, query: { tail: 2000 } }, parseAs: 'stream', signal: ctl.signal });
    if (!r.response.ok || !r.data) throw toStudioError(r.response.status, r.error, 'read the pod\'s log');
    const reader = (r.data as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      let quiet: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value?: undefined }>((resolve) => {
          quiet = setTimeout(() => resolve({ done: true }), opts.quietMs ?? 1_500);
        }),
      ]).finally(() => clearTimeout(quiet));
      if (chunk.done) break;
      buf += decoder.decode(chunk.value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith('data:')) continue;
        let text = line.slice(5);
        try {
          const ev = JSON.parse(text) as { line?: unknown };
          if (typeof ev.line === 'string') text = ev.line;
        } catch {
          // a data line that is not JSON: read it as text
        }
        // Only what the latest container start printed counts (older keys are gone).
        if (/^Pod Started\b/.test(text.trim())) found.clear();
        for (const fp of fingerprintsIn(text)) found.add(fp);
      }
      if (opts.want && found.has(opts.want)) break;
    }
    await reader.cancel().catch(() => undefined);
  } catch (err) {
    if (!ctl.signal.aborted || opts.signal?.aborted) throw err;
  } finally {
    clearTimeout(total);
    opts.signal?.removeEventListener('abort', onAbort);
    ctl.abort();
  }
  return [...found];
}
