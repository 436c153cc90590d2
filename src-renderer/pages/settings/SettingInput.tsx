// A text/number setting edited in place (Enter or Save applies, Esc puts it back, with an
// optional Browse… for folders): every such field in Settings is this one component.
import { useEffect, useState, type FormEvent, type ReactElement, type ReactNode } from 'react';
import type { CallRequest, Settings } from '@shared/contract';
import { FieldRow } from '../../components/Controls';
import { CheckIcon } from '../../components/Icons';
import { useSettings } from '../../stores/settings';
import { reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import type { Parsed } from './parse';

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
        {/* Primary only while there is something to save; clean, it is a plain (disabled) button whose label says the state. */}
        <button type="submit" className={dirty ? 'btn btn-primary' : 'btn'} disabled={!dirty || saving} data-testid={`${props.testId}-save`}>
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
