// The tagging.* calls: thin wrappers over the TaggingService (requests arrive parsed).
import type { taggingCalls } from '@shared/contract/tagging';
import type { HandlersFor } from '../../api/handlers-type';
import type { TaggingService } from './tagging-service';

export function taggingHandlers(tagging: TaggingService) {
  return {
    'tagging.defaults': () => tagging.defaults(),
    'tagging.estimate': (req) => tagging.estimate(req),
    'tagging.start': (req) => tagging.start(req),
    'tagging.results': ({ jobId }) => tagging.results(jobId),
    'tagging.runs': ({ dataset, limit }) => tagging.runs(dataset, limit),
    'tagging.undo': ({ jobId, file, force }) => tagging.undo(jobId, file, force),
    'tagging.pause': ({ jobId }) => tagging.pause(jobId, true),
    'tagging.resume': ({ jobId }) => tagging.pause(jobId, false),
  } satisfies HandlersFor<keyof typeof taggingCalls>;
}
