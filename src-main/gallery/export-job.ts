// "Export a selection": a job that copies the chosen images into a folder, one file per
// progress step, never overwriting (a taken name gets "_2", "_3"…: core/no-overwrite.ts), cancellable
// between files. A file being copied when cancelled is removed, never left half-written.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { copyNoOverwrite } from '../core/no-overwrite';
import type { JobExecutor } from '../jobs/job-service';

export const EXPORT_KIND = 'gallery.export';

export const ExportParams = z.object({
  folder: z.string().min(1),
  files: z.array(z.object({ id: z.string(), path: z.string() })).min(1),
});
export type ExportParams = z.infer<typeof ExportParams>;

export function exportExecutor(): JobExecutor<ExportParams> {
  return {
    kind: EXPORT_KIND,
    params: ExportParams,
    lane: () => 'gallery-export',
    title: (p) => `Export ${p.files.length} image${p.files.length === 1 ? '' : 's'} to ${p.folder}`,
    async run({ params, signal, progress, log }) {
      fs.mkdirSync(params.folder, { recursive: true });
      const total = params.files.length;
      const written: string[] = [];
      const missing: string[] = [];
      progress({ step: 0, total, message: `0 / ${total}` });
      for (const [k, f] of params.files.entries()) {
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
        try {
          written.push(await copyNoOverwrite(f.path, params.folder));
        } catch (err) {
          log.warn(`could not export ${f.path}: ${(err as Error).message}`);
          missing.push(f.path);
        }
        progress({ step: k + 1, total, message: `${k + 1} / ${total} ${path.basename(f.path)}` });
      }
      return { folder: params.folder, written, failed: missing };
    },
  };
}
