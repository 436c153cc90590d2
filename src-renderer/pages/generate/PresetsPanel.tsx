// Model, quality, size, guidance, seed, JPEG quality and CPU offload as segmented controls
// with their numbers showing, and the "Will generate" line that main resolves from them.
import type { ReactElement, ReactNode } from 'react';
import type { GuidancePreset, LocalModel, ModelId, PresetsView, QualityPreset, SizePreset } from '@shared/contract';
import { KIND_LABEL } from '../../lib/local-models';
import { Segmented, Switch, type SegmentedOption } from '../../components/Controls';
import { parseWhole, useDraft, type EffectiveChoices } from '../../stores/draft';
import { fmtGuidance } from './format-guidance';
import { ResolveSummary, type ResolveState } from './ResolveSummary';
import { SeedControl } from './SeedControl';

const SIZE_LABELS: Record<SizePreset, string> = { square: 'Square', portrait: 'Portrait', landscape: 'Landscape', hd: 'HD', '4k': '4K', custom: 'Custom' };
const GUIDANCE_HINTS: Record<GuidancePreset, string> = {
  creative: 'Looser: more variety, follows the prompt less literally',
  default: 'The usual FLUX.1-dev value',
  strict: 'Follows the prompt more literally, can look harsher',
  custom: 'Pick a value between 1.0 and 7.0',
};

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

export function PresetsPanel(props: {
  presets: PresetsView;
  eff: EffectiveChoices;
  resolve: ResolveState;
  pending: boolean;
  /** The local model that will run (Local runtime): it decides the model; null on a pod. */
  localModel?: LocalModel | null;
}): ReactElement {
  const { presets, eff } = props;
  const local = props.localModel ?? null;
  const localLabel = local ? (KIND_LABEL[local.kind ?? ''] ?? local.kind ?? 'model') : null;
  const resolvedCustom = props.resolve.state === 'ok' && props.resolve.resolved.size === 'custom' ? props.resolve.resolved : null;
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
  // What will be used (rounded to 16), not what was typed: the field below says what was typed.
  const customDetail = resolvedCustom ? `${resolvedCustom.width}×${resolvedCustom.height}` : eff.size === 'custom' && customW !== null && customH !== null ? `${customW}×${customH}` : 'W×H';
  sizeOptions.push({ value: 'custom', label: 'Custom', detail: customDetail });
  const guidanceOptions: SegmentedOption<GuidancePreset>[] = presets.guidance
    .filter((g) => g.id !== 'custom')
    .map((g) => ({ value: g.id, label: g.label, detail: fmtGuidance(g.value), hint: GUIDANCE_HINTS[g.id] }));
  guidanceOptions.push({ value: 'custom', label: 'Custom', detail: eff.guidance === 'custom' ? fmtGuidance(d.guidanceValue) : `${fmtGuidance(gMin)}–${fmtGuidance(gMax)}`, hint: GUIDANCE_HINTS.custom });

  return (
    <div className="presets" data-testid="presets">
      {local ? (
        <Row label="Model" labelId="preset-model-label" note={<span data-testid="preset-model-local-note">This machine runs its local model; the FLUX choices are for pods</span>}>
          <div className="local-model-row" data-testid="preset-model-local">
            <span className="runtime-pill">
              <strong>{local.name}</strong>
              <span className="muted">{localLabel}</span>
            </span>
            <a className="btn btn-ghost btn-sm" href="#/settings/models" data-testid="preset-model-change">
              Change in Settings → Models
            </a>
          </div>
        </Row>
      ) : (
        <Row label="Model" labelId="preset-model-label">
          <Segmented<ModelId> label="Model" labelledBy="preset-model-label" value={eff.model} options={modelOptions} onChange={(v) => d.set({ model: v })} testId="preset-model" />
        </Row>
      )}
      <Row
        label="Quality"
        labelId="preset-quality-label"
        note={fixedSteps !== null ? <span data-testid="quality-disabled-note">{`${localLabel ?? model?.label ?? 'This model'} always runs ${fixedSteps} steps`}</span> : undefined}
      >
        <Segmented<QualityPreset>
          label="Quality"
          labelledBy="preset-quality-label"
          describedBy={fixedSteps !== null ? 'preset-quality-label-note' : undefined}
          value={fixedSteps !== null ? null : eff.quality}
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
            <span className="muted small" data-testid="size-custom-used">
              {resolvedCustom && (resolvedCustom.width !== customW || resolvedCustom.height !== customH)
                ? `px → ${resolvedCustom.width} × ${resolvedCustom.height} will be used (multiples of 16)`
                : `px · ${presets.sideRange[0]}–${presets.sideRange[1]} a side`}
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
        note={usesGuidance ? undefined : <span data-testid="guidance-disabled-note">{`${localLabel ?? model?.label.replace(/^FLUX\.1-/, '') ?? 'This model'} has no guidance input`}</span>}
      >
        <Segmented<GuidancePreset>
          label="Guidance"
          labelledBy="preset-guidance-label"
          describedBy={usesGuidance ? undefined : 'preset-guidance-label-note'}
          value={usesGuidance ? eff.guidance : null}
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
        <SeedControl />
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
        <Row label="CPU offload" labelId="preset-offload-label" note={local ? 'For pods: does not apply on this machine' : 'Remote pod: fits smaller GPUs, slower'}>
          <Switch
            checked={eff.cpuOffload}
            labelledBy="preset-offload-label"
            describedBy="preset-offload-label-note"
            onChange={(v) => d.set({ cpuOffload: v })}
            disabled={local !== null}
            testId="cpu-offload"
          />
        </Row>
      </div>
      <ResolveSummary resolve={props.resolve} pending={props.pending} />
    </div>
  );
}
