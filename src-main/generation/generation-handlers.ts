// Handlers for the generation capability (src-preload/contract/generation.ts).
import type { generationCalls } from '../../src-preload/contract/generation';
import type { HandlersFor } from '../api/handlers-type';
import type { Studio } from '../studio';

export function generationHandlers(studio: Studio) {
  return {
    'generation.submit': (req) => studio.generation.submit(req),
    'generation.runtimes': () => studio.runtimes.list(),
  } satisfies HandlersFor<keyof typeof generationCalls>;
}
