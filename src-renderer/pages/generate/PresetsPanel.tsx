// Model, quality, size, guidance, seed, JPEG quality and CPU offload as segmented controls
// with their numbers showing, and the "Will generate" line that main resolves from them.
import { useState, type ReactElement, type ReactNode } from 'react';
import {
  MAX_SEED,
  type GuidancePreset,
  type ModelId,
  type PresetsView,
  type QualityPreset,
  type ResolvedGeneration,
  type SizePreset,
} from '@shared/contract';
import { Segmented, Switch, type SegmentedOption } from '../../components/Controls';
import { AlertIcon, DiceIcon, InfoIcon, LockIcon, UnlockIcon } from '../../components/Icons';
import { parseWhole, randomSeed, useDraft, type EffectiveChoices } from '../../stores/draft';

export type ResolveState =
  | { state: 'idle' }
  | { state: 'ok'; key: string; resolved: ResolvedGeneration }
  | { state: 'error'; key: string; field: string | null; message: string };

const SIZE_LABELS: Record<SizePreset, string> = { square: 'Square', portrait: 'Portrait', landscape: 'Landscape', hd: 'HD', '4k': '4K', custom: 'Custom' };
const GUIDANCE_HINTS: Record<GuidancePreset, string> = {
  creative: 'Looser: more variety, follows the prompt less literally',
  default: 'The usual FLUX.1-dev value',
  strict: 'Follows the prompt more literally, can look harsher',
  custom: 'Pick a value between 1.0 and 7.0',
};

function fmtGuidance(v: number): string {
  return v.toFixed(1);
}

function Row(props: { label: string; labelId: string; note?: ReactNode; children: ReactNode; testId?: string }): ReactElement {
  return (
    <div className="preset-row" data-testid={props.testId}>
      <div className="preset-label-row">
        <div className="field-label" id={props.labelId}>
          {props.label}
        </div>
        {props.note ? (
          <div className="preset-note" id={`${props.labelId}-note`}>
            {props.note}
          </div>
        ) : null}
      </div>
      {props.children}
    </div>
  );
}

