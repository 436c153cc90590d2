import type { RawStudioApi } from '../src-preload/api-types';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the browser (serve mode). */
    studio?: RawStudioApi;
  }
}

export {};
