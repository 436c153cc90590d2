// "Export a selection": a job that copies the chosen images into a folder, one file per
// progress step, never overwriting (a taken name gets " (2)", " (3)"…), cancellable
// between files. A file being copied when cancelled is removed, never left half-written.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { JobExecutor } from '../jobs/job-service';

export const EXPORT_KIND = 'gallery.export';

export const ExportParams = z.object({
  folder: z.string().min(1),
  files: z.array(z.object({ id: z.string(), path: z.string() })).min(1),
});
export type ExportParams = z.infer<typeof ExportParams>;

/** Copies without overwriting: `name.jpg`, then `name (2).jpg`, … Returns the path written. */
export async function copyNoOverwrite(from: string, folder: string): Promise<string> {
  const ext = path.extname(from);
  const stem = path.basename(from, ext);
  for (let n = 1; n < 100_000; n++) {
    const target = path.join(folder, n === 1 ? `${stem}${ext}` : `${stem} (${n})${ext}`);
    try {
      await fs.promises.copyFile(from, target, fs.constants.COPYFILE_EXCL);
      return target;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
  }
  throw new Error(`no free name for ${path.basename(from)} in ${folder}`);
}

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
