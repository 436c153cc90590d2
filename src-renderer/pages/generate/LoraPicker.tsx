// Generate page, remote runtime: LoRAs trained here (training.loras) to apply, each with a
// strength slider (-2…2), remove, at most 8; a trained LoRA's trigger word goes into the prompt
// with one click. The studio uploads each file to the pod the first time it is used there.
import { useEffect, useState, type ReactElement } from 'react';
import type { TrainedLora } from '@shared/contract';
import { useDraft } from '../../stores/draft';
import { LORA_SCALE_MAX, LORA_SCALE_MIN, LORA_SCALE_STEP, MAX_LORAS, useLoras } from '../../stores/loras';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';

export function loraLabel(l: TrainedLora): string {
  return `${l.name} · ${l.final ? 'final' : l.step !== null ? `step ${l.step}` : 'checkpoint'} · ${l.file}`;
}

/** The prompt with the trigger word added in front (unless it is already there as a word). */
export function withTrigger(prompt: string, trigger: string): string {
  const escaped = trigger.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (new RegExp(`(^|[^\\p{L}\\p{N}_])${escaped}($|[^\\p{L}\\p{N}_])`, 'u').test(prompt)) return prompt;
  const rest = prompt.trimStart();
  return rest ? `${trigger}, ${rest}` : trigger;
}

export function LoraPicker(): ReactElement {
  const { chosen, add, remove, setScale } = useLoras();
  const [available, setAvailable] = useState<TrainedLora[] | null>(null);
  const [pick, setPick] = useState('');
  useEffect(() => {
    let live = true;
    studio.training.loras().then(
      (list) => {
        if (live) setAvailable(list);
      },
      (err: unknown) => {
        if (live) setAvailable([]);
        reportError(err);
      },
    );
    return () => {
      live = false;
    };
  }, []);
  const byPath = new Map((available ?? []).map((l) => [l.path, l]));
  const choosable = (available ?? []).filter((l) => !chosen.some((c) => c.path === l.path));
  const full = chosen.length >= MAX_LORAS;
  const addPicked = () => {
    const l = byPath.get(pick);
    if (!l) return;
    add({ path: l.path, name: l.name });
    setPick('');
  };
  return (
    <div data-testid="lora-picker" style={{ display: 'flex', flexDirection: 'column', gap: 6, flex: '1 1 100%', minWidth: 0 }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
        <span className="field-label" id="lora-picker-label">
          LoRAs
        </span>
        {available === null ? (
          <span className="muted small">Loading trained LoRAs…</span>
        ) : available.length === 0 ? (
          <span className="muted small" data-testid="lora-none">
            No trained LoRAs yet: train one on the Train page.
          </span>
        ) : (
          <>
            <select
              className="input"
              style={{ flex: '1 1 200px', minWidth: 0 }}
              aria-labelledby="lora-picker-label"
              value={pick}
              onChange={(e) => setPick(e.target.value)}
              disabled={full || choosable.length === 0}
              data-testid="lora-select"
            >
              <option value="">{full ? `At most ${MAX_LORAS} LoRAs` : choosable.length === 0 ? 'All chosen' : 'Add a trained LoRA…'}</option>
              {choosable.map((l) => (
                <option key={l.path} value={l.path}>
                  {loraLabel(l)}
                </option>
              ))}
            </select>
            <button type="button" className="btn btn-sm" disabled={!pick || full} onClick={addPicked} data-testid="lora-add">
              Add
            </button>
          </>
        )}
      </div>
      {chosen.length > 0 ? (
        <ul style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: 4 }} data-testid="lora-chosen">
          {chosen.map((c) => {
            const meta = byPath.get(c.path);
            const trigger = meta?.trigger ?? null;
            return (
              <li key={c.path} data-testid="lora-row" data-path={c.path} style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
                <span className="small" style={{ flex: '1 1 160px', minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={c.path}>
                  {meta ? loraLabel(meta) : c.name}
                  {available !== null && !meta ? <span className="muted"> · no longer listed</span> : null}
                </span>
                <input
                  type="range"
                  min={LORA_SCALE_MIN}
                  max={LORA_SCALE_MAX}
                  step={LORA_SCALE_STEP}
                  value={c.scale}
                  onChange={(e) => setScale(c.path, Number(e.target.value))}
                  aria-label={`Strength of ${c.name}`}
                  data-testid="lora-scale"
                  style={{ width: 140 }}
                />
                <span className="mono small" style={{ width: 40, textAlign: 'right' }} data-testid="lora-scale-value">
                  {c.scale.toFixed(2)}
                </span>
                {trigger ? (
                  <button
                    type="button"
                    className="btn btn-sm btn-ghost"
                    title={`Put “${trigger}” at the start of the prompt`}
                    onClick={() => useDraft.getState().set({ prompt: withTrigger(useDraft.getState().prompt, trigger) })}
                    data-testid="lora-trigger"
                  >
                    + {trigger}
                  </button>
                ) : null}
                <button type="button" className="btn btn-sm btn-ghost" aria-label={`Remove ${c.name}`} onClick={() => remove(c.path)} data-testid="lora-remove">
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
