// The training wizard: dataset → model → preset → trigger & samples → name → review (the
// generated ai-toolkit YAML, editable and re-validated as you type) → Start. "Start with
// defaults" on the first step plans and starts in one click.
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { CallRequest, TrainingModel, TrainingPreset } from '@shared/contract';
import { FieldRow, Segmented } from '../../components/Controls';
import { DisabledReason } from '../../components/DisabledReason';
import { reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { useTraining, type TrainingOptions } from './store';
import { TargetWayOut } from './TargetWayOut';
import { YamlEditor } from './YamlEditor';
import './train.css';

const STEPS = ['Dataset', 'Model', 'Preset', 'Trigger & samples', 'Name', 'Review'] as const;

interface Draft {
  dataset: string;
  model: TrainingModel;
  preset: TrainingPreset;
  target: string;
  trigger: string;
  prompts: string;
  steps: string;
  sampleEvery: string;
  saveEvery: string;
  name: string;
  /** A local diffusers folder on the training host instead of the Hugging Face model (empty: the Hub's). */
  baseModel: string;
}

function slugify(s: string): string {
  const base = s.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^[_-]+|[_-]+$/g, '').slice(0, 40) || 'lora';
  return /^[a-z0-9]/.test(base) ? base : `l${base}`;
}

function planRequest(d: Draft): CallRequest<'training.plan'> {
  const n = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const prompts = d.prompts.split('\n').map((p) => p.trim()).filter(Boolean);
  return {
    dataset: d.dataset,
    model: d.model,
    preset: d.preset,
    ...(d.target ? { target: d.target } : {}),
    ...(d.trigger.trim() ? { trigger: d.trigger.trim() } : {}),
    ...(prompts.length ? { samplePrompts: prompts } : {}),
    ...(n(d.steps) !== undefined ? { steps: n(d.steps) } : {}),
    ...(n(d.sampleEvery) !== undefined ? { sampleEvery: n(d.sampleEvery) } : {}),
    ...(n(d.saveEvery) !== undefined ? { saveEvery: n(d.saveEvery) } : {}),
    ...(d.name.trim() ? { name: d.name.trim() } : {}),
    ...(d.baseModel.trim() ? { baseModel: d.baseModel.trim() } : {}),
  };
}

function initialDraft(o: TrainingOptions, dataset: string | null): Draft {
  const ds = o.datasets.find((d) => d.name === dataset) ?? o.datasets[0];
  const model: TrainingModel = 'flux-dev';
  const values = o.presets.find((p) => p.id === o.defaults.preset)?.values ?? {};
  return {
    dataset: ds?.name ?? '',
    model,
    preset: o.defaults.preset,
    target: o.defaults.target ?? o.targets[0]?.id ?? '',
    trigger: ds?.trigger ?? '',
    prompts: (o.models.find((m) => m.id === model)?.samplePrompts ?? []).join('\n'),
    steps: String(values.steps ?? ''),
    sampleEvery: String(values.sampleEvery ?? ''),
    saveEvery: String(values.saveEvery ?? ''),
    name: ds ? `${slugify(ds.name)}_${model.replace('-', '_')}` : '',
    baseModel: '',
  };
}

