// The local runtime's status chip, in the Generate bar when Local is the runtime in use: the
// execution provider actually used, the model loaded and the inference process' memory; before
// the first image, the model that will load. Turbo models get a line on what suits them, since
// the page's presets are FLUX's.
import { useEffect, useState, type ReactElement } from 'react';
import type { LocalModel, LocalStatus } from '@shared/contract';
import { ChipIcon } from '../../components/Icons';
import { studio } from '../../transport/client';
import { KIND_LABEL, formatBytes } from '../../lib/local-models';
import { useActiveLocalModel } from './use-local-model';

/** The chip's text and tooltip; `active` is the model local jobs use (null: none chosen). */
export function describeLocalStatus(s: LocalStatus | null, active: LocalModel | null = null): { text: string; title: string } {
  if (!s) return { text: 'Local: …', title: 'Reading the local runtime status' };
  if (!s.running || !s.model) {
    const tries = `tries ${s.platformProviders.join(' → ')} (${s.preference})`;
    if (!active) return { text: 'Local: no model loaded', title: `Loads on the next local image; ${tries}` };
    const kind = active.kind ? ` (${KIND_LABEL[active.kind] ?? active.kind})` : '';
    return { text: `Local: ${active.name}${kind} · loads on the first image`, title: `${active.path}; ${tries}` };
  }
  const p = s.provider;
  const provider = p?.detected ?? p?.created ?? '?';
  const fallback = p && p.fallbacks.length > 0 ? ` · fell back: ${p.fallbacks.join('; ')}` : '';
  return {
    text: `Local: ${s.model.name} · ${provider.toUpperCase()} · ${formatBytes(s.rssBytes)}`,
    title: `${s.model.kind} from ${s.model.path}; provider ${provider}${p?.detected ? ' (detected from the run)' : ' (requested)'}${fallback}; process ${s.pid}`,
  };
}

/** What suits a turbo model, which the FLUX presets (steps, size, guidance) do not describe; null for FLUX. */
export function turboHint(kind: LocalModel['kind'] | undefined): string | null {
  if (kind === 'sd-turbo' || kind === 'sdxl-turbo') {
    return `${KIND_LABEL[kind]} runs without guidance and suits 1–4 steps at 512 × 512: Size → Custom.`;
  }
  return null;
}

function useLocalStatus(): LocalStatus | null {
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
  return status;
}

export function LocalStatusChip(): ReactElement {
  const status = useLocalStatus();
  const active = useActiveLocalModel();
  const d = describeLocalStatus(status, active);
  return (
    <span className="runtime-pill local-status" title={d.title} data-testid="local-status">
      <ChipIcon />
      <span>{d.text}</span>
    </span>
  );
}

/** Under the Generate bar with Local: what suits a turbo model (nothing for FLUX). */
export function LocalModelHint(): ReactElement | null {
  const active = useActiveLocalModel();
  const hint = turboHint(active?.kind);
  return hint ? (
    <p className="muted small runtime-status" data-testid="local-model-hint">
      {hint}
    </p>
  ) : null;
}
