import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Two projects (docs/architecture.md, "Tests"): `unit` (everything that needs no outside
// server, plus the type-level *.test-d.ts) and `ssh` (*.ssh.test.ts: a real OpenSSH server on
// 127.0.0.1; they fail, never skip, where /usr/sbin/sshd is missing).
export default defineConfig({
  resolve: { alias: { '@shared': resolve(__dirname, 'src-shared') } },
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // better-sqlite3 and child processes: forks isolate native state per file.
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.ssh.test.ts'],
          // The type-level tests (*.test-d.ts: one handler per call, the generated API's shape).
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      { extends: true, test: { name: 'ssh', include: ['test/**/*.ssh.test.ts'] } },
    ],
  },
});
