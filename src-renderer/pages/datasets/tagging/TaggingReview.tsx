// The review after a tagging run: the job's end state, the counts (and cost), captions edited
// since (Undo anyway), and every image's caption before and after with Undo for each.
import type { ReactElement } from 'react';
import type { TaggingItem } from '@shared/contract/tagging';
import { StateBadge } from '../../../components/Controls';
import type { TaggingRunState } from './use-tagging-run';
import { usd } from './usd';

const STATUS_LABEL: Record<TaggingItem['status'], string> = {
  written: 'Written',
  unchanged: 'Unchanged',
  skipped: 'Skipped',
  failed: 'Failed',
  undone: 'Undone',
  pending: 'Not done',
};

export function TaggingReview(props: { run: TaggingRunState }): ReactElement {
  const { job, results, conflicts, busy, undo } = props.run;
  return (
    <div className="dialog-field" data-testid="tagging-review">
      {job ? (
        <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <StateBadge state={job.state} />
          {job.error ? <span className="small">{job.error.message}</span> : null}
        </div>
      ) : null}
      {results ? (
        <>
          <p data-testid="tagging-summary">
            {results.counts.written} written, {results.counts.unchanged} unchanged, {results.counts.skipped} skipped, {results.counts.failed} failed
            {results.counts.undone ? `, ${results.counts.undone} undone` : ''}
            {results.counts.pending ? `, ${results.counts.pending} not done` : ''}
            {results.usage && results.usage.usd !== null ? ` · cost ${usd(results.usage.usd)}` : ''}
          </p>
          {conflicts.length > 0 ? (
            <div className="callout is-warning" data-testid="tagging-conflicts">
              <p>
                {conflicts.length} caption{conflicts.length === 1 ? ' was' : 's were'} edited after the run and left as {conflicts.length === 1 ? 'it is' : 'they are'}.
              </p>
              <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void Promise.all(conflicts.map((c) => undo(c.file, true)))}>
                Undo anyway
              </button>
            </div>
          ) : null}
          <ul style={{ listStyle: 'none', margin: 0, padding: 0, maxHeight: 360, overflow: 'auto', display: 'flex', flexDirection: 'column', gap: 8 }} data-testid="tagging-items">
            {results.items
              .filter((i) => i.status !== 'skipped')
              .map((item) => (
                <li key={item.file} data-testid="tagging-item" data-file={item.file} data-status={item.status} style={{ borderTop: '1px solid var(--border)', paddingTop: 8 }}>
                  <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
                    <code className="small" style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis' }} title={item.file}>
                      {item.file}
                    </code>
                    <span className="tag">{STATUS_LABEL[item.status]}</span>
                    {item.status === 'written' ? (
                      <button type="button" className="btn btn-sm btn-ghost" disabled={busy} onClick={() => void undo(item.file)} data-testid="tagging-undo-one">
                        Undo
                      </button>
                    ) : null}
                  </div>
                  {item.error ? <p className="small" style={{ color: 'var(--danger)' }}>{item.error}</p> : null}
                  {item.status === 'written' || item.status === 'undone' || item.status === 'unchanged' ? (
                    <div className="small" style={{ display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '2px 8px' }}>
                      <span className="muted">Before</span>
                      <span data-testid="tagging-before">{item.before === null || item.before.trim() === '' ? <em className="muted">(none)</em> : item.before}</span>
                      <span className="muted">After</span>
                      <span data-testid="tagging-after">{item.after ?? item.generated ?? ''}</span>
                    </div>
                  ) : null}
                </li>
              ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
