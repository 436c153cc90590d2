// The Gallery: every indexed image in a virtualized grid, searchable and filterable, with a
// detail view (parameters, Remix/Re-run into Generate, favourite, tags, delete with undo)
// and bulk actions on a selection (favourite, delete, export with progress).
import { memo, useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactElement } from 'react';
import type { GalleryImage, GallerySearch } from '@shared/contract';
import { EmptyState, PageHeader, ProgressBar } from '../../components/Controls';
import { ArrowRightIcon, CloseIcon, GalleryIcon, ImageOffIcon, SearchIcon, StarIcon } from '../../components/Icons';
import { useAppInfo } from '../../stores/app-info';
import { isActive, useJobs } from '../../stores/jobs';
import { usePresets } from '../../stores/presets';
import { navigate } from '../../stores/router';
import { useSettings } from '../../stores/settings';
import { notify, reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { useDebounced } from '../../hooks/use-debounced';
import { DetailView } from './DetailView';
import { applyToDraft, hasParameters } from '../../handoffs/remix';
import { AddFolderForm, SourcesMenu } from './SourcesMenu';
import { useGalleryChanged, useGallerySearch, type Facets } from './use-gallery';
import { VirtualGrid, type GridLayout } from './VirtualGrid';

type DateRange = 'all' | 'today' | '7d' | '30d' | 'custom';
type Sort = NonNullable<GallerySearch['sort']>;

interface Filters {
  models: string[];
  runtimes: ('local' | 'remote' | 'unknown')[];
  date: DateRange;
  customFrom: string;
  customTo: string;
  favourite: boolean;
  minSide: number;
  tags: string[];
}
const NO_FILTERS: Filters = { models: [], runtimes: [], date: 'all', customFrom: '', customTo: '', favourite: false, minSide: 0, tags: [] };

const DATE_LABELS: Record<DateRange, string> = { all: 'Any time', today: 'Today', '7d': '7 days', '30d': '30 days', custom: 'Custom…' };
const SORT_LABELS: Record<Sort, string> = { newest: 'Newest', oldest: 'Oldest', relevance: 'Best match', largest: 'Largest', name: 'Name' };

function dayStart(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

function dateBounds(f: Filters): { from?: string; to?: string } {
  const now = new Date();
  switch (f.date) {
    case 'all':
      return {};
    case 'today':
      return { from: dayStart(now).toISOString() };
    case '7d':
      return { from: new Date(dayStart(now).getTime() - 6 * 86_400_000).toISOString() };
    case '30d':
      return { from: new Date(dayStart(now).getTime() - 29 * 86_400_000).toISOString() };
    case 'custom': {
      const out: { from?: string; to?: string } = {};
      const a = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.customFrom);
      const b = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.customTo);
      if (a) out.from = new Date(Number(a[1]), Number(a[2]) - 1, Number(a[3])).toISOString();
      if (b) out.to = new Date(Number(b[1]), Number(b[2]) - 1, Number(b[3]) + 1).toISOString();
      return out;
    }
  }
}

function filtersActive(f: Filters, text: string): boolean {
  return (
    text.trim() !== '' || f.models.length > 0 || f.runtimes.length > 0 || f.date !== 'all' || f.favourite || f.minSide > 0 || f.tags.length > 0
  );
}

