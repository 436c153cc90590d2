// Settings → Models: the local model folders (type, size, problems), add/remove/choose,
// downloads from the Hugging Face Hub (ModelDownloads.tsx), and the local runtime's execution
// provider, threads and idle unload.
import { useCallback, useEffect, useState, type FormEvent, type ReactElement } from 'react';
import type { LocalModel, LocalStatus } from '@shared/contract';
import { DisabledReason } from '../../components/DisabledReason';
import { FieldRow, Section, Segmented } from '../../components/Controls';
import { useSettings } from '../../stores/settings';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { KIND_LABEL, formatBytes } from '../../lib/local-models';
import { ModelDownloads } from './ModelDownloads';

type Provider = 'auto' | 'cuda' | 'dml' | 'cpu';
const PROVIDER_OPTIONS: { value: Provider; label: string; hint: string }[] = [
  { value: 'auto', label: 'Auto', hint: 'CUDA on Linux x64, DirectML on Windows, else CPU' },
  { value: 'cuda', label: 'CUDA', hint: 'NVIDIA GPU (Linux x64; needs CUDA 12 + cuDNN 9)' },
  { value: 'dml', label: 'DirectML', hint: 'Any DirectX 12 GPU (Windows)' },
  { value: 'cpu', label: 'CPU', hint: 'Slow but works everywhere' },
];