export function PresetsPanel(props: { presets: PresetsView; eff: EffectiveChoices; resolve: ResolveState; pending: boolean }): ReactElement {
  const { presets, eff } = props;
  const d = useDraft();
  const model = presets.models.find((m) => m.id === eff.model) ?? presets.models[0];
  const fixedSteps = model?.fixedSteps ?? null;
  const usesGuidance = model?.usesGuidance ?? true;
  const maxSteps = Math.max(...presets.quality.map((q) => q.steps));
  const [gMin, gMax] = presets.guidanceRange;
  const resolveError = props.resolve.state === 'error' ? props.resolve : null;
  const sizeError = resolveError && (resolveError.field === 'width' || resolveError.field === 'height' || resolveError.field === 'size') ? resolveError : null;

  const modelOptions: SegmentedOption<ModelId>[] = presets.models.map((m) => ({
    value: m.id,
    label: m.label,
    detail:
      m.fixedSteps !== null
        ? `${m.fixedSteps} steps · no guidance`
        : `${presets.quality.find((q) => q.id === m.defaultQuality)?.steps ?? maxSteps} steps · guidance`,
    hint: `${m.label}: ${m.usesGuidance ? 'guidance-distilled, takes a guidance value' : 'a fast model with no guidance input'}; T5 reads up to ${m.maxSequenceLength} tokens`,
  }));
  const qualityOptions: SegmentedOption<QualityPreset>[] = presets.quality.map((q) => ({ value: q.id, label: q.label, detail: `${q.steps} steps` }));
  const sizeOptions: SegmentedOption<SizePreset>[] = presets.sizes
    .filter((s) => s.id !== 'custom')
    .map((s) => ({ value: s.id, label: s.label || SIZE_LABELS[s.id], detail: `${s.width}×${s.height}` }));
  const customW = parseWhole(d.customWidth);
  const customH = parseWhole(d.customHeight);
  sizeOptions.push({ value: 'custom', label: 'Custom', detail: eff.size === 'custom' && customW !== null && customH !== null ? `${customW}×${customH}` : 'W×H' });
  const guidanceOptions: SegmentedOption<GuidancePreset>[] = presets.guidance
    .filter((g) => g.id !== 'custom')
    .map((g) => ({ value: g.id, label: g.label, detail: fmtGuidance(g.value), hint: GUIDANCE_HINTS[g.id] }));
  guidanceOptions.push({ value: 'custom', label: 'Custom', detail: eff.guidance === 'custom' ? fmtGuidance(d.guidanceValue) : `${fmtGuidance(gMin)}–${fmtGuidance(gMax)}`, hint: GUIDANCE_HINTS.custom });

  return (
    <div className="presets" data-testid="presets">
      <Row label="Model" labelId="preset-model-label">
        <Segmented<ModelId> label="Model" labelledBy="preset-model-label" value={eff.model} options={modelOptions} onChange={(v) => d.set({ model: v })} testId="preset-model" />
      </Row>
      <Row
        label="Quality"
        labelId="preset-quality-label"
        note={fixedSteps !== null ? `${model?.label ?? 'This model'} always runs ${fixedSteps} steps` : undefined}
      >
        <Segmented<QualityPreset>
          label="Quality"
          labelledBy="preset-quality-label"
          describedBy={fixedSteps !== null ? 'preset-quality-label-note' : undefined}
          value={eff.quality}
          options={qualityOptions}
          onChange={(v) => d.set({ quality: v })}
          disabled={fixedSteps !== null}
          testId="preset-quality"
        />
      </Row>
      <Row label="Size" labelId="preset-size-label" note="Sides are rounded to multiples of 16">
        <Segmented<SizePreset> label="Size" labelledBy="preset-size-label" value={eff.size} options={sizeOptions} onChange={(v) => d.set({ size: v })} testId="preset-size" />
        {eff.size === 'custom' ? (
          <div className="custom-size">
            <label className="mini-field">
              <span>Width</span>
              <input
                className={sizeError?.field === 'width' ? 'input num-input has-error' : 'input num-input'}
                inputMode="numeric"
                autoComplete="off"
                value={d.customWidth}
                onChange={(e) => d.set({ customWidth: e.target.value })}
                aria-invalid={sizeError?.field === 'width' ? true : undefined}
                aria-describedby={sizeError ? 'size-custom-error' : undefined}
                data-testid="size-custom-width"
              />
            </label>
            <span className="times" aria-hidden="true">
              ×
            </span>
            <label className="mini-field">
              <span>Height</span>
              <input
                className={sizeError?.field === 'height' ? 'input num-input has-error' : 'input num-input'}
                inputMode="numeric"
                autoComplete="off"
                value={d.customHeight}
                onChange={(e) => d.set({ customHeight: e.target.value })}
                aria-invalid={sizeError?.field === 'height' ? true : undefined}
                aria-describedby={sizeError ? 'size-custom-error' : undefined}
                data-testid="size-custom-height"
              />
            </label>
            <span className="muted small">
              px · {presets.sideRange[0]}–{presets.sideRange[1]} a side
            </span>
          </div>
        ) : null}
        {sizeError ? (
          <p id="size-custom-error" className="field-error" role="alert" data-testid="size-error">
            {sizeError.message}
          </p>
        ) : null}
      </Row>
      <Row
        label="Guidance"
        labelId="preset-guidance-label"
        note={usesGuidance ? undefined : <span data-testid="guidance-disabled-note">{`${model?.label.replace(/^FLUX\.1-/, '') ?? 'This model'} has no guidance input`}</span>}
      >
        <Segmented<GuidancePreset>
          label="Guidance"
          labelledBy="preset-guidance-label"
          describedBy={usesGuidance ? undefined : 'preset-guidance-label-note'}
          value={eff.guidance}
          options={guidanceOptions}
          onChange={(v) => d.set({ guidance: v })}
          disabled={!usesGuidance}
          testId="preset-guidance"
        />
        {eff.guidance === 'custom' && usesGuidance ? (
          <div className="guidance-custom">
            <input
              type="range"
              min={gMin}
              max={gMax}
              step={0.1}
              value={d.guidanceValue}
              aria-label="Custom guidance"
              aria-valuetext={fmtGuidance(d.guidanceValue)}
              onChange={(e) => d.set({ guidanceValue: Math.round(Number(e.target.value) * 10) / 10 })}
              data-testid="guidance-custom-slider"
            />
            <output className="range-value" data-testid="guidance-custom-value">
              {fmtGuidance(d.guidanceValue)}
            </output>
          </div>
        ) : null}
      </Row>
      <Row label="Seed" labelId="preset-seed-label" note={d.seedLocked ? 'Locked: the next images use this seed' : 'Random: a new seed for each image'}>
        <SeedControl resolved={props.resolve.state === 'ok' ? props.resolve.resolved : null} />
      </Row>
      <div className="preset-pair">
        <Row label="JPEG quality" labelId="preset-jpeg-label">
          <div className="guidance-custom">
            <input
              type="range"
              min={1}
              max={100}
              step={1}
              value={eff.jpegQuality}
              aria-labelledby="preset-jpeg-label"
              onChange={(e) => d.set({ jpegQuality: Number(e.target.value) })}
              data-testid="jpeg-quality"
            />
            <output className="range-value" data-testid="jpeg-quality-value">
              {eff.jpegQuality}
            </output>
          </div>
        </Row>
        <Row label="CPU offload" labelId="preset-offload-label" note="Remote pod: fits smaller GPUs, slower">
          <Switch checked={eff.cpuOffload} labelledBy="preset-offload-label" describedBy="preset-offload-label-note" onChange={(v) => d.set({ cpuOffload: v })} testId="cpu-offload" />
        </Row>
      </div>
      <ResolveSummary resolve={props.resolve} pending={props.pending} />
    </div>
  );
}

