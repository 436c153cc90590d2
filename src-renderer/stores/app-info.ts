import { create } from 'zustand';
import type { CallResponse } from '@shared/contract';
import { studio } from '../transport/client';
import { reportError } from './toasts';

export type AppInfo = CallResponse<'app.info'>;

interface AppInfoState {
  info: AppInfo | null;
  load(): Promise<void>;
}

export const useAppInfo = create<AppInfoState>()((set) => ({
  info: null,
  async load() {
    try {
      set({ info: await studio.app.info() });
    } catch (err) {
      reportError(err);
    }
  },
}));
