// Prompt templates ("styles"): the shipped ones and the user's own.
import { z } from 'zod';
import { Empty, PromptTemplate, PromptText, call } from './shapes';

export const templatesCalls = {
  'templates.list': call({
    summary: 'Prompt templates: the shipped ones (read-only) and the user\'s own.',
    request: Empty,
    response: z.array(PromptTemplate),
  }),
  'templates.save': call({
    summary: 'Create (no id) or update (id) a user template. The text must contain {prompt}.',
    request: z
      .object({
        id: z.string().min(1).max(64).optional(),
        name: z.string().trim().min(1, 'must not be empty').max(80),
        text: z.string().min(1).max(4000).refine((t) => t.includes('{prompt}'), 'must contain {prompt}'),
      })
      .strict(),
    response: PromptTemplate,
  }),
  'templates.delete': call({
    summary: 'Delete a user template (shipped ones cannot be deleted).',
    request: z.object({ id: z.string().min(1).max(64) }).strict(),
    response: z.object({ deleted: z.boolean() }),
  }),
  'templates.apply': call({
    summary: 'Put a prompt into a template\'s {prompt} slot.',
    request: z.object({ id: z.string().min(1).max(64), prompt: PromptText }).strict(),
    response: z.object({ text: z.string() }),
  }),
} as const;
