// Settings: stored values over the defaults from configs/settings.yaml.
import { z } from 'zod';
import { Empty, Settings, call } from './shapes';

export const settingsCalls = {
  'settings.get': call({
    summary: 'The current settings (stored values over the defaults from configs/settings.yaml).',
    request: Empty,
    response: Settings,
  }),
  'settings.update': call({
    summary: 'Change some settings; the whole new settings object is returned.',
    request: Settings.partial()
      .strict()
      .refine((p) => Object.keys(p).length > 0, 'must change at least one setting'),
    response: Settings,
  }),
  'settings.reset': call({
    summary: 'Forget stored values for the named settings (all when none named).',
    request: z.object({ keys: z.array(Settings.keyof()).max(16).optional() }).strict(),
    response: Settings,
  }),
} as const;
