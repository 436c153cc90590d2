// Prompt tools: exact CLIP token counts and Claude prompt enhancement.
import { z } from 'zod';
import { EnhanceMode, EnhanceResult, ModelId, PromptText, TokenCount, call } from './shapes';

export const promptCalls = {
  'prompt.tokens': call({
    summary: 'CLIP token ids and count for a prompt, the trimmed text that fits, and the T5 budget.',
    request: z.object({ text: PromptText, model: ModelId.optional() }).strict(),
    response: TokenCount,
  }),
  'prompt.enhance': call({
    summary: 'Ask Claude to expand a prompt; the answer is shown beside the original, never applied silently.',
    request: z
      .object({
        prompt: PromptText.refine((p) => p.trim().length > 0, 'must not be empty'),
        mode: EnhanceMode.optional(),
        trimToClip: z.boolean().optional(),
      })
      .strict(),
    response: EnhanceResult,
  }),
} as const;
