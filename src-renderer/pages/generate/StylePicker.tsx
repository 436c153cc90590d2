// Prompt templates ("styles"): pick one, see what it makes of the prompt, apply it (undoable).
// Shipped styles are read-only; the user's own can be created, edited and deleted.
import { useEffect, useState, type ReactElement, type ReactNode } from 'react';
import type { PromptTemplate } from '@shared/contract';
import { PencilIcon, PlusIcon } from '../../components/Icons';
import { useDebounced } from '../../hooks/use-debounced';
import { useDraft } from '../../stores/draft';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { replacePrompt } from './prompt-actions';
import { TemplateDialog } from './TemplateDialog';
import { useTemplates } from './templates-store';

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
