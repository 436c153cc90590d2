import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { THREAD_POOL_INTRO } from './src-main/platform/thread-pool';

// One alias for code every process shares (the contract): docs/architecture.md.
const alias = { '@shared': resolve(__dirname, 'src-shared') };

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      // openapi-fetch (runpod/runpod-client.ts) is ESM with a default export: bundled, not
      // require()d, or the CJS bundle gets the module object instead of createClient.
      externalizeDeps: { exclude: ['openapi-fetch'] },
      rollupOptions: {
        // index: the Electron app; cli: the same services for the terminal and `serve`
        // (bin/flux-studio.cjs). Only index reaches src-main/app/, so only it imports electron.
        input: {
          index: resolve(__dirname, 'src-main/app/main.ts'),
          cli: resolve(__dirname, 'src-main/cli/main.ts'),
          // The thumbnail service on its own, for `npm run bench:gallery` (bench/gallery-bench.mjs).
          'gallery-thumbnails': resolve(__dirname, 'src-main/gallery/thumbnails/thumbnail-service.ts'),
          // The local inference child process (child_process.fork; src-main/generation/local/onnx-worker-client.ts).
          'local-worker': resolve(__dirname, 'src-main/generation/local/onnx-worker.ts'),
        },
        output: {
          format: 'cjs',
          entryFileNames: '[name].js',
          // openapi-fetch's CommonJS build puts createClient on `exports.default` (with
          // __esModule): a default import must read that, not the module object.
          interop: (id) => (id === 'openapi-fetch' ? 'compat' : 'default'),
          // libuv's pool size must be set before the first require (sharp fixes it on load).
          intro: (chunk) => (chunk.isEntry && (chunk.name === 'index' || chunk.name === 'cli') ? THREAD_POOL_INTRO : ''),
        },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only 'electron': bundle zod and the contract into
      // one CommonJS file (an .mjs preload fails under sandbox: true).
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [react()],
    resolve: { alias },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
