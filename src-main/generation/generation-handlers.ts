// Handlers for the generation capability (src-shared/contract/generation.ts): presets,
// resolving a draft, generation jobs and the runtimes they run on.
import type { generationCalls } from '@shared/contract/generation';
import type { HandlersFor } from '../api/handlers-type';
import type { PresetsService } from './presets-service';
import type { RuntimeRegistry } from './runtime-registry';
import type { GenerationService } from './generation-service';

export function generationHandlers(presets: PresetsService, generation: GenerationService, runtimes: RuntimeRegistry) {
  return {
    'presets.get': () => presets.view(),
    'generation.resolve': (req) => generation.resolve(req),
    'generation.submit': (req) => generation.submit(req),
    'generation.runtimes': () => runtimes.list(),
  } satisfies HandlersFor<keyof typeof generationCalls>;
}
