import type { RawStudioApi } from '@shared/studio-api';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the browser (serve mode). */
    studio?: RawStudioApi;
  }
}

export {};
