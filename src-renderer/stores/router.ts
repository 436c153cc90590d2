// Hash routing: #/generate, #/gallery, #/datasets, #/train, #/pods, #/settings (Alt+1..6 in this order).
import { useSyncExternalStore } from 'react';

export const PAGES = ['generate', 'gallery', 'datasets', 'train', 'pods', 'settings'] as const;
export type PageId = (typeof PAGES)[number];
export const DEFAULT_PAGE: PageId = 'generate';

export function parseHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (PAGES as readonly string[]).includes(id) ? (id as PageId) : DEFAULT_PAGE;
}

export function hrefFor(page: PageId): string {
  return `#/${page}`;
}

export function navigate(page: PageId): void {
  if (parseHash(window.location.hash) === page && window.location.hash !== '') return;
  window.location.hash = `/${page}`;
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useRoute(): PageId {
  return useSyncExternalStore(subscribe, () => parseHash(window.location.hash));
}
