// Pods page: adding or editing an SSH pod, filled in by pasting its SSH command. A field's
// error is shown at that field (issue 16, item 12); only errors about no field go to the bottom.
import { useState, type FormEvent, type ReactElement } from 'react';
import type { PodDraft, PodProfile } from '@shared/contract';
import { usePods } from '../../../stores/pods';
import { notify } from '../../../stores/toasts';
import { StudioCallError, studio } from '../../../transport/client';

interface EditorValues {
  name: string;
  host: string;
  port: string;
  user: string;
  keyPath: string;
  workspace: string;
  python: string;
  pipeline: 'diffusers' | 'standin';
}

const FIELDS: readonly (keyof EditorValues)[] = ['name', 'host', 'port', 'user', 'keyPath', 'workspace', 'python', 'pipeline'];
/** The editor field a call's error names (pods.save names the draft's fields), or null. */
function fieldOf(name: string | undefined): keyof EditorValues | null {
  const top = name?.split('.')[0];
  return FIELDS.find((f) => f === top) ?? null;
}

const EMPTY: EditorValues = { name: '', host: '', port: '22', user: 'root', keyPath: '', workspace: '/workspace', python: '', pipeline: 'diffusers' };

export function PodEditor(props: { pod: PodProfile | null; onDone(): void }): ReactElement {
  const p = props.pod;
  const [v, setV] = useState<EditorValues>(
    p ? { name: p.name, host: p.host, port: String(p.port), user: p.user, keyPath: p.keyPath ?? '', workspace: p.workspace, python: p.python ?? '', pipeline: p.pipeline } : EMPTY,
  );
  const [paste, setPaste] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<keyof EditorValues, string>>>({});
  const set = (k: keyof EditorValues) => (e: { target: { value: string } }) => {
    setV((cur) => ({ ...cur, [k]: e.target.value }));
    setFieldErrors((cur) => (cur[k] ? { ...cur, [k]: undefined } : cur));
  };

  const fill = async () => {
    setError(null);
    try {
      const parsed = await studio.pods.parseCommand({ command: paste });
      setV((cur) => ({ ...cur, host: parsed.host, port: String(parsed.port), user: parsed.user, keyPath: parsed.keyPath ?? cur.keyPath }));
      setWarnings(parsed.warnings);
    } catch (err) {
      setError(err instanceof StudioCallError ? err.fieldMessage : String(err));
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setFieldErrors({});
    const draft: PodDraft & { id?: string } = {
      ...(p ? { id: p.id } : {}),
      name: v.name,
      host: v.host,
      port: Number(v.port),
      user: v.user,
      keyPath: v.keyPath.trim() === '' ? null : v.keyPath.trim(),
      workspace: v.workspace,
      python: v.python.trim() === '' ? null : v.python.trim(),
      pipeline: v.pipeline,
    };
    try {
      const saved = await studio.pods.save(draft);
      // The passphrase goes to main's secret store only; it never comes back.
      if (passphrase !== '') await studio.pods.setPassphrase({ id: saved.id, passphrase });
      await usePods.getState().load();
      notify(`Saved pod ${v.name}`, 'success');
      props.onDone();
    } catch (err) {
      const field = err instanceof StudioCallError ? fieldOf(err.field) : null;
      if (err instanceof StudioCallError && field) {
        setFieldErrors({ [field]: err.fieldMessage });
        if (field === 'workspace' || field === 'python' || field === 'pipeline') setAdvancedOpen(true);
        // Bring the user to the field that needs them.
        requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid="pod-${field}"]`)?.focus());
      } else setError(err instanceof StudioCallError ? `${err.field ? `${err.field}: ` : ''}${err.fieldMessage}` : String(err));
    }
  };

  const field = (k: keyof EditorValues, label: string, extra: { placeholder?: string; mono?: boolean } = {}) => {
    const fieldError = fieldErrors[k];
    const errId = `pod-${k}-error`;
    return (
      <label className="dialog-field">
        <span className="field-label">{label}</span>
        <input
          className={`${extra.mono ? 'input mono' : 'input'}${fieldError ? ' has-error' : ''}`}
          value={v[k]}
          onChange={set(k)}
          placeholder={extra.placeholder}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? errId : undefined}
          data-testid={`pod-${k}`}
        />
        {fieldError ? (
          <span className="field-error" id={errId} role="alert" data-testid={`pod-${k}-error`}>
            {fieldError}
          </span>
        ) : null}
      </label>
    );
  };

  return (
    <form className="card" style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 12 }} onSubmit={(e) => void save(e)} data-testid="pod-editor">
      <label className="dialog-field">
        <span className="field-label">Paste the pod’s SSH command</span>
        <span className="field-description">RunPod → Connect → “SSH over exposed TCP”, e.g. ssh root@1.2.3.4 -p 12345 -i ~/.ssh/id_ed25519. IP and port change on every restart: paste the new one here.</span>
        <div className="input-group">
          <input className="input mono" value={paste} onChange={(e) => setPaste(e.target.value)} placeholder="ssh root@… -p … -i …" data-testid="pod-paste" />
          <button type="button" className="btn btn-sm" onClick={() => void fill()} disabled={paste.trim() === ''} data-testid="pod-paste-fill">
            Fill in
          </button>
        </div>
      </label>
      {warnings.map((w) => (
        <p key={w} className="callout is-warning" role="status">
          {w}
        </p>
      ))}
      {field('name', 'Name', { placeholder: 'my-4090' })}
      <div style={{ display: 'grid', gridTemplateColumns: '2fr 1fr 1fr', gap: 8 }}>
        {field('host', 'Host', { mono: true })}
        {field('port', 'Port', { mono: true })}
        {field('user', 'User', { mono: true })}
      </div>
      {field('keyPath', 'Private key file (empty: SSH agent)', { mono: true, placeholder: '/home/me/.ssh/id_ed25519' })}
      <label className="dialog-field">
        <span className="field-label">Key passphrase{p?.hasPassphrase ? ' (stored; type a new one to replace it)' : ' (only if the key has one)'}</span>
        <input className="input" type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} data-testid="pod-passphrase" />
      </label>
      <details open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
        <summary>Advanced</summary>
        <div style={{ display: 'flex', flexDirection: 'column', gap: 8, marginTop: 8 }}>
          {field('workspace', 'Workspace on the pod', { mono: true })}
          {field('python', 'Python of the pod venv (empty: <workspace>/.venv/bin/python)', { mono: true })}
          <label className="dialog-field">
            <span className="field-label">Worker pipeline</span>
            <select className="input" value={v.pipeline} onChange={(e) => setV((cur) => ({ ...cur, pipeline: e.target.value === 'standin' ? 'standin' : 'diffusers' }))} data-testid="pod-pipeline">
              <option value="diffusers">diffusers (FLUX)</option>
              <option value="standin">stand-in (tests)</option>
            </select>
          </label>
        </div>
      </details>
      {error ? (
        <p className="callout is-danger" role="alert" data-testid="pod-editor-error">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="submit" className="btn btn-primary btn-sm" data-testid="pod-save">
          Save pod
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
