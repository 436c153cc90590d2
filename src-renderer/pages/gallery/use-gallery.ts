// The gallery's data: the search as pages of PAGE_SIZE fetched on demand (only the pages
// the grid shows), facets and sources, all refreshed on gallery.changed.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CallResponse, GalleryImage, GallerySearch } from '@shared/contract';
import { studio } from '../../transport/client';

export const PAGE_SIZE = 200;

export type Facets = CallResponse<'gallery.facets'>;

export interface GalleryData {
  /** null until the first page of the current search answered. */
  total: number | null;
  /** The image at an index, when its page is loaded. */
  at(index: number): GalleryImage | undefined;
  /** Ask for the pages covering [from, to) (cheap when already loaded or in flight). */
  ensure(from: number, to: number): void;
  error: string | null;
  /** Re-read what is shown (after a change, or Try again). */
  refresh(): void;
  /** Replace one image in place (favourite, tags) without a refetch. */
  patch(image: GalleryImage): void;
  /** Bumps whenever loaded data changes, so memoised children re-render. */
  version: number;
}

export function useGallerySearch(query: Omit<GallerySearch, 'offset' | 'limit'>): GalleryData {
  const key = JSON.stringify(query);
  const pages = useRef(new Map<number, GalleryImage[]>());
  const inflight = useRef(new Set<number>());
  const generation = useRef(0);
  const wanted = useRef<[number, number]>([0, PAGE_SIZE]);
  // Kept with the search they answer, so a new search shows "loading" without an effect resetting them.
  const [answer, setAnswer] = useState<{ key: string; total: number | null; error: string | null }>({ key, total: null, error: null });
  const total = answer.key === key ? answer.total : null;
  const error = answer.key === key ? answer.error : null;
  const [version, setVersion] = useState(0);

  const fetchPage = useCallback(
    (page: number, gen: number, replace: boolean) => {
      inflight.current.add(page);
      studio.gallery
        .search({ ...(JSON.parse(key) as GallerySearch), offset: page * PAGE_SIZE, limit: PAGE_SIZE })
        .then(
          (res) => {
            if (gen !== generation.current) return;
            if (replace) pages.current = new Map();
            pages.current.set(page, res.items);
            setAnswer({ key, total: res.total, error: null });
          },
          (err: unknown) => {
            if (gen !== generation.current) return;
            const message = err instanceof Error ? err.message : String(err);
            setAnswer((a) => ({ key, total: a.key === key ? a.total : null, error: message }));
          },
        )
        .finally(() => {
          if (gen !== generation.current) return;
          inflight.current.delete(page);
          setVersion((v) => v + 1);
        });
    },
    [key],
  );

  const ensure = useCallback(
    (from: number, to: number) => {
      wanted.current = [from, to];
      const first = Math.floor(Math.max(0, from) / PAGE_SIZE);
      const last = Math.floor(Math.max(0, to - 1) / PAGE_SIZE);
      for (let p = first; p <= last; p++) {
        if (!pages.current.has(p) && !inflight.current.has(p)) fetchPage(p, generation.current, false);
      }
    },
    [fetchPage],
  );

  /** Drop what is loaded and fetch the pages in view again; the old tiles stay until the first answer. */
  const refresh = useCallback(() => {
    const gen = ++generation.current;
    inflight.current = new Set();
    const [from, to] = wanted.current;
    const first = Math.floor(Math.max(0, from) / PAGE_SIZE);
    const last = Math.max(first, Math.floor(Math.max(0, to - 1) / PAGE_SIZE));
    let replaced = false;
    for (let p = first; p <= last; p++) {
      // The first answer replaces the whole cache; the rest add to it.
      fetchPage(p, gen, !replaced);
      replaced = true;
    }
  }, [fetchPage]);

  // A new search: start over from the top.
  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    inflight.current = new Set();
    wanted.current = [0, PAGE_SIZE];
    fetchPage(0, generation.current, true);
  }, [fetchPage]);

  const at = useCallback((index: number) => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);
  const patch = useCallback((image: GalleryImage) => {
    for (const items of pages.current.values()) {
      const i = items.findIndex((x) => x.id === image.id);
      if (i >= 0) items[i] = image;
    }
    setVersion((v) => v + 1);
  }, []);

  // One object per state, so memoised consumers (the grid's tiles) re-render only when it changes.
  return useMemo(() => ({ total, at, ensure, error, refresh, patch, version }), [total, at, ensure, error, refresh, patch, version]);
}

/** Calls `fn` (debounced) whenever the gallery index changes or the event stream reconnects. */
export function useGalleryChanged(fn: () => void, ms = 250): void {
  const ref = useRef(fn);
  useEffect(() => {
    ref.current = fn;
  });
  useEffect(() => {
    let t: ReturnType<typeof setTimeout> | null = null;
    const fire = () => {
      if (t) clearTimeout(t);
      t = setTimeout(() => ref.current(), ms);
    };
    const off1 = studio.on('gallery.changed', fire);
    const off2 = studio.onReconnect(fire);
    return () => {
      off1();
      off2();
      if (t) clearTimeout(t);
    };
  }, [ms]);
}
