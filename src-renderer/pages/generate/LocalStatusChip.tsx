// The local runtime's status chip, beside the runtime toggle on the Generate page (shown
// whenever Local is the runtime in use): the execution provider actually used, the model
// loaded and the inference process' memory; before the first image, the model that will
// load. Turbo models get a line on what suits them, since the page's presets are FLUX's.
import { useEffect, useState, type ReactElement } from 'react';
import type { LocalModel, LocalStatus } from '@shared/contract';
import { ChipIcon } from '../../components/Icons';
import { studio } from '../../transport/client';
import { KIND_LABEL, formatBytes } from '../../lib/local-models';

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
    return `${KIND_LABEL[kind]} runs without guidance and suits 1–4 steps at 512 × 512: Quality → Fast (4 steps), Size → Custom.`;
  }
  return null;
}

export function LocalStatusChip(): ReactElement {
  const [status, setStatus] = useState<LocalStatus | null>(null);
  const [active, setActive] = useState<LocalModel | null>(null);
  useEffect(() => {
    let live = true;
    studio.local.status().then((s) => live && setStatus(s), () => undefined);
    studio.local.models().then((ms) => live && setActive(ms.find((m) => m.active && m.valid) ?? null), () => undefined);
    const off = studio.on('local.status', (s) => setStatus(s));
    return () => {
      live = false;
      off();
    };
  }, []);
  const d = describeLocalStatus(status, active);
  const hint = turboHint(status?.running && status.model ? status.model.kind : active?.kind);
  return (
    <>
      <span className="runtime-pill local-status" title={d.title} data-testid="local-status">
        <ChipIcon />
        <span>{d.text}</span>
      </span>
      {hint ? (
        <span className="muted small" style={{ flex: '1 1 100%' }} data-testid="local-model-hint">
          {hint}
        </span>
      ) : null}
    </>
  );
}
