// Prompt templates ("styles"): pick one, see what it makes of the prompt, apply it (undoable).
// Shipped styles are read-only; the user's own can be created, edited and deleted.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactElement, type ReactNode } from 'react';
import type { PromptTemplate } from '@shared/contract';
import { PencilIcon, PlusIcon, TrashIcon } from '../../components/Icons';
import { useDraft } from '../../stores/draft';
import { useTemplates } from './templates-store';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { useDebounced } from '../../hooks/use-debounced';
import { replacePrompt } from './prompt-actions';

type Preview = { key: string; text: string } | { key: string; error: string };

/** The template's text with the prompt marked where it went (when the answer matches the slot). */
function MarkedPreview(props: { template: PromptTemplate; prompt: string; text: string }): ReactNode {
  const parts = props.template.text.split('{prompt}');
  if (parts.length === 2 && props.text === `${parts[0]}${props.prompt}${parts[1]}`) {
    return (
      <>
        {parts[0]}
        <mark className="slot-mark">{props.prompt}</mark>
        {parts[1]}
      </>
    );
  }
  return props.text;
}

export function StylePicker(): ReactElement {
  const templates = useTemplates((s) => s.templates);
  const loaded = useTemplates((s) => s.loaded);
  const listError = useTemplates((s) => s.error);
  const load = useTemplates((s) => s.load);
  const templateId = useDraft((s) => s.templateId);
  const prompt = useDraft((s) => s.prompt);
  const setDraft = useDraft((s) => s.set);
  const [dialog, setDialog] = useState<{ mode: 'new' } | { mode: 'edit'; template: PromptTemplate } | { mode: 'copy'; template: PromptTemplate } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  const selected = templates.find((t) => t.id === templateId) ?? null;
  const shipped = templates.filter((t) => t.builtin);
  const own = templates.filter((t) => !t.builtin);
  const previewKey = useDebounced(selected && prompt.trim() !== '' ? JSON.stringify([selected.id, selected.text, prompt]) : '', 150);

  useEffect(() => {
    if (previewKey === '') return;
    const [id, , text] = JSON.parse(previewKey) as [string, string, string];
    let live = true;
    studio.templates.apply({ id, prompt: text }).then(
      (res) => {
        if (live) setPreview({ key: previewKey, text: res.text });
      },
      (err: unknown) => {
        if (live) setPreview({ key: previewKey, error: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [previewKey]);

  const shown = preview && previewKey !== '' && preview.key === previewKey ? preview : null;
  const empty = prompt.trim() === '';

  async function apply(): Promise<void> {
    if (!selected) return;
    try {
      const res = await studio.templates.apply({ id: selected.id, prompt });
      replacePrompt(res.text, `Applied the style “${selected.name}”`);
    } catch (err) {
      reportError(err);
    }
  }

  return (
    <div className="style-picker" data-testid="style-picker">
      <div className="style-row">
        <label className="field-label" htmlFor="style-select">
          Style
        </label>
        <select
          id="style-select"
          className="select"
          value={selected?.id ?? ''}
          onChange={(e) => setDraft({ templateId: e.target.value === '' ? null : e.target.value })}
          disabled={!loaded && templates.length === 0}
          data-testid="style-select"
        >
          <option value="">{loaded ? 'No style' : 'Loading styles…'}</option>
          {shipped.length > 0 ? (
            <optgroup label="Shipped (read-only)">
              {shipped.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </optgroup>
          ) : null}
          {own.length > 0 ? (
            <optgroup label="Your styles">
              {own.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </optgroup>
          ) : null}
        </select>
        <button
          type="button"
          className="btn"
          disabled={!selected || empty}
          title={!selected ? 'Choose a style first' : empty ? 'Write a prompt first: the style wraps it' : 'Put your prompt into this style'}
          onClick={() => void apply()}
          data-testid="style-apply"
        >
          Apply
        </button>
        {selected?.builtin ? (
          <button
            type="button"
            className="btn btn-ghost"
            title="Shipped styles are read-only: make your own copy to change it"
            onClick={() => setDialog({ mode: 'copy', template: selected })}
            data-testid="style-duplicate"
          >
            <PencilIcon size={14} />
            Copy…
          </button>
        ) : selected ? (
          <button type="button" className="btn btn-ghost" onClick={() => setDialog({ mode: 'edit', template: selected })} data-testid="style-edit">
            <PencilIcon size={14} />
            Edit…
          </button>
        ) : null}
        <button type="button" className="btn btn-ghost" onClick={() => setDialog({ mode: 'new' })} data-testid="style-new">
          <PlusIcon size={14} />
          New…
        </button>
      </div>
      {listError ? (
        <p className="field-error" role="alert" data-testid="style-list-error">
          Can’t load styles: {listError}
        </p>
      ) : null}
      {selected ? (
        <div className="style-preview" data-testid="style-preview">
          <div className="style-preview-head">
            <span className="muted small">{empty ? 'Template' : 'Preview'}</span>
            {selected.builtin ? (
              <span className="tag" data-testid="style-builtin">
                shipped · read-only
              </span>
            ) : (
              <span className="tag is-accent" data-testid="style-own">
                your style
              </span>
            )}
          </div>
          <p className="style-preview-text" data-testid="style-preview-text">
            {empty ? (
              selected.text
            ) : shown && 'text' in shown ? (
              <MarkedPreview template={selected} prompt={prompt} text={shown.text} />
            ) : shown && 'error' in shown ? (
              <span className="field-error">{shown.error}</span>
            ) : (
              <span className="muted">{selected.text}</span>
            )}
          </p>
        </div>
      ) : null}
      {dialog ? (
        <TemplateDialog
          key={dialog.mode === 'new' ? 'new' : `${dialog.mode}-${dialog.template.id}`}
          initial={
            dialog.mode === 'new'
              ? { name: '', text: '{prompt}, ' }
              : dialog.mode === 'copy'
                ? { name: `${dialog.template.name} (copy)`, text: dialog.template.text }
                : { id: dialog.template.id, name: dialog.template.name, text: dialog.template.text }
          }
          onClose={() => setDialog(null)}
          onSaved={(t) => setDraft({ templateId: t.id })}
          onDeleted={() => setDraft({ templateId: null })}
        />
      ) : null}
    </div>
  );
}

function TemplateDialog(props: {
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
