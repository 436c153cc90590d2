// Handlers for secrets.* (src-shared/contract/secrets.ts): values go in, never out.
import type { secretsCalls } from '@shared/contract/secrets';
import type { HandlersFor } from '../api/handlers-type';
import type { SecretsService } from './secrets-service';

export function secretsHandlers(secrets: SecretsService) {
  return {
    'secrets.status': () => secrets.overview(),
    'secrets.set': ({ name, value }) => secrets.set(name, value),
    'secrets.clear': ({ name }) => secrets.clear(name),
  } satisfies HandlersFor<keyof typeof secretsCalls>;
}
