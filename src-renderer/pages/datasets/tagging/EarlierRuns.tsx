// The dataset's last tagging runs in the auto-caption dialog, each with Review.
import type { ReactElement } from 'react';
import type { TaggingRun } from '@shared/contract/tagging';

export function EarlierRuns(props: { runs: readonly TaggingRun[]; onReview(jobId: string): void }): ReactElement {
  const { runs } = props;
  return (
    <div className="dialog-field" data-testid="tagging-runs">
      <div className="field-label">Earlier runs</div>
      <ul style={{ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: 4 }}>
        {runs.map((r) => (
          <li key={r.jobId} className="small" style={{ display: 'flex', gap: 8, alignItems: 'center' }} data-testid="tagging-run-item" data-job={r.jobId}>
            <span className="muted">{new Date(r.startedAt).toLocaleString()}</span>
            <span style={{ flex: 1 }}>
              {r.source === 'claude' ? `Claude ${r.sourceDetail}` : 'tagger'} · {r.mode} · {r.counts.written} written{r.counts.undone ? `, ${r.counts.undone} undone` : ''}
            </span>
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => props.onReview(r.jobId)} data-testid="tagging-run-review">
              Review
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
