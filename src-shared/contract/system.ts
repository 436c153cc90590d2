// The system capability (app.*, logs.*, maintenance.*): the app itself: version and platform, OS integrations (links, folder picker, reveal),
// the log panel and database backups.
import { z } from 'zod';
import { AbsolutePath, Empty, Job, LogLine, call } from './shapes';

export const systemCalls = {
  'app.info': call({
    summary: 'Version, platform, data locations and which transport/platform features exist.',
    request: Empty,
    response: z.object({
      name: z.string(),
      version: z.string(),
      platform: z.string(),
      transport: z.enum(['electron', 'http']),
      dataDir: z.string(),
      logFile: z.string(),
      dataDirSource: z.enum(['flag', 'env', 'default']),
      canPickFolders: z.boolean(),
    }),
  }),
  'app.openExternal': call({
    summary: 'Open an https: link in the system browser (main parses it; nothing else is allowed).',
    request: z.object({ url: z.string().min(1).max(2048) }).strict(),
    response: z.object({ opened: z.boolean() }),
  }),
  'app.pickFolder': call({
    summary: 'Ask the OS for a folder (desktop only; the browser mode answers supported=false).',
    request: z.object({ title: z.string().max(200).optional(), defaultPath: AbsolutePath.optional() }).strict(),
    response: z.object({ supported: z.boolean(), path: z.string().nullable() }),
  }),
  'app.revealPath': call({
    summary: 'Show a file or folder of the studio in the OS file manager (desktop only).',
    request: z.object({ path: AbsolutePath }).strict(),
    response: z.object({ supported: z.boolean() }),
  }),
  'maintenance.backup': call({
    summary: 'Queue an online backup of the studio database into <data dir>/backups.',
    request: Empty,
    response: Job,
  }),
  'logs.recent': call({
    summary: 'The most recent log lines at info level and above (secrets redacted).',
    request: z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(),
    response: z.array(LogLine),
  }),
} as const;
