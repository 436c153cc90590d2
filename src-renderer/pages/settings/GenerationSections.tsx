// Settings → Generation defaults, Prompt enhancement and the CLIP tokenizer folder.
import { useEffect, useState, type FormEvent, type ReactElement, type ReactNode } from 'react';
import {
  QUALITY_PRESETS,
  type CallRequest,
  type GuidancePreset,
  type ModelId,
  type PresetOverrides,
  type QualityPreset,
  type Settings,
  type SizePreset,
} from '@shared/contract';
import { FieldRow, Section, Segmented, Switch, type SegmentedOption } from '../../components/Controls';
import { CheckIcon } from '../../components/Icons';
import { usePresets } from '../../stores/presets';
import { useSettings } from '../../stores/settings';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';

type Parsed<T> = { value: T } | { error: string };

/**
 * A text/number setting edited in place: Enter or Save applies it, Esc puts it back; errors
 * from main show under it. With `browse` (where the OS has a folder picker), a Browse… button
 * picks a folder and saves it the same way. Every such field in Settings is this one component.
 */
export function SettingInput<K extends keyof Settings>(props: {
  settingKey: K;
  label: string;
  description?: ReactNode;
  current: Settings[K];
  format(value: Settings[K]): string;
  parse(text: string): Parsed<Settings[K]>;
  testId: string;
  inputMode?: 'text' | 'numeric' | 'decimal';
  mono?: boolean;
  placeholder?: string;
  stacked?: boolean;
  width?: number;
  extra?: ReactNode;
  /** A Browse… button (testId) opening the folder picker (title); the folder picked is saved. */
  browse?: { title: string; testId: string };
}): ReactElement {
  const update = useSettings((s) => s.update);
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const currentText = props.format(props.current);
  const value = draft ?? currentText;
  const dirty = draft !== null && draft !== currentText;
  const id = `setting-${String(props.settingKey)}`;

  useEffect(() => {
    if (!saved) return;
    const t = setTimeout(() => setSaved(false), 2000);
    return () => clearTimeout(t);
  }, [saved]);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (dirty) await save(value);
  }

  async function save(text: string): Promise<void> {
    const parsed = props.parse(text);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await update({ [props.settingKey]: parsed.value } as CallRequest<'settings.update'>);
      setDraft(null);
      setSaved(true);
    } catch (err) {
      if (err instanceof StudioCallError && err.field === props.settingKey) setError(err.fieldMessage);
      else reportError(err);
    } finally {
      setSaving(false);
    }
  }

  async function browse(title: string): Promise<void> {
    try {
      const res = await studio.app.pickFolder({ title, ...(currentText ? { defaultPath: currentText } : {}) });
      if (res.supported && res.path) {
        setDraft(res.path);
        await save(res.path);
      }
    } catch (err) {
      reportError(err);
    }
  }

  return (
    <FieldRow label={props.label} htmlFor={id} labelId={`${id}-label`} description={props.description} stacked={props.stacked}>
      <form className="input-group setting-input" onSubmit={(e) => void submit(e)} noValidate>
        <input
          id={id}
          className={`input${props.mono ? ' mono' : ''}${error ? ' has-error' : ''}`}
          style={props.width ? { width: props.width, flex: 'none' } : undefined}
          inputMode={props.inputMode}
          autoComplete="off"
          spellCheck={false}
          placeholder={props.placeholder}
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : props.description ? `${id}-label-desc` : undefined}
          onChange={(e) => {
            setDraft(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && draft !== null) {
              setDraft(null);
              setError(null);
            }
          }}
          data-testid={props.testId}
        />
        {props.extra}
        {props.browse ? (
          <button type="button" className="btn" onClick={() => void browse(props.browse?.title ?? '')} data-testid={props.browse.testId}>
            Browse…
          </button>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={!dirty || saving} data-testid={`${props.testId}-save`}>
          {saving ? (
            'Saving…'
          ) : saved && !dirty ? (
            <span className="save-done" data-testid={`${props.testId}-saved`}>
              <CheckIcon size={14} />
              Saved
            </span>
          ) : (
            'Save'
          )}
        </button>
      </form>
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert" data-testid={`${props.testId}-error`}>
          {error}
        </p>
      ) : dirty ? (
        <p className="field-hint">Press Enter or Save to apply · Esc to undo</p>
      ) : null}
    </FieldRow>
  );
}

