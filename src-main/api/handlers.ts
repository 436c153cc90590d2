// One handler per contract call. Requests arrive already parsed by dispatch; handlers
// only do the work and throw StudioError for the failures a user should read.
import { StudioError } from './studio-error';
import { BACKUP_KIND } from '../maintenance/backup-job';
import { parseExternalUrl } from '../platform/platform';
import type { Studio } from '../studio';
import type { Handlers } from './handlers-type';
import { localHandlers } from '../local/local-handlers';
import { taggingHandlers } from '../datasets/tagging/tagging-handlers';
import { datasetHandlers } from '../datasets/dataset-handlers';
import { trainingHandlers } from '../training/training-handlers';
import { podHandlers } from '../pods/pods-handlers';
import { generationHandlers } from '../generation/generation-handlers';

export function createHandlers(studio: Studio) {
  const { settings, secrets, jobs, platform, logs, info, presets, templates, tokens, enhance, gallery } = studio;
  // `satisfies` (not a return type) keeps the literal keys, so the type-level test compares
  // exactly these keys with the contract's call names.
  return {
    ...taggingHandlers(studio),
    ...datasetHandlers(studio),
    'app.info': () => ({
      ...info,
      transport: platform.transport,
      canPickFolders: platform.canPickFolders,
      logFile: logs.file ?? '',
    }),
    'app.openExternal': async ({ url }) => {
      const parsed = parseExternalUrl(url);
      if (!parsed) throw new StudioError('invalid_input', 'app.openExternal: url: only https: links can be opened', 'url');
      return { opened: await platform.openExternal(parsed) };
    },
    'app.pickFolder': async (req) => {
      if (!platform.canPickFolders) return { supported: false, path: null };
      return { supported: true, path: await platform.pickFolder(req) };
    },
    'app.revealPath': async ({ path }) => {
      if (!studio.isStudioPath(path)) {
        throw new StudioError('forbidden', 'app.revealPath: path: only files in the studio’s own folders can be revealed', 'path');
      }
      return { supported: await platform.revealPath(path) };
    },
    'settings.get': () => settings.get(),
    'settings.update': (patch) => settings.update(patch),
    'settings.reset': ({ keys }) => settings.reset(keys),
    'secrets.status': () => secrets.overview(),
    'secrets.set': ({ name, value }) => secrets.set(name, value),
    'secrets.clear': ({ name }) => secrets.clear(name),
    'jobs.list': ({ states, limit }) => jobs.list({ states, limit }),
    'jobs.get': ({ id }) => jobs.get(id),
    'jobs.cancel': ({ id }) => jobs.cancel(id),
    'jobs.clearFinished': () => {
      const removed = jobs.clearFinished();
      studio.events.emit('jobs.cleared', { removed });
      return { removed };
    },
    'maintenance.backup': () => jobs.submit(BACKUP_KIND, {}),
    'presets.get': () => presets.view(),
    'generation.resolve': (draft) => presets.resolve(draft),
    'prompt.tokens': ({ text, model }) => tokens.count(text, model),
    'prompt.enhance': (req) => enhance.enhance(req),
    'templates.list': () => templates.list(),
    'templates.save': (t) => templates.save(t),
    'templates.delete': ({ id }) => ({ deleted: templates.delete(id) }),
    'templates.apply': ({ id, prompt }) => ({ text: templates.apply(id, prompt) }),
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
    'metadata.read': (req) => gallery.readMetadata(req),
    'logs.recent': ({ limit }) => logs.recentLines(limit ?? 200),
    ...localHandlers(studio),
    ...trainingHandlers(studio),
    ...podHandlers(studio),
    ...generationHandlers(studio),
  } satisfies Handlers;
}
