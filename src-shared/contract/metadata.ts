// Generation parameters read from any tool's image files.
import { z } from 'zod';
import { AbsolutePath, ImageParameters, call } from './shapes';

export const metadataCalls = {
  'metadata.read': call({
    summary: 'Read generation parameters from an image (this studio\'s, A1111 `parameters`, ComfyUI `prompt`): by path, or the bytes of a dropped file.',
    request: z
      .object({
        path: AbsolutePath.optional(),
        /** A dropped file's bytes (browser mode), base64; 64 MiB at most. */
        dataBase64: z.string().max(90_000_000).optional(),
      })
      .strict()
      .refine((r) => (r.path === undefined) !== (r.dataBase64 === undefined), 'give exactly one of path and dataBase64'),
    response: ImageParameters,
  }),
} as const;
