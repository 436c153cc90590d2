// Handlers for settings.* (src-shared/contract/settings.ts).
import type { settingsCalls } from '@shared/contract/settings';
import type { HandlersFor } from '../api/handlers-type';
import type { SettingsService } from './settings-service';

export function settingsHandlers(settings: SettingsService) {
  return {
    'settings.get': () => settings.get(),
    'settings.update': (patch) => settings.update(patch),
    'settings.reset': ({ keys }) => settings.reset(keys),
  } satisfies HandlersFor<keyof typeof settingsCalls>;
}
