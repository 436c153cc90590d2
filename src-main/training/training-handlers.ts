// Contract handlers for training.* (src-shared/contract/training.ts).
import type { HandlersFor } from '../api/handlers-type';
import { checkToolkit } from './toolkit-check';
import type { TrainingService } from './training-service';
import type { trainingCalls } from '@shared/contract/training';

export function trainingHandlers(t: TrainingService) {
  return {
    'training.options': () => t.options(),
    'training.plan': async (req) => {
      const { config: _config, ...plan } = await t.plan(req);
      return plan;
    },
    'training.validate': ({ yaml }) => t.validate(yaml),
    'training.start': (req) => t.start(req),
    'training.list': () => t.list(),
    'training.get': ({ id }) => t.get(id),
    'training.stop': ({ id }) => t.stop(id),
    'training.resume': ({ id, steps }) => t.resume(id, steps),
    'training.markStopped': ({ id }) => t.markStopped(id),
    'training.sample': ({ id, file }) => ({ dataUrl: t.sampleDataUrl(id, file) }),
    'training.loras': () => t.trainedLoras(),
    'training.checkToolkit': (req) => checkToolkit(req),
  } satisfies HandlersFor<keyof typeof trainingCalls>;
}
