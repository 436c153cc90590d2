// The running (or failed) export under the selection bar: its progress, and Hide once it ended.
import type { ReactElement } from 'react';
import type { Job } from '@shared/contract';
import { ProgressBar } from '../../components/Controls';
import { CloseIcon } from '../../components/Icons';
import { isActive } from '../../stores/jobs';

export function ExportProgress(props: { job: Job; onHide(): void }): ReactElement {
  const exportJob = props.job;
  const exportRunning = isActive(exportJob);
  return (
    <div className="export-progress" data-testid="gallery-export-progress">
      <span className="small">
        {exportJob.title}
        {exportJob.progress?.total ? ` · ${exportJob.progress.step} / ${exportJob.progress.total}` : ''}
        {exportJob.state === 'failed' ? ` · failed: ${exportJob.error?.message ?? ''}` : ''}
      </span>
      <ProgressBar fraction={exportJob.progress?.fraction ?? null} label="Export progress" tone={exportJob.state === 'failed' ? 'danger' : 'accent'} />
      {!exportRunning ? (
        <button type="button" className="icon-btn" aria-label="Hide" onClick={props.onHide}>
          <CloseIcon size={14} />
        </button>
      ) : null}
    </div>
  );
}
