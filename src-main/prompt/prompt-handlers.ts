// Handlers for prompt.* (src-shared/contract/prompt.ts): token counts and enhancement.
import type { promptCalls } from '@shared/contract/prompt';
import type { HandlersFor } from '../api/handlers-type';
import type { EnhanceService } from './enhance-service';
import type { TokenService } from './token-service';

export function promptHandlers(tokens: TokenService, enhance: EnhanceService) {
  return {
    'prompt.tokens': ({ text, model }) => tokens.count(text, model),
    'prompt.enhance': (req) => enhance.enhance(req),
  } satisfies HandlersFor<keyof typeof promptCalls>;
}
