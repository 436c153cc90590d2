import { create } from 'zustand';
import type { CallRequest, Settings } from '@shared/contract';
import { studio } from '../transport/client';
import { reportError } from './toasts';

interface SettingsState {
  settings: Settings | null;
  load(): Promise<void>;
  /** Resolves the new settings; throws StudioCallError so forms can show field errors. */
  update(patch: CallRequest<'settings.update'>): Promise<Settings>;
}

export const useSettings = create<SettingsState>()((set) => ({
  settings: null,
  async load() {
    try {
      set({ settings: await studio.settings.get() });
    } catch (err) {
      reportError(err);
    }
  },
  async update(patch) {
    const next = await studio.settings.update(patch);
    set({ settings: next });
    return next;
  },
}));

let wired = false;
/** Live updates from any window or transport. Call once at startup. */
export function wireSettingsEvents(): void {
  if (wired) return;
  wired = true;
  studio.on('settings.changed', (s) => useSettings.setState({ settings: s }));
  studio.onReconnect(() => void useSettings.getState().load());
}
