// Handlers of the local runtime's contract calls (src-shared/contract/local.ts).
import type { HandlersFor } from '../../api/handlers-type';
import type { localCalls } from '@shared/contract/local';
import type { LocalService } from './local-service';
import { knownSchedule } from './schedule';

export function localHandlers(local: LocalService) {
  return {
    'local.models': () => local.models(),
    'local.addModel': ({ path }) => local.addModel(path),
    'local.removeModel': async ({ path }) => ({ removed: await local.removeModel(path) }),
    'local.selectModel': ({ path }) => local.selectModel(path),
    'local.catalog': () => local.requireDownloads().catalog(),
    'local.download': (req) => local.requireDownloads().download(req),
    'local.status': () => local.refreshStatus(),
    'local.unload': async () => ({ unloaded: await local.unload() }),
    'local.schedule': ({ model, steps, width, height }) => {
      const s = knownSchedule(model, steps, width, height);
      return { sigmas: s.sigmas, timesteps: s.timesteps, mu: s.mu };
    },
  } satisfies HandlersFor<keyof typeof localCalls>;
}
