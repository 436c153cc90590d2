// Handlers for jobs.* (src-shared/contract/jobs.ts).
import type { jobsCalls } from '@shared/contract/jobs';
import type { HandlersFor } from '../api/handlers-type';
import type { EventBus } from '../core/event-bus';
import type { JobService } from './job-service';

export function jobsHandlers(jobs: JobService, events: EventBus) {
  return {
    'jobs.list': ({ states, limit }) => jobs.list({ states, limit }),
    'jobs.get': ({ id }) => jobs.get(id),
    'jobs.cancel': ({ id }) => jobs.cancel(id),
    'jobs.queue': ({ lane }) => jobs.queue(lane),
    'jobs.reorder': ({ id, to }) => jobs.reorder(id, to),
    'jobs.clearFinished': () => {
      const removed = jobs.clearFinished();
      events.emit('jobs.cleared', { removed });
      return { removed };
    },
  } satisfies HandlersFor<keyof typeof jobsCalls>;
}
