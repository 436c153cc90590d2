import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { create } from 'zustand';
import type { Job } from '@shared/contract';
import { isActive, isFinished, useJobs } from '../stores/jobs';
import { CloseIcon, JobsIcon } from './Icons';
import { ProgressBar, StateBadge } from './Controls';
import { JobCost } from './JobCost';

interface TrayState {
  open: boolean;
  setOpen(open: boolean): void;
}
export const useTray = create<TrayState>()((set) => ({ open: false, setOpen: (open) => set({ open }) }));

export function JobsTrayButton(): ReactElement {
  const jobs = useJobs((s) => s.jobs);
  const open = useTray((s) => s.open);
  const setOpen = useTray((s) => s.setOpen);
  const active = jobs.filter(isActive).length;
  const running = jobs.some((j) => j.state === 'running');
  return (
    <button
      type="button"
      id="jobs-tray-button"
      className={open ? 'tray-button is-open' : 'tray-button'}
      aria-expanded={open}
      aria-controls="jobs-panel"
      data-testid="jobs-tray-button"
      onClick={() => setOpen(!open)}
    >
      <span className="nav-icon">
        <JobsIcon />
      </span>
      <span className="nav-label">Jobs</span>
      <span
        className={active > 0 ? `count-badge is-active${running ? ' is-running' : ''}` : 'count-badge'}
        data-testid="jobs-count"
        aria-label={`${active} running or queued`}
      >
        {active}
      </span>
    </button>
  );
}

/** The clock, ticking every 15 s while `active` (for "2 min ago"). */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const t = setInterval(tick, 15_000);
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }, [active]);
  return now;
}

function relativeTime(iso: string | null, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  return new Date(t).toLocaleDateString();
}

function duration(job: Job): string | null {
  if (!job.startedAt || !job.finishedAt) return null;
  const ms = Date.parse(job.finishedAt) - Date.parse(job.startedAt);
  if (!Number.isFinite(ms) || ms < 0) return null;
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function resultLine(job: Job): string | null {
  const r = job.result;
  if (typeof r === 'object' && r !== null && 'file' in r && typeof (r as { file: unknown }).file === 'string') {
    return `Saved to ${(r as { file: string }).file}`;
  }
  return null;
}

function formatSeconds(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : m > 0 ? `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s` : `${Math.round(s)} s`;
}

/** What a running job is doing: its message; for work that knows its time left (a training), also step/total and the ETA. */
function progressLine(job: Job): string {
  const p = job.progress;
  if (!p) return 'Working…';
  const message = p.message ?? 'Working…';
  if (p.etaSeconds === null || p.etaSeconds === undefined) return message;
  return [message, ...(p.total !== null ? [`step ${p.step}/${p.total}`] : []), `${formatSeconds(p.etaSeconds)} left`].join(' · ');
}

function JobRow(props: { job: Job; now: number; onCancel(id: string): void }): ReactElement {
  const { job } = props;
  const active = isActive(job);
  const message =
    job.state === 'failed' || job.state === 'interrupted'
      ? (job.error?.message ?? 'Stopped without a reason')
      : job.state === 'succeeded'
        ? resultLine(job)
        : job.state === 'queued'
          ? 'Waiting for its turn…'
          : progressLine(job);
  const fraction = job.state === 'running' ? (job.progress?.fraction ?? null) : job.state === 'succeeded' ? 1 : null;
  const took = duration(job);
  return (
    <li className={`job-item state-${job.state}`} data-testid="job-item" data-job-id={job.id} data-state={job.state}>
      <div className="job-head">
        <span className="job-title" data-testid="job-title" title={job.title}>
          {job.title}
        </span>
        <StateBadge state={job.state} testId="job-state" />
      </div>
      {active ? (
        <ProgressBar
          fraction={fraction}
          label={`${job.title} progress`}
          tone={job.state === 'queued' ? 'muted' : 'accent'}
          testId="job-progress"
        />
      ) : null}
      {message ? (
        <div className={job.state === 'failed' ? 'job-message is-error' : 'job-message'} data-testid="job-message" title={message}>
          {message}
        </div>
      ) : null}
      <div className="job-foot">
        <span className="job-meta">
          {job.lane}
          {' · '}
          {relativeTime(job.finishedAt ?? job.startedAt ?? job.createdAt, props.now)}
          {took ? ` · took ${took}` : ''}
          <JobCost costUsd={job.costUsd} />
        </span>
        {active ? (
          <button type="button" className="btn btn-ghost btn-sm" data-testid="job-cancel" onClick={() => props.onCancel(job.id)}>
            Cancel
          </button>
        ) : null}
      </div>
    </li>
  );
}

export function JobsPanel(): ReactElement | null {
  const open = useTray((s) => s.open);
  const setOpen = useTray((s) => s.setOpen);
  const jobs = useJobs((s) => s.jobs);
  const loaded = useJobs((s) => s.loaded);
  const cancel = useJobs((s) => s.cancel);
  const clearFinished = useJobs((s) => s.clearFinished);
  const panelRef = useRef<HTMLElement>(null);
  const finished = useMemo(() => jobs.filter(isFinished).length, [jobs]);
  const now = useNow(open);

  useEffect(() => {
    if (!open) return;
    panelRef.current?.focus();
    // A docked panel, not a popover: it stays open while you work (to watch a job), and
    // closes with its button, its close button, or Escape when focus is in it.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      const active = document.activeElement;
      const inPanel = active === document.body || (active !== null && panelRef.current?.contains(active) === true);
      if (!inPanel && active?.id !== 'jobs-tray-button') return;
      setOpen(false);
      document.getElementById('jobs-tray-button')?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, setOpen]);

  if (!open) return null;
  return (
    <aside
      id="jobs-panel"
      ref={panelRef}
      className="jobs-panel"
      role="dialog"
      aria-label="Jobs"
      tabIndex={-1}
      data-testid="jobs-panel"
    >
      <header className="jobs-panel-head">
        <h2 className="jobs-panel-title">Jobs</h2>
        <div className="jobs-panel-actions">
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            data-testid="jobs-clear-finished"
            disabled={finished === 0}
            title={finished === 0 ? 'No finished jobs to clear' : 'Remove finished jobs from this list (their files stay on disk)'}
            onClick={() => void clearFinished()}
          >
            Clear finished
          </button>
          <button
            type="button"
            className="icon-btn"
            aria-label="Close jobs"
            data-testid="jobs-panel-close"
            onClick={() => {
              setOpen(false);
              document.getElementById('jobs-tray-button')?.focus();
            }}
          >
            <CloseIcon />
          </button>
        </div>
      </header>
      {jobs.length === 0 ? (
        <div className="jobs-empty" data-testid="jobs-empty">
          <p className="jobs-empty-title">{loaded ? 'No jobs yet' : 'Loading jobs…'}</p>
          <p className="muted">Generations, trainings and backups show up here while they run, with their progress.</p>
        </div>
      ) : (
        <ul className="job-list" tabIndex={0} aria-label="Job list" data-testid="job-list">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} now={now} onCancel={(id) => void cancel(id)} />
          ))}
        </ul>
      )}
    </aside>
  );
}
