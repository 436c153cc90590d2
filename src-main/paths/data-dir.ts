// Where the studio keeps its database, logs, thumbnails and datasets. The app, the CLI
// and serve resolve it the same way so they share one data dir unless told otherwise:
// --data-dir beats FLUX_STUDIO_DATA_DIR beats the per-user default.
import os from 'node:os';
import path from 'node:path';

export const DATA_DIR_ENV = 'FLUX_STUDIO_DATA_DIR';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'flux-studio');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'flux-studio');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'flux-studio');
}

export function resolveDataDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { dataDir: string; source: 'flag' | 'env' | 'default' } {
  if (flag && flag.trim() !== '') return { dataDir: path.resolve(flag), source: 'flag' };
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv && fromEnv.trim() !== '') return { dataDir: path.resolve(fromEnv), source: 'env' };
  return { dataDir: defaultDataDir(env), source: 'default' };
}
