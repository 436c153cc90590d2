// Settings → Generation defaults → Preset numbers: the steps and guidance each preset stands
// for, overridden per box (empty: the value from presets.yaml).
import { useState, type FormEvent, type ReactElement } from 'react';
import { QUALITY_PRESETS, type PresetOverrides } from '@shared/contract';
import { FieldRow } from '../../components/Controls';
import { usePresets } from '../../stores/presets';
import { useSettings } from '../../stores/settings';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError } from '../../transport/client';
import { parseNumber, type Parsed } from './parse';

export function PresetOverridesForm(props: { overrides: PresetOverrides }): ReactElement {
  const presets = usePresets((s) => s.view);
  const update = useSettings((s) => s.update);
  const initial = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const q of QUALITY_PRESETS) {
      const v = props.overrides.qualitySteps?.[q];
      out[`steps-${q}`] = v === undefined ? '' : String(v);
    }
    for (const g of ['creative', 'default', 'strict'] as const) {
      const v = props.overrides.guidanceValues?.[g];
      out[`guidance-${g}`] = v === undefined ? '' : String(v);
    }
    return out;
  };
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const saved = JSON.stringify(initial());
  const dirty = JSON.stringify(values) !== saved;

  function build(): Parsed<PresetOverrides> {
    const qualitySteps: NonNullable<PresetOverrides['qualitySteps']> = {};
    const guidanceValues: NonNullable<PresetOverrides['guidanceValues']> = {};
    for (const q of QUALITY_PRESETS) {
      const t = values[`steps-${q}`] ?? '';
      if (t.trim() === '') continue;
      const p = parseNumber(t, 1, 200, { whole: true });
      if ('error' in p) return { error: `Steps for ${q}: ${p.error.charAt(0).toLowerCase()}${p.error.slice(1)}` };
      qualitySteps[q] = p.value;
    }
    for (const g of ['creative', 'default', 'strict'] as const) {
      const t = values[`guidance-${g}`] ?? '';
      if (t.trim() === '') continue;
      const p = parseNumber(t, 1, 7);
      if ('error' in p) return { error: `Guidance for ${g}: ${p.error.charAt(0).toLowerCase()}${p.error.slice(1)}` };
      guidanceValues[g] = p.value;
    }
    const out: PresetOverrides = {};
    if (Object.keys(qualitySteps).length > 0) out.qualitySteps = qualitySteps;
    if (Object.keys(guidanceValues).length > 0) out.guidanceValues = guidanceValues;
    return { value: out };
  }

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    const built = build();
    if ('error' in built) {
      setError(built.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await update({ presetOverrides: built.value });
      notify('Preset numbers saved.', 'success');
    } catch (err) {
      if (err instanceof StudioCallError && err.field?.startsWith('presetOverrides')) setError(err.fieldMessage);
      else reportError(err);
    } finally {
      setBusy(false);
    }
  }

  const field = (key: string, label: string, placeholder: string | undefined) => (
    <label className="mini-field" key={key}>
      <span>{label}</span>
      <input
        className="input num-input"
        inputMode="decimal"
        autoComplete="off"
        placeholder={placeholder}
        value={values[key] ?? ''}
        onChange={(e) => {
          setValues((v) => ({ ...v, [key]: e.target.value }));
          setError(null);
        }}
        data-testid={`settings-override-${key}`}
      />
    </label>
  );

  return (
    <FieldRow
      label="Preset numbers"
      stacked
      description="Change the steps or guidance a preset stands for. Leave a box empty to use the value from presets.yaml (shown greyed)."
      testId="settings-overrides"
    >
      <form className="overrides-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="overrides-group">
          <span className="overrides-title">Steps</span>
          {QUALITY_PRESETS.map((q) =>
            field(`steps-${q}`, presets?.quality.find((x) => x.id === q)?.label ?? q, props.overrides.qualitySteps?.[q] === undefined ? String(presets?.quality.find((x) => x.id === q)?.steps ?? '') : undefined),
          )}
        </div>
        <div className="overrides-group">
          <span className="overrides-title">Guidance</span>
          {(['creative', 'default', 'strict'] as const).map((g) =>
            field(
              `guidance-${g}`,
              presets?.guidance.find((x) => x.id === g)?.label ?? g,
              props.overrides.guidanceValues?.[g] === undefined ? String(presets?.guidance.find((x) => x.id === g)?.value.toFixed(1) ?? '') : undefined,
            ),
          )}
        </div>
        <div className="overrides-actions">
          <button type="submit" className={dirty ? 'btn btn-primary' : 'btn'} disabled={!dirty || busy} data-testid="settings-overrides-save">
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={busy || Object.values(values).every((v) => v.trim() === '')}
            onClick={() => setValues(Object.fromEntries(Object.keys(values).map((k) => [k, ''])))}
            data-testid="settings-overrides-clear"
          >
            Clear all
          </button>
        </div>
      </form>
      {error ? (
        <p className="field-error" role="alert" data-testid="settings-overrides-error">
          {error}
        </p>
      ) : null}
    </FieldRow>
  );
}
