// Command-line and folder lookups for main.ts that need no electron (unit-tested).
import fs from 'node:fs';
import path from 'node:path';

/** `--data-dir=DIR` or `--data-dir DIR` from the app's argv; undefined when absent. */
export function dataDirFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('--data-dir=')) return arg.slice('--data-dir='.length);
    if (arg === '--data-dir') {
      const next = argv[i + 1];
      return next !== undefined && !next.startsWith('--') ? next : undefined;
    }
  }
  return undefined;
}

/**
 * The folder holding configs/: process.resourcesPath in a package (electron-builder
 * copies configs/ there as extraResources); in a checkout the app path, or failing that
 * the repository root relative to the built main (out/main → ../..), for launches such
 * as `electron out/main/index.js` whose app path is out/main.
 */
export function findResourcesDir(opts: { isPackaged: boolean; resourcesPath: string; appPath: string; mainDir: string }): string {
  if (opts.isPackaged) return opts.resourcesPath;
  const candidates = [opts.appPath, path.resolve(opts.mainDir, '..', '..')];
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'configs'))) return dir;
  }
  return opts.appPath;
}
