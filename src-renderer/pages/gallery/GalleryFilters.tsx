// The gallery's filter chips: favourites, date range (with a custom from–to), model, runtime,
// minimum size and the most used tags, and Clear filters when any is on.
import { useMemo, type ReactElement, type ReactNode } from 'react';
import { StarIcon } from '../../components/Icons';
import { DATE_LABELS, toggle, type DateRange, type Filters } from './use-gallery-filters';
import type { Facets } from './use-gallery';

function Chip(props: { on: boolean; onClick(): void; children: ReactNode; testId?: string; title?: string; count?: number }): ReactElement {
  return (
    <button type="button" className={props.on ? 'chip is-on' : 'chip'} aria-pressed={props.on} onClick={props.onClick} data-testid={props.testId} title={props.title}>
      {props.children}
      {props.count !== undefined ? <span className="chip-count">{props.count.toLocaleString()}</span> : null}
    </button>
  );
}

export function GalleryFilters(props: { filters: Filters; setFilters(f: Filters): void; facets: Facets | null; active: boolean; onClear(): void }): ReactElement {
  const { filters, setFilters, facets, active } = props;
  // The most used tags, plus any chosen one that no image has any more (so it can be turned off).
  const tagChips = useMemo(() => {
    const top = facets?.tags.slice(0, 30) ?? [];
    const gone = filters.tags.filter((t) => !top.some((x) => x.value === t)).map((t) => ({ value: t, count: facets?.tags.find((x) => x.value === t)?.count ?? 0 }));
    return [...top, ...gone];
  }, [facets, filters.tags]);

  return (
    <>
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
          <button type="button" className="btn btn-ghost btn-sm" onClick={props.onClear} data-testid="gallery-clear-filters">
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
  );
}
