import { create } from 'zustand';
import type { PresetsView } from '@shared/contract';
import { studio } from '../transport/client';

interface PresetsState {
  view: PresetsView | null;
  /** Why the presets could not be read (shown where they would be). */
  error: string | null;
  load(): Promise<void>;
}

let seq = 0;

/** configs/presets.yaml with the Settings overrides applied, as main resolves it. */
export const usePresets = create<PresetsState>()((set) => ({
  view: null,
  error: null,
  async load() {
    const mine = ++seq;
    try {
      const view = await studio.presets.get();
      if (mine === seq) set({ view, error: null });
    } catch (err) {
      if (mine === seq) set({ error: err instanceof Error ? err.message : String(err) });
    }
  },
}));