function SeedControl(props: { resolved: ResolvedGeneration | null }): ReactElement {
  const seed = useDraft((s) => s.seed);
  const locked = useDraft((s) => s.seedLocked);
  const set = useDraft((s) => s.set);
  // What is being typed, while it is not (yet) a valid seed.
  const [typing, setTyping] = useState<string | null>(null);
  const shown = typing ?? (locked && seed !== null ? String(seed) : '');
  const parsed = typing === null ? null : parseWhole(typing);
  const error = typing !== null && typing.trim() !== '' && (parsed === null || parsed > MAX_SEED) ? `Enter a whole number from 0 to ${MAX_SEED}` : null;

  const onType = (text: string) => {
    const n = parseWhole(text);
    if (text.trim() === '') {
      setTyping(null);
      set({ seedLocked: false });
    } else if (n !== null && n <= MAX_SEED) {
      setTyping(null);
      set({ seed: n, seedLocked: true });
    } else {
      setTyping(text);
    }
  };

  const toggleLock = () => {
    if (locked) {
      set({ seedLocked: false });
      return;
    }
    // Keep the seed the next image would get: the one shown, else the one last used here.
    const keep = props.resolved?.seed ?? seed ?? randomSeed();
    setTyping(null);
    set({ seed: keep, seedLocked: true });
  };

  return (
    <div className="seed-control">
      <div className="seed-inputs">
        <input
          className={error ? 'input mono seed-input has-error' : 'input mono seed-input'}
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          placeholder="random"
          value={shown}
          aria-labelledby="preset-seed-label"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'seed-error' : 'preset-seed-label-note'}
          onChange={(e) => onType(e.target.value)}
          onBlur={() => {
            if (error) setTyping(null);
          }}
          data-testid="seed-input"
        />
        <button
          type="button"
          className="btn icon-only"
          title="Roll a new random seed and keep it"
          aria-label="Roll a new random seed"
          onClick={() => {
            setTyping(null);
            set({ seed: randomSeed(), seedLocked: true });
          }}
          data-testid="seed-dice"
        >
          <DiceIcon />
        </button>
        <button
          type="button"
          className={locked ? 'btn icon-only is-on' : 'btn icon-only'}
          aria-pressed={locked}
          aria-label="Lock the seed"
          title={locked ? 'Locked: keeps this seed for the next images. Click for a random seed each time.' : 'Random each time. Click to keep the seed shown below.'}
          onClick={toggleLock}
          data-testid="seed-lock"
        >
          {locked ? <LockIcon /> : <UnlockIcon />}
        </button>
      </div>
      {error ? (
        <p id="seed-error" className="field-error" role="alert" data-testid="seed-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function ResolveSummary(props: { resolve: ResolveState; pending: boolean }): ReactElement {
  const { resolve } = props;
  return (
    <div className={`resolve-summary${props.pending ? ' is-pending' : ''}`} aria-live="polite" data-testid="resolve-summary">
      <div className="resolve-head">
        <span className="resolve-title">Will generate</span>
        {props.pending ? <span className="spinner small-spinner" aria-label="Updating" /> : null}
      </div>
      {resolve.state === 'ok' ? (
        <>
          <p className="resolve-line" data-testid="resolve-line">
            <span data-testid="resolve-size">
              {resolve.resolved.width} × {resolve.resolved.height}
            </span>
            <span className="dot"> · </span>
            <span data-testid="resolve-steps">{resolve.resolved.steps} steps</span>
            <span className="dot"> · </span>
            <span data-testid="resolve-guidance">{resolve.resolved.guidance === null ? 'no guidance' : `guidance ${fmtGuidance(resolve.resolved.guidance)}`}</span>
            <span className="dot"> · </span>
            <span data-testid="resolve-seed" data-random={resolve.resolved.seedWasRandom}>
              seed {resolve.resolved.seed}
              {resolve.resolved.seedWasRandom ? <span className="muted"> (random)</span> : null}
            </span>
          </p>
          {resolve.resolved.notes.length + resolve.resolved.warnings.length > 0 ? (
            <ul className="resolve-notes">
              {resolve.resolved.notes.map((n) => (
                <li key={`n-${n}`} className="resolve-note" data-testid="resolve-note">
                  <InfoIcon size={14} />
                  {n}
                </li>
              ))}
              {resolve.resolved.warnings.map((w) => (
                <li key={`w-${w}`} className="resolve-warning" data-testid="resolve-warning">
                  <AlertIcon size={14} />
                  {w}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : resolve.state === 'error' ? (
        <p className="resolve-error" role="alert" data-testid="resolve-error">
          <AlertIcon size={14} />
          {resolve.message}
        </p>
      ) : (
        <p className="muted">Working out the numbers…</p>
      )}
    </div>
  );
}
