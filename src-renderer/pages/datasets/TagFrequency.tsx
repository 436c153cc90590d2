// The caption grid's tag frequency panel: click a tag to select the images that have it.
import type { ReactElement } from 'react';

export function TagFrequency(props: { tags: readonly { tag: string; count: number; files: string[] }[]; onSelect(files: string[]): void }): ReactElement {
  const { tags } = props;
  return (
    <aside className="ds-tags" aria-label="Tag frequency" data-testid="ds-tags">
      <h3 className="ds-h3">Tags</h3>
      {tags.length === 0 ? <p className="muted">No comma-separated tags yet.</p> : null}
      <ul>
        {tags.slice(0, 300).map((t) => (
          <li key={t.tag}>
            <button type="button" className="ds-tag" onClick={() => props.onSelect(t.files)} title={`Select the ${t.count} image${t.count === 1 ? '' : 's'} tagged “${t.tag}”`} data-testid="ds-tag">
              <span>{t.tag}</span>
              <span className="muted">{t.count}</span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
