// Crop or fit for the gallery's thumbnails, remembered in this browser (a view preference, not a setting).
import { useCallback, useState } from 'react';
import type { TileFit } from './GalleryTile';

const KEY = 'flux-studio.gallery.fit';

function read(): TileFit {
  try {
    return localStorage.getItem(KEY) === 'crop' ? 'crop' : 'fit';
  } catch {
    return 'fit';
  }
}

export function useTileFit(): [TileFit, (fit: TileFit) => void] {
  const [fit, setFitState] = useState<TileFit>(read);
  const setFit = useCallback((f: TileFit) => {
    setFitState(f);
    try {
      localStorage.setItem(KEY, f);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, []);
  return [fit, setFit];
}