function toggle<T>(list: T[], v: T): T[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

function Chip(props: { on: boolean; onClick(): void; children: React.ReactNode; testId?: string; title?: string; count?: number }): ReactElement {
  return (
    <button type="button" className={props.on ? 'chip is-on' : 'chip'} aria-pressed={props.on} onClick={props.onClick} data-testid={props.testId} title={props.title}>
      {props.children}
      {props.count !== undefined ? <span className="chip-count">{props.count.toLocaleString()}</span> : null}
    </button>
  );
}

const Tile = memo(function Tile(props: {
  index: number;
  image: GalleryImage | undefined;
  style: CSSProperties;
  selected: boolean;
  focused: boolean;
  onPointer(index: number, e: React.MouseEvent): void;
  onOpen(index: number): void;
}): ReactElement {
  const { image } = props;
  const [failedThumb, setFailedThumb] = useState<string | null>(null);
  const thumbFailed = image?.thumbSmall != null && failedThumb === image.thumbSmall;
  if (!image) {
    return <div className="tile is-loading" style={props.style} data-index={props.index} role="option" aria-selected={false} aria-busy="true" tabIndex={-1} />;
  }
  const broken = image.broken ?? (thumbFailed ? 'The thumbnail could not be loaded' : null);
  const cls = ['tile', props.selected ? 'is-selected' : '', props.focused ? 'is-focused' : '', broken ? 'is-broken' : ''].filter(Boolean).join(' ');
  const label = image.params.prompt ?? image.fileName;
  return (
    <div
      className={cls}
      style={props.style}
      role="option"
      aria-selected={props.selected}
      aria-label={`${label}${image.favourite ? ', favourite' : ''}${broken ? ', broken' : ''}`}
      title={broken ? `Broken: ${broken}` : label}
      tabIndex={props.focused ? 0 : -1}
      data-index={props.index}
      data-image-id={image.id}
      data-favourite={image.favourite}
      data-testid="gallery-tile"
      onClick={(e) => props.onPointer(props.index, e)}
      onDoubleClick={() => props.onOpen(props.index)}
    >
      {broken ? (
        <div className="tile-broken" data-testid="gallery-tile-broken">
          <ImageOffIcon size={22} />
          <span>Can’t show this image</span>
        </div>
      ) : image.thumbSmall ? (
        <img src={studio.mediaUrl('thumbs', image.thumbSmall)} alt="" draggable={false} decoding="async" onError={() => setFailedThumb(image.thumbSmall)} />
      ) : (
        <div className="tile-placeholder" data-testid="gallery-tile-placeholder">
          <GalleryIcon size={22} />
          <span>Making thumbnail…</span>
        </div>
      )}
      {image.favourite ? (
        <span className="tile-fav" aria-hidden="true">
          <StarIcon size={14} filled />
        </span>
      ) : null}
      {props.selected ? <span className="tile-check" aria-hidden="true" /> : null}
    </div>
  );
});

export function GalleryPage(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const info = useAppInfo((s) => s.info);
  const presets = usePresets((s) => s.view);
  const loadPresets = usePresets((s) => s.load);
  const isElectron = info?.transport === 'electron';

  const [text, setText] = useState('');
  const settledText = useDebounced(text, 250);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [sortChoice, setSortChoice] = useState<Sort | null>(null);
  const searching = settledText.trim() !== '';
  const sort: Sort = sortChoice === 'relevance' && !searching ? 'newest' : (sortChoice ?? (searching ? 'relevance' : 'newest'));

  const query = useMemo<Omit<GallerySearch, 'offset' | 'limit'>>(() => {
    const q: Omit<GallerySearch, 'offset' | 'limit'> = { sort };
    if (settledText.trim()) q.text = settledText.trim();
    if (filters.models.length) q.models = filters.models;
    if (filters.runtimes.length) q.runtimes = filters.runtimes;
    if (filters.favourite) q.favourite = true;
    if (filters.tags.length) q.tags = filters.tags;
    if (filters.minSide > 0) {
      q.minWidth = filters.minSide;
      q.minHeight = filters.minSide;
    }
    Object.assign(q, dateBounds(filters));
    return q;
  }, [settledText, filters, sort]);

  const data = useGallerySearch(query);
  const total = data.total ?? 0;
  const active = filtersActive(filters, text);

  const [facets, setFacets] = useState<Facets | null>(null);
  const loadFacets = useCallback(() => {
    studio.gallery.facets().then(setFacets, () => undefined);
  }, []);
  useEffect(() => {
    loadFacets();
    void loadPresets();
  }, [loadFacets, loadPresets]);
  useGalleryChanged(() => {
    data.refresh();
    loadFacets();
  });

  // ---- selection, focus, detail ----
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const anchor = useRef(0);
  const [rawFocus, setFocusIndex] = useState(0);
  const [rawOpen, setOpenIndex] = useState<number | null>(null);
  // A new search starts with nothing selected, at the top.
  const queryKey = JSON.stringify(query);
  const [shownQuery, setShownQuery] = useState(queryKey);
  if (shownQuery !== queryKey) {
    setShownQuery(queryKey);
    setSelected(new Set());
    setFocusIndex(0);
    setOpenIndex(null);
  }
  // Images went away (delete, filter): stay on the last one.
  const focusIndex = data.total !== null && rawFocus >= data.total ? Math.max(0, data.total - 1) : rawFocus;
  const openIndex = data.total !== null && rawOpen !== null && rawOpen >= data.total ? (data.total > 0 ? data.total - 1 : null) : rawOpen;

  const onPointer = useCallback(
    (index: number, e: React.MouseEvent) => {
      const img = data.at(index);
      if (!img) return;
      setFocusIndex(index);
      if (e.shiftKey) {
        const [a, b] = [Math.min(anchor.current, index), Math.max(anchor.current, index)];
        const next = e.ctrlKey || e.metaKey ? new Set(selected) : new Set<string>();
        for (let i = a; i <= b; i++) {
          const x = data.at(i);
          if (x) next.add(x.id);
        }
        setSelected(next);
      } else if (e.ctrlKey || e.metaKey) {
        const next = new Set(selected);
        if (next.has(img.id)) next.delete(img.id);
        else next.add(img.id);
        anchor.current = index;
        setSelected(next);
      } else {
        anchor.current = index;
        setSelected(new Set([img.id]));
      }
    },
    [data, selected],
  );

  // ---- actions ----
  const targetIds = useCallback((): string[] => {
    if (selected.size > 0) return [...selected];
    const img = data.at(focusIndex);
    return img ? [img.id] : [];
  }, [selected, data, focusIndex]);

  const setFavourite = useCallback(
    (images: GalleryImage[], favourite: boolean) => {
      if (images.length === 0) return;
      for (const img of images) data.patch({ ...img, favourite });
      studio.gallery.setFavourite({ ids: images.map((i) => i.id), favourite }).then(
        () => loadFacets(),
        (err: unknown) => {
          for (const img of images) data.patch(img);
          reportError(err);
        },
      );
    },
    [data, loadFacets],
  );
  const toggleFavourite = useCallback(
    (ids: string[]) => {
      const known = new Map<string, GalleryImage>();
      for (let i = 0; i < total && known.size < ids.length; i++) {
        const x = data.at(i);
        if (x && ids.includes(x.id)) known.set(x.id, x);
        if (i > 20_000) break;
      }
      const images = [...known.values()];
      const allFav = images.length > 0 && images.every((i) => i.favourite);
      setFavourite(images, !allFav);
    },
    [data, total, setFavourite],
  );

  const deleteImages = useCallback(
    (ids: string[]) => {
      if (ids.length === 0) return;
      studio.gallery.delete({ ids }).then(({ deleted, undoToken }) => {
        setSelected(new Set());
        data.refresh();
        loadFacets();
        notify(`Moved ${deleted} image${deleted === 1 ? '' : 's'} to the trash.`, 'info', {
          label: 'Undo',
          testId: 'gallery-undo-delete',
          run: () => {
            studio.gallery.undoDelete({ undoToken }).then(({ restored }) => {
              notify(`Put back ${restored} image${restored === 1 ? '' : 's'}.`, 'success');
              data.refresh();
              loadFacets();
            }, reportError);
          },
        });
      }, reportError);
    },
    [data, loadFacets],
  );

  const remix = useCallback(
    (img: GalleryImage, rerun: boolean) => {
      if (!hasParameters(img.params)) {
        notify('This image has no generation parameters stored with it: nothing to load into Generate.', 'error');
        return;
      }
      const { loaded, notes } = applyToDraft(img.params, presets);
      setOpenIndex(null);
      navigate('generate');
      const what = `Loaded ${loaded.join(', ')} into Generate${notes.length ? ` (${notes.join('; ')})` : ''}.`;
      notify(
        rerun ? `${what} Re-running needs a runtime: generation is not connected yet, so press Generate once a GPU is set up.` : what,
        'success',
      );
    },
    [presets],
  );

  // ---- export ----
  const [exportJobId, setExportJobId] = useState<string | null>(null);
  const exportJob = useJobs((s) => (exportJobId ? s.jobs.find((j) => j.id === exportJobId) : undefined));
  const [exportPath, setExportPath] = useState<string | null>(null);
  const startExport = useCallback(
    async (folder?: string) => {
      const ids = [...selected];
      if (ids.length === 0) return;
      let target = folder?.trim() ?? '';
      if (!target && info?.canPickFolders) {
        const picked = await studio.app.pickFolder({ title: `Export ${ids.length} image${ids.length === 1 ? '' : 's'} to…` });
        if (!picked.supported || !picked.path) return;
        target = picked.path;
      }
      if (!target) {
        setExportPath('');
        return;
      }
      const job = await studio.gallery.export({ ids, folder: target });
      useJobs.getState().merge(job);
      setExportJobId(job.id);
      setExportPath(null);
    },
    [selected, info],
  );
  const lastExportState = useRef<string | null>(null);
  useEffect(() => {
    if (!exportJob || lastExportState.current === `${exportJob.id}:${exportJob.state}`) return;
    lastExportState.current = `${exportJob.id}:${exportJob.state}`;
    if (exportJob.state === 'succeeded') notify('Export finished.', 'success');
    else if (exportJob.state === 'failed') notify(`Export failed: ${exportJob.error?.message ?? 'unknown error'}`, 'error');
  }, [exportJob]);

  // ---- keyboard ----
  const onGridKey = useCallback(
    (e: KeyboardEvent<HTMLDivElement>, layout: GridLayout & { rowsInView: number }) => {
      if (e.altKey) return;
      const last = total - 1;
      let next = -1;
      switch (e.key) {
        case 'ArrowRight':
          next = Math.min(last, focusIndex + 1);
          break;
        case 'ArrowLeft':
          next = Math.max(0, focusIndex - 1);
          break;
        case 'ArrowDown':
          next = Math.min(last, focusIndex + layout.cols);
          break;
        case 'ArrowUp':
          next = Math.max(0, focusIndex - layout.cols);
          break;
        case 'PageDown':
          next = Math.min(last, focusIndex + layout.cols * layout.rowsInView);
          break;
        case 'PageUp':
          next = Math.max(0, focusIndex - layout.cols * layout.rowsInView);
          break;
        case 'Home':
          next = 0;
          break;
        case 'End':
          next = last;
          break;
        case 'Enter':
          e.preventDefault();
          if (data.at(focusIndex)) setOpenIndex(focusIndex);
          return;
        case ' ': {
          e.preventDefault();
          const img = data.at(focusIndex);
          if (!img) return;
          const s = new Set(selected);
          if (s.has(img.id)) s.delete(img.id);
          else s.add(img.id);
          anchor.current = focusIndex;
          setSelected(s);
          return;
        }
        case 'Delete':
        case 'Backspace':
          if (e.key === 'Backspace' && !(e.metaKey || e.ctrlKey)) return;
          e.preventDefault();
          deleteImages(targetIds());
          return;
        case 'f':
        case 'F':
          if (e.ctrlKey || e.metaKey) return;
          e.preventDefault();
          toggleFavourite(targetIds());
          return;
        case 'a':
          if (!(e.ctrlKey || e.metaKey)) return;
          e.preventDefault();
          {
            const s = new Set<string>();
            for (let i = 0; i < total; i++) {
              const x = data.at(i);
              if (x) s.add(x.id);
            }
            setSelected(s);
          }
          return;
        case 'Escape':
          if (selected.size > 0) {
            e.preventDefault();
            setSelected(new Set());
          }
          return;
        default:
          return;
      }
      if (next < 0 || total === 0) return;
      e.preventDefault();
      setFocusIndex(next);
      const img = data.at(next);
      if (e.shiftKey) {
        const [a, b] = [Math.min(anchor.current, next), Math.max(anchor.current, next)];
        const s = new Set<string>();
        for (let i = a; i <= b; i++) {
          const x = data.at(i);
          if (x) s.add(x.id);
        }
        setSelected(s);
      } else if (img && !(e.ctrlKey || e.metaKey)) {
        anchor.current = next;
        setSelected(new Set([img.id]));
      }
    },
    [total, focusIndex, data, selected, deleteImages, targetIds, toggleFavourite],
  );

  const renderTile = useCallback(
    (index: number, style: CSSProperties) => {
      const img = data.at(index);
      return (
        <Tile
          // By position: the element stays when its page arrives (an id key remounted it).
          key={index}
          index={index}
          image={img}
          style={style}
          selected={img ? selected.has(img.id) : false}
          focused={index === focusIndex}
          onPointer={onPointer}
          onOpen={setOpenIndex}
        />
      );
    },
    // data.version: re-render tiles when pages arrive or an image changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data, data.version, selected, focusIndex, onPointer],
  );

  const openImage = openIndex !== null ? data.at(openIndex) : undefined;
  useEffect(() => {
    if (openIndex !== null && !openImage) data.ensure(openIndex, openIndex + 1);
  }, [openIndex, openImage, data]);
  const moveOpen = (delta: number) => {
    if (openIndex === null) return;
    const n = Math.max(0, Math.min(total - 1, openIndex + delta));
    setOpenIndex(n);
    setFocusIndex(n);
  };
  const closeDetail = () => {
    setOpenIndex(null);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`.vgrid [data-index="${focusIndex}"]`)?.focus({ preventScroll: true }));
  };

  const clearFilters = () => {
    setText('');
    setFilters(NO_FILTERS);
    setSortChoice(null);
  };

  // The most used tags, plus any chosen one that no image has any more (so it can be turned off).
  const tagChips = useMemo(() => {
    const top = facets?.tags.slice(0, 30) ?? [];
    const gone = filters.tags.filter((t) => !top.some((x) => x.value === t)).map((t) => ({ value: t, count: facets?.tags.find((x) => x.value === t)?.count ?? 0 }));
    return [...top, ...gone];
  }, [facets, filters.tags]);

  const noImagesYet = data.total === 0 && !active && !data.error;
  const noResults = data.total === 0 && active;
  const selectedImages = selected.size;
  const exportRunning = exportJob && isActive(exportJob);

  return (
    <div className="page page-gallery" data-testid="page-gallery">
      <PageHeader
        title="Gallery"
        description="Every image the studio makes, with the prompt and settings that made it."
        actions={<SourcesMenu />}
      />

      {noImagesYet ? null : (
      <>
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
          <select className="select select-sm" value={sort} onChange={(e) => setSortChoice(e.target.value as Sort)} data-testid="gallery-sort">
            {(Object.keys(SORT_LABELS) as Sort[])
              .filter((s) => s !== 'relevance' || searching)
              .map((s) => (
                <option key={s} value={s}>
                  {SORT_LABELS[s]}
                </option>
              ))}
          </select>
        </label>
        <span className="gallery-count" aria-live="polite" data-testid="gallery-count">
          {data.total === null ? '…' : `${total.toLocaleString()} image${total === 1 ? '' : 's'}`}
        </span>
      </div>

      <div className="chips" role="group" aria-label="Filters" data-testid="gallery-filters">
        <Chip on={filters.favourite} onClick={() => setFilters({ ...filters, favourite: !filters.favourite })} testId="filter-favourites" count={facets?.favourites}>
          <StarIcon size={13} filled={filters.favourite} /> Favourites
        </Chip>
        <span className="chip-sep" aria-hidden="true" />
        {(Object.keys(DATE_LABELS) as DateRange[]).map((d) => (
          <Chip key={d} on={filters.date === d} onClick={() => setFilters({ ...filters, date: d })} testId={`filter-date-${d}`}>
            {DATE_LABELS[d]}
          </Chip>
        ))}
        {facets && facets.models.length > 0 ? <span className="chip-sep" aria-hidden="true" /> : null}
        {facets?.models.map((m) => (
          <Chip
            key={m.value}
            on={filters.models.includes(m.value)}
            onClick={() => setFilters({ ...filters, models: toggle(filters.models, m.value) })}
            testId={`filter-model-${m.value}`}
            count={m.count}
          >
            {m.value}
          </Chip>
        ))}
        {facets && facets.runtimes.length > 1 ? <span className="chip-sep" aria-hidden="true" /> : null}
        {facets && facets.runtimes.length > 1
          ? facets.runtimes.map((r) => (
              <Chip
                key={r.value}
                on={filters.runtimes.includes(r.value as Filters['runtimes'][number])}
                onClick={() => setFilters({ ...filters, runtimes: toggle(filters.runtimes, r.value as Filters['runtimes'][number]) })}
                testId={`filter-runtime-${r.value}`}
                count={r.count}
              >
                {r.value === 'local' ? 'This machine' : r.value === 'remote' ? 'Remote' : 'Unknown runtime'}
              </Chip>
            ))
          : null}
        <label className="chip-select">
          <span className="muted small">Min size</span>
          <select
            className="select select-sm"
            value={filters.minSide}
            onChange={(e) => setFilters({ ...filters, minSide: Number(e.target.value) })}
            title="Both sides at least this many pixels"
            data-testid="filter-min-size"
          >
            <option value={0}>Any</option>
            <option value={512}>512 px</option>
            <option value={1024}>1024 px</option>
            <option value={2048}>2048 px</option>
          </select>
        </label>
        {tagChips.length ? <span className="chip-sep" aria-hidden="true" /> : null}
        {tagChips.map((t) => (
          <Chip key={t.value} on={filters.tags.includes(t.value)} onClick={() => setFilters({ ...filters, tags: toggle(filters.tags, t.value) })} testId={`filter-tag-${t.value}`} count={t.count}>
            #{t.value}
          </Chip>
        ))}
        {active ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={clearFilters} data-testid="gallery-clear-filters">
            Clear filters
          </button>
        ) : null}
      </div>
      {filters.date === 'custom' ? (
        <div className="date-range" data-testid="filter-date-range">
          <label className="mini-field">
            <span>From</span>
            <input type="date" className="input input-sm" value={filters.customFrom} onChange={(e) => setFilters({ ...filters, customFrom: e.target.value })} data-testid="filter-date-from" />
          </label>
          <label className="mini-field">
            <span>To</span>
            <input type="date" className="input input-sm" value={filters.customTo} onChange={(e) => setFilters({ ...filters, customTo: e.target.value })} data-testid="filter-date-to" />
          </label>
        </div>
      ) : null}
      </>
      )}

      {selectedImages > 0 || exportPath !== null ? (
        <div className="selection-bar" role="toolbar" aria-label="Selected images" data-testid="gallery-selection-bar">
          <span data-testid="gallery-selection-count">
            <strong>{selectedImages.toLocaleString()}</strong> selected
          </span>
          <button type="button" className="btn btn-sm" onClick={() => toggleFavourite([...selected])} data-testid="bulk-favourite">
            <StarIcon size={14} /> Favourite
          </button>
          <button type="button" className="btn btn-sm" onClick={() => void startExport().catch(reportError)} data-testid="bulk-export">
            Export…
          </button>
          <button type="button" className="btn btn-sm btn-danger-text" onClick={() => deleteImages([...selected])} data-testid="bulk-delete">
            Delete
          </button>
          <span className="spacer" />
          <button type="button" className="icon-btn" aria-label="Clear the selection" onClick={() => setSelected(new Set())} data-testid="bulk-clear">
            <CloseIcon size={14} />
          </button>
          {exportPath !== null ? (
            <form
              className="export-form"
              onSubmit={(e) => {
                e.preventDefault();
                void startExport(exportPath).catch(reportError);
              }}
            >
              <input
                className="input input-sm mono"
                placeholder="/path/to/export/folder"
                value={exportPath}
                autoFocus
                onChange={(e) => setExportPath(e.target.value)}
                aria-label="Folder to copy the selected images to"
                data-testid="export-path"
              />
              <button type="submit" className="btn btn-sm btn-primary" disabled={!exportPath.trim()} data-testid="export-start">
                Export here
              </button>
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => setExportPath(null)}>
                Cancel
              </button>
            </form>
          ) : null}
        </div>
      ) : null}

      {exportJob && (exportRunning || exportJob.state !== 'succeeded') ? (
        <div className="export-progress" data-testid="gallery-export-progress">
          <span className="small">
            {exportJob.title}
            {exportJob.progress?.total ? ` · ${exportJob.progress.step} / ${exportJob.progress.total}` : ''}
            {exportJob.state === 'failed' ? ` · failed: ${exportJob.error?.message ?? ''}` : ''}
          </span>
          <ProgressBar fraction={exportJob.progress?.fraction ?? null} label="Export progress" tone={exportJob.state === 'failed' ? 'danger' : 'accent'} />
          {!exportRunning ? (
            <button type="button" className="icon-btn" aria-label="Hide" onClick={() => setExportJobId(null)}>
              <CloseIcon size={14} />
            </button>
          ) : null}
        </div>
      ) : null}

      {data.error ? (
        <div className="callout is-danger" role="alert" data-testid="gallery-error">
          <div>
            <div className="callout-title">Can’t read the gallery</div>
            <p>{data.error}</p>
            <button type="button" className="btn btn-sm" onClick={() => data.refresh()}>
              Try again
            </button>
          </div>
        </div>
      ) : null}

      {noImagesYet || (data.error && data.total === null) ? (
        <EmptyState
          icon={<GalleryIcon size={28} />}
          title="No images yet"
          testId="gallery-empty"
          actions={
            <>
              <button type="button" className="btn btn-primary" onClick={() => navigate('generate')}>
                Go to Generate <ArrowRightIcon />
              </button>
              {isElectron && settings ? (
                <button
                  type="button"
                  className="btn"
                  onClick={() => {
                    studio.app.revealPath({ path: settings.outputDir }).catch(reportError);
                  }}
                >
                  Show output folder
                </button>
              ) : null}
              <button type="button" className="btn btn-ghost" onClick={() => navigate('settings')}>
                Change output folder
              </button>
            </>
          }
        >
          <p>Images you generate are saved to</p>
          <p>
            <code className="path" data-testid="gallery-output-dir">
              {settings?.outputDir ?? '…'}
            </code>
          </p>
          <p>and appear here, newest first, searchable by prompt. Already have images from another tool? Add their folder: they are indexed with the parameters found inside them.</p>
          <div className="empty-add-folder">
            <AddFolderForm testId="gallery-empty-add-folder" />
          </div>
        </EmptyState>
      ) : noResults ? (
        <EmptyState
          icon={<SearchIcon size={28} />}
          title="No images match"
          testId="gallery-no-results"
          actions={
            <button type="button" className="btn btn-primary" onClick={clearFilters} data-testid="gallery-no-results-clear">
              Clear search and filters
            </button>
          }
        >
          <p>{settledText.trim() ? `Nothing matches “${settledText.trim()}” with the filters chosen.` : 'Nothing matches the filters chosen.'}</p>
        </EmptyState>
      ) : data.total === null ? (
        <div className="vgrid-loading" aria-busy="true" data-testid="gallery-loading" />
      ) : (
        <VirtualGrid
          count={total}
          renderTile={renderTile}
          onRange={data.ensure}
          focusIndex={focusIndex}
          onKeyDown={onGridKey}
          label="Images"
          testId="gallery-grid"
          version={data.version}
        />
      )}
      {total > 0 ? (
        <p className="muted small gallery-keys">
          Click to select · Shift/Ctrl-click for more · double-click or Enter opens · arrows move · F favourite · Delete · Space toggles
        </p>
      ) : null}

      {openIndex !== null && openImage ? (
        <DetailView
          key="detail"
          image={openImage}
          index={openIndex}
          total={total}
          canReveal={isElectron}
          canOpen={isElectron}
          onClose={closeDetail}
          onPrev={() => moveOpen(-1)}
          onNext={() => moveOpen(1)}
          onFavourite={() => setFavourite([openImage], !openImage.favourite)}
          onDelete={() => deleteImages([openImage.id])}
          onRemix={() => remix(openImage, false)}
          onRerun={() => remix(openImage, true)}
          onUpdated={(img) => {
            data.patch(img);
            loadFacets();
          }}
        />
      ) : null}
    </div>
  );
}
