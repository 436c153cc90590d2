// One API key in Settings → API keys: whether it is set (and by what), a write-only field to
// set or replace it, and Clear.
import { useRef, useState, type FormEvent, type ReactElement } from 'react';
import type { SecretStatus } from '@shared/contract';
import { CheckIcon } from '../../components/Icons';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError } from '../../transport/client';
import { useSecrets } from './secrets-store';
import { useFlash } from './use-flash';

/** A Save button's label: "Save", "Saving…", or a short-lived "Saved" with a check. */
function SaveLabel(props: { busy: boolean; saved: boolean; testId?: string }): ReactElement {
  if (props.busy) return <>Saving…</>;
  if (props.saved)
    return (
      <span className="save-done" data-testid={props.testId}>
        <CheckIcon size={14} />
        Saved
      </span>
    );
  return <>Save</>;
}

function secretStatusText(s: SecretStatus): string {
  if (!s.set) return 'Not set';
  return s.source === 'env' ? `Set by $${s.envVar}` : 'Set (stored)';
}

export function SecretRow(props: { secret: SecretStatus; unavailable: boolean; unavailableReason: string | null }): ReactElement {
  const { secret } = props;
  const setSecret = useSecrets((s) => s.set);
  const clearSecret = useSecrets((s) => s.clear);
  // Uncontrolled on purpose: React would mirror a controlled value into the DOM attribute.
  const inputRef = useRef<HTMLInputElement>(null);
  const [hasValue, setHasValue] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, flashSaved] = useFlash();
  const inputId = `secret-${secret.name}-input`;
  const errorId = `secret-${secret.name}-error`;
  // With an environment variable in effect we cannot tell whether a value is also stored; allow clearing it.
  const clearable = secret.set;

  async function save(e: FormEvent): Promise<void> {
    e.preventDefault();
    const input = inputRef.current;
    if (!input || input.value === '' || props.unavailable) return;
    setBusy(true);
    setError(null);
    try {
      await setSecret(secret.name, input.value);
      input.value = '';
      setHasValue(false);
      flashSaved();
    } catch (err) {
      if (err instanceof StudioCallError && (err.field === 'value' || err.code === 'unavailable')) setError(err.fieldMessage);
      else reportError(err);
    } finally {
      setBusy(false);
    }
  }

  async function clear(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await clearSecret(secret.name);
      notify(`${shortLabel(secret.label)} removed from the studio’s store.`, 'success');
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  }

  const statusClass = !secret.set ? 'status-pill' : secret.source === 'env' ? 'status-pill is-env' : 'status-pill is-set';
  return (
    <div className="secret-row" data-testid={`secret-${secret.name}`} data-set={secret.set} data-source={secret.source ?? 'none'}>
      <div className="secret-head">
        <div className="secret-text">
          <label className="field-label" htmlFor={inputId}>
            {secret.label}
          </label>
          <div className="field-description">
            Environment variable <code>{secret.envVar}</code>
            {secret.source === 'env' ? ' is set and overrides any stored value.' : ' overrides a stored value when set.'}
          </div>
        </div>
        <span className={statusClass} data-testid={`secret-${secret.name}-status`}>
          <span className="status-dot" aria-hidden="true" />
          {secretStatusText(secret)}
        </span>
      </div>
      <form className="input-group" onSubmit={(e) => void save(e)} noValidate>
        <input
          ref={inputRef}
          id={inputId}
          className={error ? 'input mono has-error' : 'input mono'}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={secret.set ? 'Enter a new value to replace it' : 'Paste the key'}
          disabled={props.unavailable || busy}
          title={props.unavailable ? (props.unavailableReason ?? undefined) : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => {
            setHasValue(e.target.value !== '');
            setError(null);
          }}
          data-testid={`secret-${secret.name}-input`}
        />
        <button
          type="submit"
          className="btn btn-primary"
          disabled={props.unavailable || busy || !hasValue}
          title={props.unavailable ? (props.unavailableReason ?? undefined) : hasValue ? undefined : 'Type a value to save it'}
          data-testid={`secret-${secret.name}-save`}
        >
          <SaveLabel busy={busy} saved={saved && !hasValue} testId={`secret-${secret.name}-saved`} />
        </button>
        <button
          type="button"
          className="btn"
          disabled={busy || !clearable}
          title={
            !clearable
              ? 'Nothing stored to clear'
              : secret.source === 'env'
                ? `Delete any stored value ($${secret.envVar} still applies until you unset it)`
                : 'Delete the stored value'
          }
          onClick={() => void clear()}
          data-testid={`secret-${secret.name}-clear`}
        >
          Clear
        </button>
      </form>
      {error ? (
        <p id={errorId} className="field-error" role="alert" data-testid={`secret-${secret.name}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function shortLabel(label: string): string {
  return label.replace(/\s*\(.*\)\s*$/, '');
}
