// What the gallery does to images: favourite (optimistic, put back on failure), delete with
// Undo, and Remix / Re-run (the image's parameters into the Generate draft).
import { useCallback } from 'react';
import type { GalleryImage, PresetsView } from '@shared/contract';
import { applyToDraft, hasParameters } from '../../handoffs/remix';
import { navigate } from '../../stores/router';
import { notify, reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import type { GalleryData } from './use-gallery';

export function useGalleryActions(p: {
  data: GalleryData;
  total: number;
  presets: PresetsView | null;
  selected: ReadonlySet<string>;
  focusIndex: number;
  setSelected(s: Set<string>): void;
  setOpenIndex(i: number | null): void;
  loadFacets(): void;
}) {
  const { data, total, presets, selected, focusIndex, setSelected, setOpenIndex, loadFacets } = p;

  /** The selection, or else the focused image. */
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
    [data, loadFacets, setSelected],
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
        rerun ? `${what} Press Generate to make it again.` : what,
        'success',
      );
    },
    [presets, setOpenIndex],
  );

  return { targetIds, setFavourite, toggleFavourite, deleteImages, remix };
}
