// The job system: every long-running piece of work is a job with progress, ETA and cancel.
import { z } from 'zod';
import { Empty, JOB_STATES, Job, JobId, JobState, call } from './shapes';

export const jobsCalls = {
  'jobs.list': call({
    summary: 'Jobs, newest first, optionally filtered by state.',
    request: z
      .object({
        states: z.array(JobState).max(JOB_STATES.length).optional(),
        limit: z.number().int().min(1).max(500).optional(),
      })
      .strict(),
    response: z.array(Job),
  }),
  'jobs.get': call({
    summary: 'One job by id.',
    request: z.object({ id: JobId }).strict(),
    response: Job,
  }),
  'jobs.cancel': call({
    summary: 'Cancel a queued or running job (running work stops at its next checkpoint).',
    request: z.object({ id: JobId }).strict(),
    response: Job,
  }),
  'jobs.queue': call({
    summary: 'The queued jobs of one lane (e.g. "training:local") in the order they will run.',
    request: z.object({ lane: z.string().min(1).max(200) }).strict(),
    response: z.array(Job),
  }),
  'jobs.reorder': call({
    summary: 'Move a queued job within its lane: up, down, first, last, or to an index (0 = runs next). Answers the lane’s queue in its new order.',
    request: z
      .object({
        id: JobId,
        to: z.union([z.enum(['up', 'down', 'first', 'last']), z.number().int().min(0).max(10_000)]),
      })
      .strict(),
    response: z.array(Job),
  }),
  'jobs.clearFinished': call({
    summary: 'Remove finished jobs from the list (their outputs stay on disk).',
    request: Empty,
    response: z.object({ removed: z.number().int().min(0) }),
  }),
} as const;
