import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStudio, type Studio, type StudioOptions } from '../../src-main/studio';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export function tempDir(prefix = 'flux-studio-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A real Studio (real SQLite, real files) over a fresh temp data dir. RunPod calls go to a
 * closed local port, without retries, unless a test points them at its local RunPod server:
 * no test may reach the real RunPod, even when a fuzzed call sets an API key.
 */
export async function makeStudio(overrides: Partial<StudioOptions> = {}): Promise<Studio> {
  return createStudio({
    dataDir: overrides.dataDir ?? tempDir(),
    resourcesDir: REPO_ROOT,
    version: '0.0.0-test',
    env: {},
    consoleLevel: 'silent',
    runpod: { apiBase: 'http://127.0.0.1:9', retry: { maxRetries: 0 } },
    ...overrides,
  });
}
