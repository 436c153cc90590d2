// The gallery: the index of every image in the output folder and added folders.
import { z } from 'zod';
import { AbsolutePath, Empty, GalleryImage, GallerySearch, GallerySource, ImageId, ImageIds, Job, call } from './shapes';

export const galleryCalls = {
  'gallery.search': call({
    summary: 'Full-text search over prompts plus filters and sorts; a page of images and the total.',
    request: GallerySearch,
    response: z.object({ items: z.array(GalleryImage), total: z.number().int(), offset: z.number().int() }),
  }),
  'gallery.get': call({
    summary: 'One image with every parameter.',
    request: z.object({ id: ImageId }).strict(),
    response: GalleryImage,
  }),
  'gallery.facets': call({
    summary: 'What the filter chips can offer: models, tags and runtimes with counts.',
    request: Empty,
    response: z.object({
      models: z.array(z.object({ value: z.string(), count: z.number().int() })),
      tags: z.array(z.object({ value: z.string(), count: z.number().int() })),
      runtimes: z.array(z.object({ value: z.string(), count: z.number().int() })),
      total: z.number().int(),
      favourites: z.number().int(),
    }),
  }),
  'gallery.setFavourite': call({
    summary: 'Mark or unmark images as favourites.',
    request: z.object({ ids: ImageIds, favourite: z.boolean() }).strict(),
    response: z.object({ updated: z.number().int() }),
  }),
  'gallery.setTags': call({
    summary: 'Replace an image\'s user tags.',
    request: z.object({ id: ImageId, tags: z.array(z.string().trim().min(1).max(100)).max(100) }).strict(),
    response: GalleryImage,
  }),
  'gallery.delete': call({
    summary: 'Move images to the trash; undoable in this session with the returned token.',
    request: z.object({ ids: ImageIds }).strict(),
    response: z.object({ deleted: z.number().int(), undoToken: z.string() }),
  }),
  'gallery.undoDelete': call({
    summary: 'Put back the images of a delete (this session only).',
    request: z.object({ undoToken: z.string().min(1).max(100) }).strict(),
    response: z.object({ restored: z.number().int() }),
  }),
  'gallery.export': call({
    summary: 'Copy images to a folder (a job with progress).',
    request: z.object({ ids: ImageIds, folder: AbsolutePath }).strict(),
    response: Job,
  }),
  'gallery.open': call({
    summary: 'Open an image in the system viewer (desktop only).',
    request: z.object({ id: ImageId }).strict(),
    response: z.object({ supported: z.boolean() }),
  }),
  'gallery.sources': call({
    summary: 'The folders the gallery indexes (the output folder always).',
    request: Empty,
    response: z.array(GallerySource),
  }),
  'gallery.addSource': call({
    summary: 'Index and watch another folder of images.',
    request: z.object({ path: AbsolutePath }).strict(),
    response: GallerySource,
  }),
  'gallery.removeSource': call({
    summary: 'Stop indexing a folder (its files stay where they are).',
    request: z.object({ id: z.string().min(1).max(64) }).strict(),
    response: z.object({ removed: z.boolean() }),
  }),
  'gallery.rescan': call({
    summary: 'Scan every source again (a job with progress).',
    request: Empty,
    response: Job,
  }),
} as const;
