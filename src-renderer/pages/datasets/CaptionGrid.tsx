// The caption grid: a grid of thumbnails with each caption editable in place (autosaved
// after a pause and on leaving the field; every save is one undo step in main), filters,
// a bulk toolbar that works on the selection or everything shown, and the tag-frequency
// panel (click a tag to select the images that have it).
//
// Keys: in a caption, Alt+↓ / Alt+↑ go to the next / previous caption and Esc leaves the
// field; on a card, the arrow keys move, Enter edits, Space selects; Ctrl/Cmd+Z outside a
// text field undoes the last caption change.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import type { BulkOp, Dataset, DatasetItem } from '@shared/contract/datasets';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { BulkCaptionBar } from './BulkCaptionBar';
import { CaptionCard, type SaveState } from './CaptionCard';
import { TagFrequency } from './TagFrequency';

const SAVE_DELAY_MS = 600;
const PAGE = 200;

function splitTags(caption: string): string[] {
  return caption
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0);
}

export function CaptionGrid(props: { dataset: Dataset; items: readonly DatasetItem[]; onReload(): void; onSelectionChange(files: readonly string[]): void }): ReactElement {
  const { dataset, items, onReload, onSelectionChange } = props;
  const name = dataset.name;
  const [captions, setCaptions] = useState<Record<string, string>>({});
  const [state, setState] = useState<Record<string, SaveState>>({});
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [search, setSearch] = useState('');
  // Closed by default so the caption grid starts on screen; opening it keeps the grid's first row in view.
  const [bulkOpen, setBulkOpen] = useState(false);
  const [noCaption, setNoCaption] = useState(false);
  const [hasTag, setHasTag] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const [tags, setTags] = useState<{ tag: string; count: number; files: string[] }[]>([]);
  const [bulkError, setBulkError] = useState<string | null>(null);
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const pending = useRef(new Map<string, string>());
  const gridRef = useRef<HTMLDivElement>(null);

  // Server captions replace local ones, except where an edit is waiting to be saved.
  useEffect(() => {
    setCaptions((cur) => {
      const next: Record<string, string> = {};
      for (const it of items) next[it.file] = pending.current.has(it.file) ? (cur[it.file] ?? '') : (it.caption ?? '');
      return next;
    });
    studio.datasets.tags({ name }).then(setTags, reportError);
  }, [items, name]);

  useEffect(() => onSelectionChange([...selected]), [selected, onSelectionChange]);

  const save = useCallback(
    async (file: string) => {
      const t = timers.current.get(file);
      if (t) clearTimeout(t);
      timers.current.delete(file);
      const text = pending.current.get(file);
      if (text === undefined) return;
      setState((s) => ({ ...s, [file]: 'saving' }));
      try {
        await studio.datasets.setCaption({ name, file, text });
        if (pending.current.get(file) === text) pending.current.delete(file);
        setState((s) => ({ ...s, [file]: pending.current.has(file) ? 'dirty' : 'saved' }));
      } catch (err) {
        setState((s) => ({ ...s, [file]: 'error' }));
        reportError(err);
      }
    },
    [name],
  );

  // Save whatever is pending when the editor goes away.
  useEffect(() => {
    const t = timers.current;
    return () => {
      for (const file of [...t.keys()]) void save(file);
    };
  }, [save]);

  const edit = (file: string, text: string) => {
    setCaptions((c) => ({ ...c, [file]: text }));
    pending.current.set(file, text);
    setState((s) => ({ ...s, [file]: 'dirty' }));
    const old = timers.current.get(file);
    if (old) clearTimeout(old);
    timers.current.set(file, setTimeout(() => void save(file), SAVE_DELAY_MS));
  };

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    const tag = hasTag.trim().toLowerCase();
    return items.filter((it) => {
      const cap = captions[it.file] ?? it.caption ?? '';
      if (noCaption && cap.trim() !== '') return false;
      if (tag && !splitTags(cap).includes(tag)) return false;
      if (q && !cap.toLowerCase().includes(q) && !it.file.toLowerCase().includes(q)) return false;
      return true;
    });
  }, [items, captions, search, noCaption, hasTag]);

  const undo = async () => {
    for (const file of [...timers.current.keys()]) await save(file);
    try {
      const r = await studio.datasets.undo({ name });
      notify(r.undone ? `Undid ${r.undone}` : 'Nothing to undo');
      onReload();
    } catch (err) {
      reportError(err);
    }
  };

  const runBulk = async (op: BulkOp) => {
    setBulkError(null);
    for (const file of [...timers.current.keys()]) await save(file);
    const files = selected.size > 0 ? [...selected] : shown.length < items.length ? shown.map((i) => i.file) : undefined;
    try {
      const r = await studio.datasets.bulk({ name, op, ...(files ? { files } : {}) });
      notify(`Changed ${r.changed.length} of ${r.examined} caption${r.examined === 1 ? '' : 's'}`, 'success', { label: 'Undo', run: () => void undo(), testId: 'ds-bulk-undo' });
      onReload();
    } catch (err) {
      if (err instanceof StudioCallError) setBulkError(err.fieldMessage);
      else reportError(err);
    }
  };

  const toggle = (file: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(file)) n.delete(file);
      else n.add(file);
      return n;
    });

  const columns = () => {
    const g = gridRef.current;
    if (!g) return 1;
    return Math.max(1, getComputedStyle(g).gridTemplateColumns.split(' ').filter((x) => x !== '').length);
  };
  const focusCard = (index: number, field = false) => {
    const el = gridRef.current?.querySelectorAll<HTMLElement>('[data-card]')[index];
    if (!el) return;
    (field ? el.querySelector('textarea') : el)?.focus();
  };
  const onCardKey = (e: KeyboardEvent<HTMLElement>, index: number, file: string) => {
    const inField = (e.target as HTMLElement).tagName === 'TEXTAREA';
    if (inField) {
      if (e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault();
        void save(file);
        focusCard(index + (e.key === 'ArrowDown' ? 1 : -1), true);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        void save(file);
        focusCard(index);
      }
      return;
    }
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns(), ArrowUp: -columns() }[e.key];
    if (step !== undefined) {
      e.preventDefault();
      focusCard(Math.min(shown.length - 1, Math.max(0, index + step)));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      focusCard(index, true);
    } else if (e.key === ' ') {
      e.preventDefault();
      toggle(file);
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      void undo();
    }
  };

  const scope = selected.size > 0 ? `${selected.size} selected` : shown.length < items.length ? `${shown.length} shown` : `all ${items.length}`;
  return (
    <div className="ds-editor">
      <div className="ds-main">
        <div className="ds-filters" role="search">
          <input className="input input-sm" type="search" placeholder="Search captions and names" aria-label="Search captions" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="ds-search" />
          <label className="ds-check">
            <input type="checkbox" checked={noCaption} onChange={(e) => setNoCaption(e.target.checked)} data-testid="ds-filter-nocaption" /> No caption
          </label>
          <input className="input input-sm" placeholder="Has tag" aria-label="Has tag" value={hasTag} onChange={(e) => setHasTag(e.target.value)} list="ds-tag-list" data-testid="ds-filter-tag" />
          <datalist id="ds-tag-list">
            {tags.slice(0, 200).map((t) => (
              <option key={t.tag} value={t.tag} />
            ))}
          </datalist>
          <span className="muted">
            {shown.length} of {items.length}
          </span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setSelected(new Set(shown.map((i) => i.file)))}>
            Select shown
          </button>
          {selected.size > 0 ? (
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setSelected(new Set())} data-testid="ds-clear-selection">
              Clear selection
            </button>
          ) : null}
          <button type="button" className="btn btn-sm" onClick={() => void undo()} data-testid="ds-undo">
            Undo
          </button>
          <button
            type="button"
            className="btn btn-sm ds-bulk-toggle"
            aria-expanded={bulkOpen}
            aria-controls="ds-bulk-panel"
            onClick={() => setBulkOpen(!bulkOpen)}
            data-testid="ds-bulk-toggle"
          >
            Bulk edit {bulkOpen ? '▴' : '▾'}
          </button>
        </div>
        {bulkOpen ? <BulkCaptionBar scope={scope} trigger={dataset.trigger} error={bulkError} onRun={(op) => void runBulk(op)} /> : null}
        {items.length === 0 ? (
          <p className="muted">No training images in this dataset yet: drop some on the page.</p>
        ) : (
          <div className="ds-grid" ref={gridRef} data-testid="ds-grid">
            {shown.slice(0, limit).map((it, index) => (
              <CaptionCard
                key={it.file}
                item={it}
                selected={selected.has(it.file)}
                caption={captions[it.file] ?? ''}
                saveState={state[it.file]}
                onKeyDown={(e) => onCardKey(e, index, it.file)}
                onToggle={() => toggle(it.file)}
                onEdit={(text) => edit(it.file, text)}
                onSave={() => void save(it.file)}
              />
            ))}
          </div>
        )}
        {shown.length > limit ? (
          <button type="button" className="btn" onClick={() => setLimit((l) => l + PAGE)}>
            Show {Math.min(PAGE, shown.length - limit)} more
          </button>
        ) : null}
      </div>
      <TagFrequency tags={tags} onSelect={(files) => setSelected(new Set(files))} />
    </div>
  );
}
