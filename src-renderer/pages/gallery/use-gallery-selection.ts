// The gallery's selection, keyboard focus and open image (by index in the current search):
// click / Shift / Ctrl selection from an anchor, reset when the search changes, and clamped
// when images go away.
import { useCallback, useRef, useState, type MouseEvent } from 'react';
import type { GalleryData } from './use-gallery';

interface Modifiers {
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

export function useGallerySelection(data: GalleryData, queryKey: string) {
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const anchor = useRef(0);
  const [rawFocus, setFocusIndex] = useState(0);
  const [rawOpen, setOpenIndex] = useState<number | null>(null);
  // A new search starts with nothing selected, at the top.
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
    (index: number, e: MouseEvent) => {
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

  /** Space: the focused image in or out of the selection (it becomes the anchor). */
  const toggleFocused = useCallback(() => {
    const img = data.at(focusIndex);
    if (!img) return;
    const s = new Set(selected);
    if (s.has(img.id)) s.delete(img.id);
    else s.add(img.id);
    anchor.current = focusIndex;
    setSelected(s);
  }, [data, focusIndex, selected]);

  /** Ctrl/Cmd+A: every image of the search that is loaded. */
  const selectAll = useCallback(
    (total: number) => {
      const s = new Set<string>();
      for (let i = 0; i < total; i++) {
        const x = data.at(i);
        if (x) s.add(x.id);
      }
      setSelected(s);
    },
    [data],
  );

  /** The focus moved to `next` by key: Shift selects from the anchor, a plain move selects it alone, Ctrl/Cmd only moves. */
  const moveFocus = useCallback(
    (next: number, e: Modifiers) => {
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
    [data],
  );

  return { selected, setSelected, focusIndex, setFocusIndex, openIndex, setOpenIndex, onPointer, toggleFocused, selectAll, moveFocus };
}
