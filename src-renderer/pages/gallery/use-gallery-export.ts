// Exporting the selected images: the folder (picked, or typed where folders cannot be picked),
// the export job it starts, and a toast when it finishes or fails.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppInfo } from '../../stores/app-info';
import { useJobs } from '../../stores/jobs';
import { notify } from '../../stores/toasts';
import { studio } from '../../transport/client';

export function useGalleryExport(selected: ReadonlySet<string>, info: AppInfo | null) {
  const [exportJobId, setExportJobId] = useState<string | null>(null);
  const exportJob = useJobs((s) => (exportJobId ? s.jobs.find((j) => j.id === exportJobId) : undefined));
  const [exportPath, setExportPath] = useState<string | null>(null);
  const startExport = useCallback(
    async (folder?: string) => {
      const ids = [...selected];
      if (ids.length === 0) return;
      let target = folder?.trim() ?? '';
      if (!target && info?.canPickFolders) {
        const picked = await studio.app.pickFolder({ title: `Export ${ids.length} image${ids.length === 1 ? '' : 's'} to…` });
        if (!picked.supported || !picked.path) return;
        target = picked.path;
      }
      if (!target) {
        setExportPath('');
        return;
      }
      const job = await studio.gallery.export({ ids, folder: target });
      useJobs.getState().merge(job);
      setExportJobId(job.id);
      setExportPath(null);
    },
    [selected, info],
  );
  const lastExportState = useRef<string | null>(null);
  useEffect(() => {
    if (!exportJob || lastExportState.current === `${exportJob.id}:${exportJob.state}`) return;
    lastExportState.current = `${exportJob.id}:${exportJob.state}`;
    if (exportJob.state === 'succeeded') notify('Export finished.', 'success');
    else if (exportJob.state === 'failed') notify(`Export failed: ${exportJob.error?.message ?? 'unknown error'}`, 'error');
  }, [exportJob]);

  return { exportJob, setExportJobId, exportPath, setExportPath, startExport };
}