export function ModelsSection(props: { canPick: boolean }): ReactElement {
  const settings = useSettings((s) => s.settings);
  const update = useSettings((s) => s.update);
  const [models, setModels] = useState<LocalModel[] | null>(null);
  const [status, setStatus] = useState<LocalStatus | null>(null);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const [m, s] = await Promise.all([studio.local.models(), studio.local.status()]);
      setModels(m);
      setStatus(s);
    } catch (err) {
      reportError(err);
    }
  }, []);
  useEffect(() => {
    void refresh();
    return studio.on('local.status', (s) => setStatus(s));
  }, [refresh]);

  async function add(dir: string): Promise<void> {
    if (!dir.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const m = await studio.local.addModel({ path: dir.trim() });
      setDraft('');
      notify(`Added ${m.name} (${KIND_LABEL[m.kind ?? ''] ?? m.kind}, ${formatBytes(m.sizeBytes)}).`, 'success');
      await refresh();
    } catch (err) {
      if (err instanceof StudioCallError && err.field === 'path') setError(err.fieldMessage);
      else reportError(err);
    } finally {
      setBusy(false);
    }
  }

  async function browse(): Promise<void> {
    try {
      const res = await studio.app.pickFolder({ title: 'Choose a model folder (diffusers ONNX layout)' });
      if (res.supported && res.path) await add(res.path);
    } catch (err) {
      reportError(err);
    }
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void add(draft);
  };

  return (
    <Section
      title="Models"
      testId="settings-models"
      description="Local models are folders in the diffusers ONNX layout (model_index.json, text_encoder/, transformer/ or unet/, vae_decoder/, tokenizer/…): FLUX.1-dev, FLUX.1-schnell, SD-Turbo or SDXL-Turbo exports as optimum-cli writes them, fp32 or fp16. Add a folder you have, or download one."
    >
      {models === null ? (
        <p className="muted">Loading models…</p>
      ) : models.length === 0 ? (
        <p className="muted" data-testid="settings-models-empty">
          No local models yet.
        </p>
      ) : (
        <ul className="model-list" data-testid="settings-models-list">
          {models.map((m) => (
            <li key={m.path} className={m.valid ? 'model-row' : 'model-row is-invalid'} data-testid="settings-model-row">
              <div className="model-main">
                <strong>{m.name}</strong>
                <span className="muted"> · {m.valid ? (KIND_LABEL[m.kind ?? ''] ?? m.kind) : 'not usable'}</span>
                <span className="muted" data-testid="model-size"> · {formatBytes(m.sizeBytes)}</span>
                {m.active ? (
                  <span className="badge model-in-use" data-testid="model-in-use">
                    in use
                  </span>
                ) : null}
                <div className="mono muted small">{m.path}</div>
                {m.error ? (
                  <p className="field-error" role="alert">
                    {m.error}
                  </p>
                ) : null}
              </div>
              <div className="model-actions">
                {m.valid && !m.active ? (
                  <button type="button" className="btn btn-sm" onClick={() => void studio.local.selectModel({ path: m.path }).then(refresh, reportError)}>
                    Use
                  </button>
                ) : null}
                <button
                  type="button"
                  className="btn btn-sm"
                  onClick={() => void studio.local.removeModel({ path: m.path }).then(refresh, reportError)}
                  data-testid="settings-model-remove"
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <FieldRow label="Add a model folder" htmlFor="local-model-path" labelId="local-model-label" stacked>
        <form className="input-group" onSubmit={onSubmit} noValidate>
          <input
            id="local-model-path"
            className={error ? 'input mono has-error' : 'input mono'}
            type="text"
            spellCheck={false}
            placeholder="/path/to/FLUX.1-schnell-onnx"
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              setError(null);
            }}
            data-testid="settings-model-path"
          />
          {props.canPick ? (
            <button type="button" className="btn" onClick={() => void browse()}>
              Browse…
            </button>
          ) : null}
          <button type="submit" className="btn btn-primary" disabled={busy || !draft.trim()} aria-describedby={!busy && !draft.trim() ? 'local-model-why' : undefined} data-testid="settings-model-add">
            {busy ? 'Checking…' : 'Add'}
          </button>
        </form>
        <DisabledReason
          id="local-model-why"
          testId="settings-model-why"
          reason={!busy && !draft.trim() ? `Type the path of a model folder${props.canPick ? ' or Browse… to it' : ''}, or download one below.` : null}
        />
        {error ? (
          <p className="field-error" role="alert" data-testid="settings-model-error">
            {error}
          </p>
        ) : null}
      </FieldRow>
      <ModelDownloads onAdded={() => void refresh()} />
      {settings ? (
        <>
          <FieldRow
            label="Execution provider"
            labelId="local-provider-label"
            description={`What runs the model. This machine tries: ${status?.platformProviders.join(' → ') ?? '…'}. The one actually used is shown beside the runtime toggle.`}
          >
            <Segmented<Provider>
              label="Execution provider"
              labelledBy="local-provider-label"
              value={settings.localProvider}
              options={PROVIDER_OPTIONS}
              onChange={(v) => void update({ localProvider: v }).catch(reportError)}
              testId="settings-local-provider"
            />
          </FieldRow>
          <FieldRow label="Threads" htmlFor="local-threads" labelId="local-threads-label" description="CPU threads for ONNX Runtime; 0 lets it decide.">
            <input
              id="local-threads"
              className="input"
              type="number"
              min={0}
              max={256}
              value={settings.localThreads}
              onChange={(e) => {
                const n = Number(e.target.value);
                if (Number.isInteger(n) && n >= 0 && n <= 256) void update({ localThreads: n }).catch(reportError);
              }}
              data-testid="settings-local-threads"
            />
          </FieldRow>
          <FieldRow
            label="Unload when idle (seconds)"
            htmlFor="local-idle"
            labelId="local-idle-label"
            description="The model stays loaded between images and is unloaded after this long without work, returning its memory (0: keep it loaded)."
          >
            <input
              id="local-idle"
              className="input"
              type="number"
              min={0}
              max={86400}
              value={settings.localIdleSeconds}
              onChange={(e) => {
                const n = Number(e.target.value);
                if (Number.isInteger(n) && n >= 0 && n <= 86400) void update({ localIdleSeconds: n }).catch(reportError);
              }}
              data-testid="settings-local-idle"
            />
          </FieldRow>
        </>
      ) : null}
    </Section>
  );
}
