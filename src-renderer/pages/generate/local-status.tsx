// The local runtime's status chip, beside the runtime toggle on the Generate page:
// the execution provider actually used, the model loaded, the inference process' memory.
import { useEffect, useState, type ReactElement } from 'react';
import type { LocalStatus } from '../../../src-preload/contract';
import { ChipIcon } from '../../components/icons';
import { studio } from '../../transport/client';
import { formatBytes } from '../settings-models';

export function describeLocalStatus(s: LocalStatus | null): { text: string; title: string } {
  if (!s) return { text: 'Local: …', title: 'Reading the local runtime status' };
  if (!s.running || !s.model) {
    return { text: 'Local: no model loaded', title: `Loads on the next local image; tries ${s.platformProviders.join(' → ')} (${s.preference})` };
  }
  const p = s.provider;
  const provider = p?.detected ?? p?.created ?? '?';
  const fallback = p && p.fallbacks.length > 0 ? ` · fell back: ${p.fallbacks.join('; ')}` : '';
  return {
    text: `Local: ${s.model.name} · ${provider.toUpperCase()} · ${formatBytes(s.rssBytes)}`,
    title: `${s.model.kind} from ${s.model.path}; provider ${provider}${p?.detected ? ' (detected from the run)' : ' (requested)'}${fallback}; process ${s.pid}`,
  };
}

export function LocalStatusChip(): ReactElement {
  const [status, setStatus] = useState<LocalStatus | null>(null);
  useEffect(() => {
    let live = true;
    studio.local.status().then((s) => live && setStatus(s), () => undefined);
    const off = studio.on('local.status', (s) => setStatus(s));
    return () => {
      live = false;
      off();
    };
  }, []);
  const d = describeLocalStatus(status);
  return (
    <span className="runtime-pill local-status" title={d.title} data-testid="local-status">
      <ChipIcon />
      <span>{d.text}</span>
    </span>
  );
}
