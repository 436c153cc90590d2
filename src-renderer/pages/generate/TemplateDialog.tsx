// Creating, editing (or copying) and deleting one of the user's prompt templates ("styles").
import { useEffect, useId, useRef, useState, type FormEvent, type ReactElement } from 'react';
import type { PromptTemplate } from '@shared/contract';
import { TrashIcon } from '../../components/Icons';
import { notify } from '../../stores/toasts';
import { StudioCallError } from '../../transport/client';
import { useTemplates } from './templates-store';

export function TemplateDialog(props: {
  initial: { id?: string; name: string; text: string };
  onClose(): void;
  onSaved(t: PromptTemplate): void;
  onDeleted(): void;
}): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const save = useTemplates((s) => s.save);
  const remove = useTemplates((s) => s.remove);
  const [name, setName] = useState(props.initial.name);
  const [text, setText] = useState(props.initial.text);
  const [errors, setErrors] = useState<{ name?: string; text?: string; other?: string }>({});
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const titleId = useId();
  const editing = props.initial.id !== undefined;
  const { onClose } = props;

  useEffect(() => {
    const el = ref.current;
    if (el && !el.open) el.showModal();
    return () => {
      if (el?.open) el.close();
    };
  }, []);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const saved = await save({ ...(props.initial.id ? { id: props.initial.id } : {}), name, text });
      notify(editing ? `Saved the style “${saved.name}”.` : `Created the style “${saved.name}”.`, 'success');
      props.onSaved(saved);
      onClose();
    } catch (err) {
      if (err instanceof StudioCallError && (err.field === 'name' || err.field === 'text')) setErrors({ [err.field]: err.fieldMessage });
      else setErrors({ other: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  async function doDelete(): Promise<void> {
    if (!props.initial.id) return;
    setBusy(true);
    try {
      await remove(props.initial.id);
      notify(`Deleted the style “${props.initial.name}”.`, 'success');
      props.onDeleted();
      onClose();
    } catch (err) {
      setErrors({ other: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  function insertSlot(): void {
    const el = textRef.current;
    if (!el) return;
    el.focus();
    if (!document.execCommand('insertText', false, '{prompt}')) setText((t) => `${t}{prompt}`);
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      data-testid="template-dialog"
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="dialog-body">
        <h2 id={titleId} className="dialog-title">
          {editing ? 'Edit style' : 'New style'}
        </h2>
        <div className="dialog-field">
          <label className="field-label" htmlFor="template-name">
            Name
          </label>
          <input
            id="template-name"
            className={errors.name ? 'input has-error' : 'input'}
            value={name}
            maxLength={80}
            autoComplete="off"
            onChange={(e) => {
              setName(e.target.value);
              setErrors((x) => ({ ...x, name: undefined }));
            }}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? 'template-name-error' : undefined}
            data-testid="template-name"
          />
          {errors.name ? (
            <p id="template-name-error" className="field-error" role="alert" data-testid="template-name-error">
              {errors.name}
            </p>
          ) : null}
        </div>
        <div className="dialog-field">
          <div className="field-label-row spread">
            <label className="field-label" htmlFor="template-text">
              Text
            </label>
            <button type="button" className="btn btn-ghost btn-sm" onClick={insertSlot} data-testid="template-insert-slot">
              Insert <code>{'{prompt}'}</code>
            </button>
          </div>
          <textarea
            ref={textRef}
            id="template-text"
            className={errors.text ? 'textarea has-error' : 'textarea'}
            rows={4}
            value={text}
            maxLength={4000}
            onChange={(e) => {
              setText(e.target.value);
              setErrors((x) => ({ ...x, text: undefined }));
            }}
            aria-invalid={errors.text ? true : undefined}
            aria-describedby={errors.text ? 'template-text-error' : 'template-text-hint'}
            data-testid="template-text"
          />
          {errors.text ? (
            <p id="template-text-error" className="field-error" role="alert" data-testid="template-text-error">
              {errors.text}
            </p>
          ) : (
            <p id="template-text-hint" className="field-hint">
              <code>{'{prompt}'}</code> is where your prompt goes, e.g. <em>watercolor painting of {'{prompt}'}, soft edges</em>.
            </p>
          )}
        </div>
        {errors.other ? (
          <p className="field-error" role="alert" data-testid="template-error">
            {errors.other}
          </p>
        ) : null}
        <div className="dialog-actions">
          {editing ? (
            confirmDelete ? (
              <span className="confirm-delete" role="group" aria-label="Confirm delete">
                <span className="small">Delete this style?</span>
                <button type="button" className="btn btn-danger btn-sm" disabled={busy} onClick={() => void doDelete()} data-testid="template-delete-confirm">
                  Delete
                </button>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirmDelete(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button type="button" className="btn btn-ghost btn-danger-text" disabled={busy} onClick={() => setConfirmDelete(true)} data-testid="template-delete">
                <TrashIcon size={14} />
                Delete
              </button>
            )
          ) : null}
          <span className="spacer" />
          <button type="button" className="btn" onClick={onClose} data-testid="template-cancel">
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="template-save">
            {busy ? 'Saving…' : editing ? 'Save' : 'Create'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
