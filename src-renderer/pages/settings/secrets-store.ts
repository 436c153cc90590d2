import { create } from 'zustand';
import type { SecretName, SecretsOverview } from '@shared/contract';
import { studio } from '../../transport/client';
import { reportError } from '../../stores/toasts';

interface SecretsState {
  overview: SecretsOverview | null;
  load(): Promise<void>;
  /** Throws StudioCallError (shown next to the field by the caller). */
  set(name: SecretName, value: string): Promise<void>;
  clear(name: SecretName): Promise<void>;
}

export const useSecrets = create<SecretsState>()((set) => ({
  overview: null,
  async load() {
    try {
      set({ overview: await studio.secrets.status() });
    } catch (err) {
      reportError(err);
    }
  },
  async set(name, value) {
    set({ overview: await studio.secrets.set({ name, value }) });
  },
  async clear(name) {
    set({ overview: await studio.secrets.clear({ name }) });
  },
}));
