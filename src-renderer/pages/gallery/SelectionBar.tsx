// The bar over the grid while images are selected: how many, Favourite, Export… (with the
// folder field where folders cannot be picked), Delete and clear the selection.
import type { ReactElement } from 'react';
import { DisabledReason } from '../../components/DisabledReason';
import { CloseIcon, StarIcon } from '../../components/Icons';
import { reportError } from '../../stores/toasts';

export function SelectionBar(props: {
  count: number;
  /** The folder being typed for an export, or null when the field is not shown. */
  exportPath: string | null;
  setExportPath(path: string | null): void;
  onExport(folder?: string): Promise<void>;
  onFavourite(): void;
  onDelete(): void;
  onClear(): void;
}): ReactElement {
  const { exportPath } = props;
  return (
    <div className="selection-bar" role="toolbar" aria-label="Selected images" data-testid="gallery-selection-bar">
      <span data-testid="gallery-selection-count">
        <strong>{props.count.toLocaleString()}</strong> selected
      </span>
      <button type="button" className="btn btn-sm" onClick={props.onFavourite} data-testid="bulk-favourite">
        <StarIcon size={14} /> Favourite
      </button>
      <button type="button" className="btn btn-sm" onClick={() => void props.onExport().catch(reportError)} data-testid="bulk-export">
        Export…
      </button>
      <button type="button" className="btn btn-sm btn-danger-text" onClick={props.onDelete} data-testid="bulk-delete">
        Delete
      </button>
      <span className="spacer" />
      <button type="button" className="icon-btn" aria-label="Clear the selection" onClick={props.onClear} data-testid="bulk-clear">
        <CloseIcon size={14} />
      </button>
      {exportPath !== null ? (
        <form
          className="export-form"
          onSubmit={(e) => {
            e.preventDefault();
            void props.onExport(exportPath).catch(reportError);
          }}
        >
          <input
            className="input input-sm mono"
            placeholder="/path/to/export/folder"
            value={exportPath}
            autoFocus
            onChange={(e) => props.setExportPath(e.target.value)}
            aria-label="Folder to copy the selected images to"
            data-testid="export-path"
          />
          <button type="submit" className="btn btn-sm btn-primary" disabled={!exportPath.trim()} aria-describedby={exportPath.trim() ? undefined : 'export-why'} data-testid="export-start">
            Export here
          </button>
          <DisabledReason id="export-why" testId="export-why" reason={exportPath.trim() ? null : 'Type the folder to copy the images to.'} />
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => props.setExportPath(null)}>
            Cancel
          </button>
        </form>
      ) : null}
    </div>
  );
}
