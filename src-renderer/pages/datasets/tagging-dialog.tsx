// PLACEHOLDER owned by the tagging helper (auto-captioning): replace this file with the real
// dialog, keeping the export name and props (the Datasets page mounts it as is).
import type { ReactElement } from 'react';

export interface TaggingDialogProps {
  /** The dataset to caption. */
  dataset: string;
  /** Files selected in the caption grid (empty = the whole dataset). */
  selection: readonly string[];
  onClose(): void;
  /** Captions were changed: the page reloads its items. */
  onChanged(): void;
}

export function TaggingDialog(props: TaggingDialogProps): ReactElement {
  return (
    <div role="dialog" aria-label="Auto-caption" className="ds-dialog" data-testid="tagging-dialog">
      <p>Auto-captioning for {props.dataset} is not available in this build yet.</p>
      <button type="button" className="btn" onClick={props.onClose}>
        Close
      </button>
    </div>
  );
}
