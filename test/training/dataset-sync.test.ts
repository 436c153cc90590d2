// Incremental dataset sync over a Host (LocalHost here; run-ssh.test.ts runs the same over sshd).
import { describe, test } from 'vitest';
import { LocalHost } from '../../src-main/hosts/local-host';
import { tempDir } from '../helpers/studio';
import { syncSuite } from './sync-suite';

describe('incremental dataset sync', () => {
  test('LocalHost: only new/changed files go up, deletions are mirrored, ai-toolkit caches are kept', async () => {
    await syncSuite(async () => ({ host: new LocalHost(), root: tempDir(), done: async () => undefined }));
  });
});
