// The gallery's search box (↓ goes to the grid), sort and image count.
import type { ReactElement } from 'react';
import { SearchIcon } from '../../components/Icons';
import type { TileFit } from './GalleryTile';
import { SORT_LABELS, type Sort } from './use-gallery-filters';

export function GalleryToolbar(props: {
  text: string;
  setText(text: string): void;
  sort: Sort;
  setSort(sort: Sort): void;
  searching: boolean;
  /** null until the search answered. */
  total: number | null;
  focusIndex: number;
  fit: TileFit;
  setFit(fit: TileFit): void;
}): ReactElement {
  const { text, setText, sort, searching, focusIndex } = props;
  const total = props.total ?? 0;
  return (
    <div className="gallery-toolbar">
      <div className="search-box">
        <SearchIcon size={16} />
        <input
          className="input search-input"
          type="search"
          placeholder="Search prompts…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && text) {
              e.preventDefault();
              setText('');
            } else if (e.key === 'ArrowDown') {
              e.preventDefault();
              document.querySelector<HTMLElement>(`.vgrid [data-index="${focusIndex}"]`)?.focus();
            }
          }}
          aria-label="Search prompts"
          data-testid="gallery-search"
        />
      </div>
      <label className="sort-field">
        <span className="muted small">Sort</span>
        <select className="select select-sm" value={sort} onChange={(e) => props.setSort(e.target.value as Sort)} data-testid="gallery-sort">
          {(Object.keys(SORT_LABELS) as Sort[])
            .filter((s) => s !== 'relevance' || searching)
            .map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
        </select>
      </label>
      <div className="tile-fit" role="group" aria-label="Thumbnails">
        {(['crop', 'fit'] as const).map((f) => (
          <button
            key={f}
            type="button"
            className={props.fit === f ? 'btn btn-sm is-on' : 'btn btn-sm btn-ghost'}
            aria-pressed={props.fit === f}
            title={f === 'crop' ? 'Square crops: more images at once' : 'The whole image, letterboxed'}
            onClick={() => props.setFit(f)}
            data-testid={`gallery-fit-${f}`}
          >
            {f === 'crop' ? 'Crop' : 'Fit'}
          </button>
        ))}
      </div>
      <span className="gallery-count" aria-live="polite" data-testid="gallery-count">
        {props.total === null ? '…' : `${total.toLocaleString()} image${total === 1 ? '' : 's'}`}
      </span>
    </div>
  );
}
