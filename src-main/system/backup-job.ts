// "Back up studio data": an online SQLite backup (the studio keeps running) into
// <data dir>/backups, copied a few pages at a time so progress is real and cancellation
// takes effect between batches. A cancelled or failed backup leaves no partial file.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from '../db/open-database';
import type { JobExecutor } from '../jobs/job-service';

export const BACKUP_KIND = 'maintenance.backup';
const PAGES_PER_STEP = 64;

export function backupExecutor(db: Db, dataDir: string): JobExecutor<Record<string, never>> {
  return {
    kind: BACKUP_KIND,
    params: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
    lane: () => 'maintenance',
    title: () => 'Back up studio database',
    async run({ signal, progress, log }) {
      const dir = path.join(dataDir, 'backups');
      fs.mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
      const final = path.join(dir, `studio-${stamp}.db`);
      const partial = `${final}.partial`;
      try {
        const meta = await db.backup(partial, {
          progress({ totalPages, remainingPages }) {
            // Throwing here aborts the backup between batches of pages.
            if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
            const done = totalPages - remainingPages;
            progress({ step: done, total: totalPages, message: `${done} / ${totalPages} pages` });
            return PAGES_PER_STEP;
          },
        });
        progress({ step: meta.totalPages, total: meta.totalPages, message: 'done' });
        fs.renameSync(partial, final);
        const bytes = fs.statSync(final).size;
        log.info(`database backed up to ${final} (${bytes} bytes)`);
        return { file: final, bytes, pages: meta.totalPages };
      } catch (err) {
        fs.rmSync(partial, { force: true });
        throw err;
      }
    },
  };
}
