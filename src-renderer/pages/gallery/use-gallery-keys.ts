// The gallery grid's keys: arrows / Page / Home / End move (Shift extends the selection),
// Enter opens, Space toggles, Ctrl/Cmd+A selects all, Esc clears, Delete (or Ctrl/Cmd+
// Backspace) deletes, F favourites.
import { useCallback, type KeyboardEvent } from 'react';
import type { GalleryData } from './use-gallery';
import type { GridLayout } from './VirtualGrid';

export function useGalleryKeys(p: {
  data: GalleryData;
  total: number;
  focusIndex: number;
  selected: ReadonlySet<string>;
  setSelected(s: Set<string>): void;
  setOpenIndex(i: number | null): void;
  toggleFocused(): void;
  selectAll(total: number): void;
  moveFocus(next: number, e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): void;
  targetIds(): string[];
  deleteImages(ids: string[]): void;
  toggleFavourite(ids: string[]): void;
}) {
  const { data, total, focusIndex, selected, setSelected, setOpenIndex, toggleFocused, selectAll, moveFocus, targetIds, deleteImages, toggleFavourite } = p;
  return useCallback(
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
        case ' ':
          e.preventDefault();
          toggleFocused();
          return;
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
          selectAll(total);
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
      moveFocus(next, e);
    },
    [total, focusIndex, data, selected, setSelected, setOpenIndex, toggleFocused, selectAll, moveFocus, deleteImages, targetIds, toggleFavourite],
  );
}