export function Wizard(props: { options: TrainingOptions; dataset: string | null; onClose(): void; onStarted(id: string): void }): ReactElement {
  const o = props.options;
  const [draft, setDraft] = useState<Draft>(() => initialDraft(o, props.dataset));
  const [step, setStep] = useState(0);
  const [yaml, setYaml] = useState('');
  const [warnings, setWarnings] = useState<string[]>([]);
  const [errors, setErrors] = useState<{ path: string; message: string }[]>([]);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const target = o.targets.find((t) => t.id === draft.target);
  const ds = o.datasets.find((d) => d.name === draft.dataset);

  const choosePreset = (preset: TrainingPreset) => {
    const v = o.presets.find((p) => p.id === preset)?.values ?? {};
    set({ preset, steps: String(v.steps ?? ''), sampleEvery: String(v.sampleEvery ?? ''), saveEvery: String(v.saveEvery ?? '') });
  };
  const chooseModel = (model: TrainingModel) => {
    set({ model, prompts: (o.models.find((m) => m.id === model)?.samplePrompts ?? []).join('\n'), name: `${slugify(draft.dataset)}_${model.replace('-', '_')}` });
  };
  const chooseDataset = (name: string) => {
    const d = o.datasets.find((x) => x.name === name);
    set({ dataset: name, trigger: d?.trigger ?? draft.trigger, name: `${slugify(name)}_${draft.model.replace('-', '_')}` });
  };

  const plan = async (): Promise<string | null> => {
    setFieldError(null);
    try {
      const p = await studio.training.plan(planRequest(draft));
      setYaml(p.yaml);
      setWarnings(p.warnings);
      setErrors([]);
      return p.yaml;
    } catch (err) {
      if (err instanceof StudioCallError && err.code === 'invalid_input') setFieldError(`${err.field ?? ''}: ${err.fieldMessage}`);
      else reportError(err);
      return null;
    }
  };

  // Re-validate edited YAML as the user types (debounced).
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onYaml = (text: string) => {
    setYaml(text);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      studio.training
        .validate({ yaml: text })
        .then((r) => setErrors(r.errors))
        .catch(reportError);
    }, 300);
  };
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const start = async (text: string) => {
    setBusy(true);
    try {
      const run = await studio.training.start({ yaml: text, dataset: draft.dataset, model: draft.model, ...(draft.target ? { target: draft.target } : {}) });
      useTraining.getState().upsert(run);
      props.onStarted(run.id);
    } catch (err) {
      if (err instanceof StudioCallError && err.code === 'invalid_input') setErrors([{ path: err.field ?? 'yaml', message: err.fieldMessage }]);
      else reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const next = async () => {
    if (step === STEPS.length - 2) {
      if ((await plan()) !== null) setStep(step + 1);
    } else setStep(step + 1);
  };

  const presetOptions = useMemo(
    () => ['24', '48', '80'].map((g) => ({ value: g, label: `${g} GB` })),
    [],
  );
  const [gpu, level] = draft.preset.split('-') as [string, string];
  const canStart = target?.ready ?? false;
  // Why Start is disabled, said next to it with the way out (docs/architecture.md, "Users see it").
  const startWhy = !canStart
    ? `${target?.label ?? 'No training target'} is not ready${target?.reason ? `: ${target.reason}` : '.'}`
    : errors.length > 0
      ? `Fix the ${errors.length === 1 ? 'YAML error' : `${errors.length} YAML errors`} above first.`
      : null;
  const startWayOut = !canStart ? <TargetWayOut target={target?.id ?? null} /> : errors.length > 0 ? (
    <button type="button" className="btn btn-ghost btn-sm" onClick={() => document.querySelector<HTMLButtonElement>('[data-testid="yaml-goto-line"]')?.click()}>
      Show the error
    </button>
  ) : null;

  return (
    <section className="card" data-testid="train-wizard" style={{ padding: 16, display: 'grid', gap: 16 }} aria-label="New training">
      <ol style={{ display: 'flex', gap: 8, listStyle: 'none', padding: 0, margin: 0, flexWrap: 'wrap' }} aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? 'step' : undefined} className={i === step ? '' : 'muted'} style={{ fontWeight: i === step ? 600 : 400 }}>
            {i + 1}. {s}
          </li>
        ))}
      </ol>

      {step === 0 ? (
        <div style={{ display: 'grid', gap: 12 }}>
          <FieldRow label="Dataset" htmlFor="train-dataset" description={ds ? `${ds.imageCount} images${ds.trigger ? ` · trigger ${ds.trigger}` : ''}` : 'No datasets yet.'}>
            <select id="train-dataset" className="select" data-testid="train-dataset" value={draft.dataset} onChange={(e) => chooseDataset(e.target.value)}>
              {o.datasets.map((d) => (
                <option key={d.name} value={d.name}>
                  {d.name} ({d.imageCount})
                </option>
              ))}
            </select>
          </FieldRow>
          <FieldRow
            label="Train on"
            htmlFor="train-target"
            description={
              <span className="target-hint" data-testid="train-target-hint">
                <span>{target?.reason ?? (target ? 'Ready.' : 'Connect a pod or set up local training in Settings.')}</span>
                {target?.ready ? null : <TargetWayOut target={target?.id ?? null} />}
              </span>
            }
          >
            <select id="train-target" className="select" data-testid="train-target" value={draft.target} onChange={(e) => set({ target: e.target.value })}>
              {o.targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                  {t.ready ? '' : ' (not ready)'}
                </option>
              ))}
            </select>
          </FieldRow>
        </div>
      ) : null}

      {step === 1 ? (
        <div style={{ display: 'grid', gap: 12 }}>
          <div role="radiogroup" aria-label="Model" style={{ display: 'grid', gap: 8 }}>
            {o.models.map((m) => (
              <label key={m.id} className="card" style={{ padding: 10, display: 'flex', gap: 10, cursor: 'pointer' }} data-testid={`train-model-${m.id}`}>
                <input type="radio" name="train-model" checked={draft.model === m.id} onChange={() => chooseModel(m.id)} />
                <span>
                  <strong>{m.label}</strong>
                  <br />
                  <span className="muted">{m.description}</span>
                </span>
              </label>
            ))}
          </div>
          <FieldRow
            label="Base model folder"
            htmlFor="train-base-model"
            description="Optional: a local diffusers copy of the model on the training host (absolute path), used instead of downloading it from Hugging Face."
          >
            <input
              id="train-base-model"
              className="input mono"
              data-testid="train-base-model"
              placeholder="/workspace/models/FLUX.1-dev"
              value={draft.baseModel}
              onChange={(e) => set({ baseModel: e.target.value })}
            />
          </FieldRow>
        </div>
      ) : null}

      {step === 2 ? (
        <div style={{ display: 'grid', gap: 12 }}>
          <FieldRow label="GPU memory" description="What your pod’s GPU has (quantizes FLUX on 24 GB).">
            <Segmented label="GPU memory" value={gpu} options={presetOptions} onChange={(g) => choosePreset(`${g}-${level}` as TrainingPreset)} testId="train-gpu" />
          </FieldRow>
          <FieldRow label="Level" description={o.presets.find((p) => p.id === draft.preset)?.label}>
            <Segmented
              label="Level"
              value={level}
              options={[
                { value: 'quick', label: 'Quick' },
                { value: 'standard', label: 'Standard' },
                { value: 'thorough', label: 'Thorough' },
              ]}
              onChange={(l) => choosePreset(`${gpu}-${l}` as TrainingPreset)}
              testId="train-level"
            />
          </FieldRow>
          <FieldRow label="Steps" htmlFor="train-steps">
            <input id="train-steps" className="input" inputMode="numeric" data-testid="train-steps" value={draft.steps} onChange={(e) => set({ steps: e.target.value })} />
          </FieldRow>
        </div>
      ) : null}

      {step === 3 ? (
        <div style={{ display: 'grid', gap: 12 }}>
          <FieldRow label="Trigger word" htmlFor="train-trigger" description="A rare word the LoRA learns; [trigger] in captions and prompts becomes it.">
            <input id="train-trigger" className="input" data-testid="train-trigger" value={draft.trigger} onChange={(e) => set({ trigger: e.target.value })} />
          </FieldRow>
          <FieldRow label="Sample prompts" htmlFor="train-prompts" description="One per line; samples are rendered at each interval." stacked>
            <textarea id="train-prompts" className="textarea" rows={4} data-testid="train-prompts" value={draft.prompts} onChange={(e) => set({ prompts: e.target.value })} />
          </FieldRow>
          <FieldRow label="Sample every (steps)" htmlFor="train-sample-every">
            <input id="train-sample-every" className="input" inputMode="numeric" data-testid="train-sample-every" value={draft.sampleEvery} onChange={(e) => set({ sampleEvery: e.target.value })} />
          </FieldRow>
          <FieldRow label="Save every (steps)" htmlFor="train-save-every">
            <input id="train-save-every" className="input" inputMode="numeric" data-testid="train-save-every" value={draft.saveEvery} onChange={(e) => set({ saveEvery: e.target.value })} />
          </FieldRow>
        </div>
      ) : null}

      {step === 4 ? (
        <FieldRow label="Run name" htmlFor="train-name" description="a-z, 0-9, _ and - (ai-toolkit’s folder and file prefix). The same name resumes.">
          <input id="train-name" className="input" data-testid="train-name" value={draft.name} onChange={(e) => set({ name: e.target.value })} />
        </FieldRow>
      ) : null}

      {step === 5 ? (
        <div style={{ display: 'grid', gap: 8 }}>
          {warnings.map((w) => (
            <div key={w} className="muted" data-testid="train-warning">
              ⚠ {w}
            </div>
          ))}
          <label className="field-label" htmlFor="train-yaml">
            ai-toolkit config (edit with care; it is validated again before it runs)
          </label>
          <YamlEditor id="train-yaml" label="ai-toolkit config" testId="train-yaml" value={yaml} errors={errors} onChange={onYaml} />
        </div>
      ) : null}

      {fieldError ? (
        <div className="field-error" role="alert" data-testid="train-plan-error">
          {fieldError}
        </div>
      ) : null}

      <footer className="wizard-footer">
        {step === 0 || step === STEPS.length - 1 ? (
          <DisabledReason
            id="train-start-why"
            testId="train-start-why"
            // Step 1 already shows the target's full reason under "Train on".
            reason={step === 0 ? (canStart ? null : `${target?.label ?? 'No training target'} is not ready (see “Train on”).`) : startWhy}
            action={startWayOut}
          />
        ) : null}
        <button type="button" className="btn btn-ghost" onClick={props.onClose}>
          Cancel
        </button>
        {step === 0 ? (
          <button
            type="button"
            className="btn"
            data-testid="train-start-defaults"
            disabled={busy || !draft.dataset || !canStart}
            aria-describedby={canStart ? undefined : 'train-start-why'}
            title={canStart ? 'Plan with these defaults and start now' : undefined}
            onClick={() => void plan().then((y) => (y ? start(y) : undefined))}
          >
            Start with defaults
          </button>
        ) : null}
        {step > 0 ? (
          <button type="button" className="btn" onClick={() => setStep(step - 1)}>
            Back
          </button>
        ) : null}
        {step < STEPS.length - 1 ? (
          <button type="button" className="btn btn-primary" data-testid="train-next" disabled={!draft.dataset} onClick={() => void next()}>
            {step === STEPS.length - 2 ? 'Review' : 'Next'}
          </button>
        ) : (
          <button type="button" className="btn btn-primary" data-testid="train-start" disabled={busy || errors.length > 0 || !canStart} aria-describedby={startWhy ? 'train-start-why' : undefined} onClick={() => void start(yaml)}>
            Start training
          </button>
        )}
      </footer>
    </section>
  );
}
