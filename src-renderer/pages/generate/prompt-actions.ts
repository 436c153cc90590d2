// Replacing the whole prompt (trim, apply a style, accept an enhancement) in a way the
// user can take back: through the textarea's own editing (so Ctrl+Z undoes it natively)
// and with an explicit "Undo" for the last replacement.
import { create } from 'zustand';
import { useDraft } from '../../stores/draft';

export const PROMPT_ID = 'prompt';

interface UndoEntry {
  /** What happened, e.g. "Trimmed to 75 tokens". */
  label: string;
  previous: string;
  next: string;
}

export const usePromptUndo = create<{ entry: UndoEntry | null }>()(() => ({ entry: null }));

function promptField(): HTMLTextAreaElement | null {
  const el = document.getElementById(PROMPT_ID);
  return el instanceof HTMLTextAreaElement ? el : null;
}

/** Sets the prompt as an edit of the textarea (native undo works), falling back to the store. */
function writePrompt(next: string, focus: boolean): void {
  const field = promptField();
  let done = false;
  if (field && !field.disabled) {
    const active = document.activeElement;
    field.focus({ preventScroll: true });
    field.select();
    try {
      // Deprecated but still the only way to make a programmatic edit part of the native undo stack.
      done = next === '' ? document.execCommand('delete') : document.execCommand('insertText', false, next);
    } catch {
      done = false;
    }
    if (!focus && active instanceof HTMLElement && active !== field) active.focus({ preventScroll: true });
  }
  if (!done || useDraft.getState().prompt !== next) useDraft.getState().set({ prompt: next });
}

/** Replace the prompt and remember the old one for "Undo". */
export function replacePrompt(next: string, label: string, opts: { focus?: boolean } = {}): void {
  const previous = useDraft.getState().prompt;
  if (previous === next) return;
  usePromptUndo.setState({ entry: { label, previous, next } });
  writePrompt(next, opts.focus ?? false);
}

/** Undo the last replacement if the prompt has not been edited since. Returns whether it did. */
export function undoReplace(opts: { focus?: boolean } = {}): boolean {
  const entry = usePromptUndo.getState().entry;
  if (!entry || useDraft.getState().prompt !== entry.next) return false;
  usePromptUndo.setState({ entry: null });
  writePrompt(entry.previous, opts.focus ?? true);
  return true;
}

/** Put the caret at the end of the prompt and focus it (after "Edit"). */
export function focusPromptEnd(): void {
  const field = promptField();
  if (!field) return;
  field.focus();
  const end = field.value.length;
  field.setSelectionRange(end, end);
}
