// Handlers for metadata.* (src-shared/contract/metadata.ts).
import type { ImageParameters } from '@shared/contract';
import type { metadataCalls } from '@shared/contract/metadata';
import type { HandlersFor } from '../api/handlers-type';

/** Reads parameters from a path the studio may read, or from a dropped file's bytes. */
export type MetadataReader = (req: { path?: string; dataBase64?: string }) => Promise<ImageParameters>;

export function metadataHandlers(read: MetadataReader) {
  return {
    'metadata.read': (req) => read(req),
  } satisfies HandlersFor<keyof typeof metadataCalls>;
}
