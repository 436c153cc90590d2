// Handlers for gallery.* (src-shared/contract/gallery.ts).
import type { galleryCalls } from '@shared/contract/gallery';
import type { HandlersFor } from '../api/handlers-type';
import type { GalleryService } from './gallery-service';

export function galleryHandlers(gallery: GalleryService) {
  return {
    'gallery.search': (q) => gallery.search(q),
    'gallery.get': ({ id }) => gallery.get(id),
    'gallery.facets': () => gallery.facets(),
    'gallery.setFavourite': ({ ids, favourite }) => ({ updated: gallery.setFavourite(ids, favourite) }),
    'gallery.setTags': ({ id, tags }) => gallery.setTags(id, tags),
    'gallery.delete': ({ ids }) => gallery.delete(ids),
    'gallery.undoDelete': ({ undoToken }) => ({ restored: gallery.undoDelete(undoToken) }),
    'gallery.export': ({ ids, folder }) => gallery.export(ids, folder),
    'gallery.open': async ({ id }) => ({ supported: await gallery.open(id) }),
    'gallery.sources': () => gallery.sources(),
    'gallery.addSource': ({ path }) => gallery.addSource(path),
    'gallery.removeSource': ({ id }) => ({ removed: gallery.removeSource(id) }),
    'gallery.rescan': () => gallery.rescan(),
  } satisfies HandlersFor<keyof typeof galleryCalls>;
}
