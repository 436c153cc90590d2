// Handlers for templates.* (src-shared/contract/templates.ts).
import type { templatesCalls } from '@shared/contract/templates';
import type { HandlersFor } from '../api/handlers-type';
import type { TemplatesService } from './templates-service';

export function templatesHandlers(templates: TemplatesService) {
  return {
    'templates.list': () => templates.list(),
    'templates.save': (t) => templates.save(t),
    'templates.delete': ({ id }) => ({ deleted: templates.delete(id) }),
    'templates.apply': ({ id, prompt }) => ({ text: templates.apply(id, prompt) }),
  } satisfies HandlersFor<keyof typeof templatesCalls>;
}
