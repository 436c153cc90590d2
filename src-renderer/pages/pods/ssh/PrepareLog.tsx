// Preparing a pod: the job's progress and state, and its log lines as they stream in.
import { useEffect, useState, type ReactElement } from 'react';
import type { Job, LogLine } from '@shared/contract';
import { ProgressBar } from '../../../components/Controls';
import { useJobs } from '../../../stores/jobs';
import { studio } from '../../../transport/client';

export function PrepareLog(props: { job: Job }): ReactElement {
  const live = useJobs((s) => s.jobs.find((j) => j.id === props.job.id)) ?? props.job;
  const [lines, setLines] = useState<string[]>([]);
  useEffect(() => {
    const tag = `${props.job.kind}:${props.job.id.slice(0, 8)}`;
    return studio.on('log.line', (l: LogLine) => {
      if (l.scope.includes(tag)) setLines((cur) => [...cur.slice(-200), `${l.level === 'info' ? '' : `${l.level}: `}${l.message}`]);
    });
  }, [props.job]);
  const msg = live.progress?.message;
  return (
    <div data-testid="prepare-log" style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
      <ProgressBar fraction={live.state === 'succeeded' ? 1 : (live.progress?.fraction ?? null)} label="Preparing the pod" tone={live.state === 'failed' ? 'danger' : live.state === 'succeeded' ? 'success' : 'accent'} />
      <p className="muted small" data-testid="prepare-state">
        {live.state}
        {msg ? ` · ${msg}` : ''}
        {live.error ? ` · ${live.error.message}` : ''}
      </p>
      {lines.length > 0 ? <pre tabIndex={0} aria-label="Preparation log" style={{ maxHeight: 200, overflow: 'auto', fontSize: 12, margin: 0 }}>{lines.join('\n')}</pre> : null}
    </div>
  );
}
