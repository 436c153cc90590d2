// Secrets (API keys, passphrases): set and cleared here, never read back by the renderer.
import { z } from 'zod';
import { Empty, SecretName, SecretsOverview, call } from './shapes';

export const secretsCalls = {
  'secrets.status': call({
    summary: 'Which secrets are set and where from; never their values.',
    request: Empty,
    response: SecretsOverview,
  }),
  'secrets.set': call({
    summary: 'Store a secret in main. The value never comes back to the renderer.',
    request: z
      .object({
        name: SecretName,
        value: z
          .string()
          .min(1, 'must not be empty')
          .max(8192, 'is too long')
          .refine((v) => v.trim() === v, 'must not start or end with whitespace')
          .refine((v) => !/[\r\n\0]/.test(v), 'must be a single line'),
      })
      .strict(),
    response: SecretsOverview,
  }),
  'secrets.clear': call({
    summary: 'Delete a stored secret (an environment variable, if set, still applies).',
    request: z.object({ name: SecretName }).strict(),
    response: SecretsOverview,
  }),
} as const;