function parseNumber(text: string, min: number, max: number, opts: { whole?: boolean } = {}): Parsed<number> {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) return { error: `Enter a number from ${min} to ${max}` };
  if (opts.whole && !Number.isInteger(n)) return { error: `Enter a whole number from ${min} to ${max}` };
  if (n < min || n > max) return { error: `Must be between ${min} and ${max}` };
  return { value: n };
}

function useSaveChoice(): (patch: CallRequest<'settings.update'>) => void {
  const update = useSettings((s) => s.update);
  return (patch) => {
    update(patch).catch(reportError);
  };
}


// ---------- generation defaults ----------

function OverridesForm(props: { overrides: PresetOverrides }): ReactElement {
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
          <button type="submit" className="btn btn-primary" disabled={!dirty || busy} data-testid="settings-overrides-save">
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

export function GenerationDefaultsSection(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const presets = usePresets((s) => s.view);
  const loadPresets = usePresets((s) => s.load);
  const save = useSaveChoice();
  const overridesKey = JSON.stringify(settings?.presetOverrides ?? null);
  useEffect(() => {
    void loadPresets();
  }, [loadPresets, overridesKey]);

  if (!settings) {
    return (
      <Section title="Generation defaults" testId="settings-generation">
        <p className="muted">Loading settings…</p>
      </Section>
    );
  }
  const modelOptions: SegmentedOption<ModelId>[] = (presets?.models ?? []).map((m) => ({ value: m.id, label: m.label }));
  const qualityOptions: SegmentedOption<QualityPreset>[] = (presets?.quality ?? []).map((q) => ({ value: q.id, label: `${q.label} · ${q.steps}` }));
  const sizeOptions: SegmentedOption<Exclude<SizePreset, 'custom'>>[] = (presets?.sizes ?? [])
    .filter((s): s is typeof s & { id: Exclude<SizePreset, 'custom'> } => s.id !== 'custom')
    .map((s) => ({ value: s.id, label: s.label, hint: `${s.width}×${s.height}` }));
  const guidanceOptions: SegmentedOption<Exclude<GuidancePreset, 'custom'>>[] = (presets?.guidance ?? [])
    .filter((g): g is typeof g & { id: Exclude<GuidancePreset, 'custom'> } => g.id !== 'custom')
    .map((g) => ({ value: g.id, label: `${g.label} · ${g.value.toFixed(1)}` }));

  return (
    <Section
      title="Generation defaults"
      description="What a new draft on the Generate page starts with. Changing them here does not change choices you already made there."
      testId="settings-generation"
    >
      <FieldRow label="Model" labelId="default-model-label">
        <Segmented<ModelId> label="Default model" labelledBy="default-model-label" value={settings.defaultModel} options={modelOptions} onChange={(v) => save({ defaultModel: v })} testId="settings-default-model" />
      </FieldRow>
      <FieldRow label="Quality" labelId="default-quality-label" description="Steps per preset; FLUX.1-schnell always runs 4.">
        <Segmented<QualityPreset> label="Default quality" labelledBy="default-quality-label" value={settings.defaultQuality} options={qualityOptions} onChange={(v) => save({ defaultQuality: v })} testId="settings-default-quality" />
      </FieldRow>
      <FieldRow label="Size" labelId="default-size-label">
        <Segmented label="Default size" labelledBy="default-size-label" value={settings.defaultSize} options={sizeOptions} onChange={(v) => save({ defaultSize: v })} testId="settings-default-size" />
      </FieldRow>
      <FieldRow label="Guidance" labelId="default-guidance-label" description="FLUX.1-dev only.">
        <Segmented label="Default guidance" labelledBy="default-guidance-label" value={settings.defaultGuidance} options={guidanceOptions} onChange={(v) => save({ defaultGuidance: v })} testId="settings-default-guidance" />
      </FieldRow>
      <SettingInput
        settingKey="jpegQuality"
        label="JPEG quality"
        description="1–100; 95 keeps nearly all detail at a third of the size of PNG."
        current={settings.jpegQuality}
        format={String}
        parse={(t) => parseNumber(t, 1, 100, { whole: true })}
        inputMode="numeric"
        width={96}
        testId="settings-jpeg-quality"
      />
      <FieldRow label="CPU offload" labelId="default-offload-label" description="Remote pod: keep parts of the model in CPU RAM so it fits smaller GPUs (slower).">
        <Switch checked={settings.cpuOffload} labelledBy="default-offload-label" describedBy="default-offload-label-desc" onChange={(v) => save({ cpuOffload: v })} testId="settings-cpu-offload" />
      </FieldRow>
      <OverridesForm key={overridesKey} overrides={settings.presetOverrides} />
    </Section>
  );
}

// ---------- prompt enhancement ----------

export function EnhanceSection(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const save = useSaveChoice();
  if (!settings) {
    return (
      <Section title="Prompt enhancement" testId="settings-enhance">
        <p className="muted">Loading settings…</p>
      </Section>
    );
  }
  return (
    <Section
      title="Prompt enhancement"
      description={
        <>
          “Enhance with Claude” on the Generate page sends the prompt to Anthropic with your key (see API keys below) and the instructions in{' '}
          <code>configs/prompts/enhance.txt</code>.
        </>
      }
      testId="settings-enhance"
    >
      <SettingInput
        settingKey="enhanceModel"
        label="Model"
        description="An Anthropic model id."
        current={settings.enhanceModel}
        format={String}
        parse={(t) => (t.trim() === '' ? { error: 'Enter a model id' } : { value: t.trim() })}
        mono
        width={240}
        testId="settings-enhance-model"
      />
      <SettingInput
        settingKey="enhanceTemperature"
        label="Temperature"
        description="0–1: lower is more literal, higher more inventive."
        current={settings.enhanceTemperature}
        format={String}
        parse={(t) => parseNumber(t, 0, 1)}
        inputMode="decimal"
        width={96}
        testId="settings-enhance-temperature"
      />
      <SettingInput
        settingKey="enhanceMaxTokens"
        label="Max tokens"
        description="16–1024: the longest answer Claude may give."
        current={settings.enhanceMaxTokens}
        format={String}
        parse={(t) => parseNumber(t, 16, 1024, { whole: true })}
        inputMode="numeric"
        width={96}
        testId="settings-enhance-max-tokens"
      />
      <FieldRow label="Trim to the CLIP limit" labelId="enhance-trim-label" description="Cut the answer to 75 CLIP tokens by default (you can switch it per prompt).">
        <Switch checked={settings.enhanceTrimToClip} labelledBy="enhance-trim-label" describedBy="enhance-trim-label-desc" onChange={(v) => save({ enhanceTrimToClip: v })} testId="settings-enhance-trim" />
      </FieldRow>
      <FieldRow
        label="First-use notice"
        description={settings.enhanceNoticeAccepted ? 'Seen: Enhance goes straight to Claude.' : 'Shown before the first enhancement.'}
      >
        <button
          type="button"
          className="btn"
          disabled={!settings.enhanceNoticeAccepted}
          title={settings.enhanceNoticeAccepted ? undefined : 'The notice will already be shown'}
          onClick={() => save({ enhanceNoticeAccepted: false })}
          data-testid="settings-enhance-notice-reset"
        >
          Show it again
        </button>
      </FieldRow>
    </Section>
  );
}

// ---------- CLIP tokenizer ----------

export function TokenizerSection(props: { canPick: boolean }): ReactElement {
  const settings = useSettings((s) => s.settings);
  if (!settings) {
    return (
      <Section title="Token counting" testId="settings-tokenizer">
        <p className="muted">Loading settings…</p>
      </Section>
    );
  }
  return (
    <Section title="Token counting" testId="settings-tokenizer">
      <SettingInput
        settingKey="clipTokenizerDir"
        label="CLIP tokenizer folder"
        description={
          <>
            Optional: a model’s <code>tokenizer/</code> folder (<code>vocab.json</code> + <code>merges.txt</code>) to count with. Leave empty to use the
            studio’s own.
          </>
        }
        current={settings.clipTokenizerDir}
        format={(v) => v ?? ''}
        parse={(t) => ({ value: t.trim() === '' ? null : t.trim() })}
        mono
        stacked
        placeholder="Empty: the studio’s own tokenizer data"
        {...(props.canPick ? { browse: { title: 'Choose a CLIP tokenizer folder', testId: 'settings-clip-dir-browse' } } : {})}
        testId="settings-clip-dir"
      />
    </Section>
  );
}
