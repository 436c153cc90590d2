// Handlers for the system capability (src-shared/contract/system.ts: app.*, logs.*,
// maintenance.*): version and platform, OS integrations, the log panel and database backups.
import type { systemCalls } from '@shared/contract/system';
import type { HandlersFor } from '../api/handlers-type';
import { StudioError } from '../core/studio-error';
import type { JobService } from '../jobs/job-service';
import type { LogSink } from '../logging/logger';
import { BACKUP_KIND } from './backup-job';
import { parseExternalUrl, type Platform } from '../platform/platform';

export interface SystemHandlerDeps {
  info: { name: string; version: string; platform: string; dataDir: string; dataDirSource: 'flag' | 'env' | 'default' };
  platform: Platform;
  logs: LogSink;
  jobs: JobService;
  /** True for paths inside the data dir or the output folder. */
  isStudioPath(p: string): boolean;
}

export function systemHandlers({ info, platform, logs, jobs, isStudioPath }: SystemHandlerDeps) {
  return {
    'app.info': () => ({
      ...info,
      transport: platform.transport,
      canPickFolders: platform.canPickFolders,
      logFile: logs.file ?? '',
    }),
    'app.openExternal': async ({ url }) => {
      const parsed = parseExternalUrl(url);
      if (!parsed) throw new StudioError('invalid_input', 'app.openExternal: url: only https: links can be opened', 'url');
      return { opened: await platform.openExternal(parsed) };
    },
    'app.pickFolder': async (req) => {
      if (!platform.canPickFolders) return { supported: false, path: null };
      return { supported: true, path: await platform.pickFolder(req) };
    },
    'app.revealPath': async ({ path }) => {
      if (!isStudioPath(path)) {
        throw new StudioError('forbidden', 'app.revealPath: path: only files in the studio’s own folders can be revealed', 'path');
      }
      return { supported: await platform.revealPath(path) };
    },
    'maintenance.backup': () => jobs.submit(BACKUP_KIND, {}),
    'logs.recent': ({ limit }) => logs.recentLines(limit ?? 200),
  } satisfies HandlersFor<keyof typeof systemCalls>;
}
