// The gallery's search box, filter chips and sort as state, and the search they make.
import { useMemo, useState } from 'react';
import type { GallerySearch } from '@shared/contract';
import { useDebounced } from '../../hooks/use-debounced';

export type DateRange = 'all' | 'today' | '7d' | '30d' | 'custom';
export type Sort = NonNullable<GallerySearch['sort']>;

export interface Filters {
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

export const DATE_LABELS: Record<DateRange, string> = { all: 'Any time', today: 'Today', '7d': '7 days', '30d': '30 days', custom: 'Custom…' };
export const SORT_LABELS: Record<Sort, string> = { newest: 'Newest', oldest: 'Oldest', relevance: 'Best match', largest: 'Largest', name: 'Name' };

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

export function toggle<T>(list: T[], v: T): T[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

export function useGalleryFilters() {
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

  const active = filtersActive(filters, text);
  const clearFilters = () => {
    setText('');
    setFilters(NO_FILTERS);
    setSortChoice(null);
  };

  return { text, setText, settledText, searching, filters, setFilters, sort, setSortChoice, query, active, clearFilters };
}
