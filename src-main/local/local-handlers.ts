// Handlers of the local runtime's contract calls (src-preload/contract/local.ts).
import type { HandlersFor } from '../api/handlers-type';
import type { localCalls } from '../../src-preload/contract/local';
import type { Studio } from '../studio';
import { knownSchedule } from './schedule';

export function localHandlers(studio: Studio) {
  const { local } = studio;
  return {
    'local.models': () => local.models(),
    'local.addModel': ({ path }) => local.addModel(path),
    'local.removeModel': async ({ path }) => ({ removed: await local.removeModel(path) }),
    'local.selectModel': ({ path }) => local.selectModel(path),
    'local.status': () => local.refreshStatus(),
    'local.unload': async () => ({ unloaded: await local.unload() }),
    'local.schedule': ({ model, steps, width, height }) => {
      const s = knownSchedule(model, steps, width, height);
      return { sigmas: s.sigmas, timesteps: s.timesteps, mu: s.mu };
    },
  } satisfies HandlersFor<keyof typeof localCalls>;
}
