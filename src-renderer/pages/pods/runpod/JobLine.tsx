// A job shown inline where it was started (create, start): its progress bar, message and ETA,
// live from the jobs store; the same job is in the jobs tray.
import type { ReactElement } from 'react';
import type { Job } from '@shared/contract';
import { ProgressBar } from '../../../components/Controls';
import { duration } from '../../../lib/runpod-format';
import { useJobs } from '../../../stores/jobs';

export function useLiveJob(job: Job | null): Job | null {
  const live = useJobs((s) => (job ? s.jobs.find((j) => j.id === job.id) : undefined));
  return live ?? job;
}

export function JobLine(props: { job: Job; label: string; testId: string }): ReactElement {
  const job = useLiveJob(props.job) ?? props.job;
  const p = job.progress;
  const eta = p?.etaSeconds;
  const done = job.state === 'succeeded';
  const failed = job.state === 'failed' || job.state === 'interrupted';
  const text = [
    job.state === 'queued' ? 'queued' : null,
    p?.message ?? null,
    !done && !failed && eta !== null && eta !== undefined ? `~${duration(eta)} left` : null,
    done ? 'done' : null,
    job.state === 'cancelled' ? 'cancelled' : null,
    job.error ? job.error.message : null,
  ]
    .filter((x): x is string => x !== null)
    .join(' · ');
  return (
    <div className="job-line" data-testid={props.testId} data-state={job.state}>
      <ProgressBar fraction={done ? 1 : (p?.fraction ?? null)} label={props.label} tone={failed ? 'danger' : done ? 'success' : 'accent'} />
      <p className={failed ? 'small job-line-text is-failed' : 'small muted job-line-text'} role="status" data-testid={`${props.testId}-text`}>
        {props.label}
        {text ? ` · ${text}` : ''}
      </p>
    </div>
  );
}
