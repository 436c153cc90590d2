// No RunPod API key yet: say so, with the way out right here (paste it; it goes to main's
// secret store and never comes back) or in Settings → API keys.
import { useId, useState, type FormEvent, type ReactElement } from 'react';
import { DisabledReason } from '../../../components/DisabledReason';
import { useRunpod } from '../../../stores/runpod';
import { StudioCallError, studio } from '../../../transport/client';

export function RunpodKeyForm(): ReactElement {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const inputId = useId();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaving(true);
    try {
      await studio.secrets.set({ name: 'runpod', value: value.trim() });
      setValue('');
      await useRunpod.getState().load();
    } catch (err) {
      setError(err instanceof StudioCallError ? err.fieldMessage : String(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form className="runpod-key-form" onSubmit={(e) => void save(e)} data-testid="runpod-no-key">
      <p>
        <strong>No RunPod API key is set.</strong> With one, the studio lists your pods, creates and starts them, stops idle ones and shows what they cost.
        Make a key at runpod.io → Settings → API Keys (read/write), then paste it here. It is kept by the studio (the <code>RUNPOD_API_KEY</code> environment
        variable wins) and never shown again.
      </p>
      <label className="field-label" htmlFor={inputId}>
        RunPod API key
      </label>
      <div className="input-group">
        <input
          id={inputId}
          className={error ? 'input mono has-error' : 'input mono'}
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="rpa_…"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${inputId}-error` : undefined}
          data-testid="runpod-key-input"
        />
        <button
          type="submit"
          className="btn btn-primary btn-sm"
          disabled={value.trim() === '' || saving}
          aria-describedby={value.trim() === '' ? `${inputId}-reason` : undefined}
          data-testid="runpod-key-save"
        >
          {saving ? 'Saving…' : 'Save key'}
        </button>
      </div>
      <DisabledReason id={`${inputId}-reason`} testId="runpod-key-reason" reason={value.trim() === '' ? 'Paste the key first.' : null} />
      {error ? (
        <span className="field-error" id={`${inputId}-error`} role="alert" data-testid="runpod-key-error">
          {error}
        </span>
      ) : null}
      <p className="muted small">
        Or set it in <a href="#/settings/runpod-key">Settings → API keys</a>.
      </p>
    </form>
  );
}
