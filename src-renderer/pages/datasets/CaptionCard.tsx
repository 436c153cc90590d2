// One image in the caption grid: thumbnail, selection, size, warnings, its caption editable
// in place, and whether that caption is saved.
import type { KeyboardEvent, ReactElement } from 'react';
import { WARNING_SEVERITY, type DatasetItem, type WarningCode } from '@shared/contract/datasets';
import { studio } from '../../transport/client';

const WARNING_TEXT: Record<WarningCode, string> = {
  too_small: 'too small to train',
  small: 'below resolution',
  aspect: 'extreme aspect',
  near_duplicate: 'near-duplicate',
  no_caption: 'no caption',
  orphan_caption: 'orphan caption',
};

export type SaveState = 'dirty' | 'saving' | 'saved' | 'error';

export function CaptionCard(props: {
  item: DatasetItem;
  selected: boolean;
  caption: string;
  saveState: SaveState | undefined;
  onKeyDown(e: KeyboardEvent<HTMLElement>): void;
  onToggle(): void;
  onEdit(text: string): void;
  onSave(): void;
}): ReactElement {
  const it = props.item;
  const st = props.saveState;
  return (
    <article
      className={props.selected ? 'ds-card is-selected' : 'ds-card'}
      tabIndex={0}
      data-card
      data-file={it.file}
      data-testid="ds-card"
      aria-label={it.file}
      aria-keyshortcuts="Space Enter"
      onKeyDown={props.onKeyDown}
    >
      <div className="ds-thumb">
        {it.thumb ? <img src={studio.mediaUrl('thumbs', it.thumb)} alt="" loading="lazy" /> : <span className="muted">no preview</span>}
        <input type="checkbox" className="ds-select" aria-label={`Select ${it.file}`} checked={props.selected} onChange={props.onToggle} tabIndex={-1} />
      </div>
      <div className="ds-card-head">
        <span className="ds-file" title={it.file}>
          {it.file}
        </span>
        <span className="muted">{it.width && it.height ? `${it.width}×${it.height}` : ''}</span>
      </div>
      {it.warnings.length > 0 ? (
        <div className="ds-badges">
          {it.warnings.map((w) => (
            <span key={w} className={`ds-badge is-${WARNING_SEVERITY[w]}`}>
              {WARNING_TEXT[w]}
            </span>
          ))}
        </div>
      ) : null}
      <textarea
        className="input ds-caption"
        aria-label={`Caption for ${it.file}`}
        value={props.caption}
        placeholder="No caption"
        rows={3}
        onChange={(e) => props.onEdit(e.target.value)}
        onBlur={props.onSave}
        data-testid="ds-caption"
      />
      <span className={`ds-save-state is-${st ?? 'idle'}`} aria-live="polite" data-testid="ds-save-state">
        {st === 'dirty' ? 'Editing…' : st === 'saving' ? 'Saving…' : st === 'saved' ? 'Saved' : st === 'error' ? 'Not saved' : ''}
      </span>
    </article>
  );
}
