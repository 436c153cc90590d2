// A tagging run from start to review: the job with its progress (pause, resume, stop), its
// results once it ended (or an earlier run's, picked for review), and undo of one caption or
// all, with the captions edited since the run reported as conflicts.
import { useEffect, useState } from 'react';
import type { Job, JobProgress } from '@shared/contract';
import type { TaggingRequest, TaggingResults } from '@shared/contract/tagging';
import { notify, reportError } from '../../../stores/toasts';
import { errorMessage, studio } from '../../../transport/client';

export type Phase = 'setup' | 'running' | 'review';

export function useTaggingRun(opts: { setPhase(phase: Phase): void; onChanged(): void }) {
  const { setPhase, onChanged } = opts;
  const [formError, setFormError] = useState<string | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<JobProgress | null>(null);
  const [paused, setPaused] = useState(false);
  const [results, setResults] = useState<TaggingResults | null>(null);
  const [conflicts, setConflicts] = useState<Array<{ file: string; reason: string }>>([]);
  const [busy, setBusy] = useState(false);
  /** The run under review: the one just made, or an earlier one picked from the list. */
  const [reviewId, setReviewId] = useState<string | null>(null);

  // Progress and the end of the job.
  useEffect(() => {
    if (!job) return;
    const offProgress = studio.on('job.progress', ({ jobId, progress: p }) => {
      if (jobId === job.id) setProgress(p);
    });
    const offUpdated = studio.on('job.updated', (j) => {
      if (j.id !== job.id) return;
      setJob(j);
    });
    // A short run can finish before these subscriptions exist: read the row once.
    let live = true;
    studio.jobs.get({ id: job.id }).then(
      (j) => {
        if (live && !['queued', 'running'].includes(j.state)) setJob(j);
      },
      () => undefined,
    );
    return () => {
      live = false;
      offProgress();
      offUpdated();
    };
  }, [job?.id]); // eslint-disable-line react-hooks/exhaustive-deps -- resubscribe per job only

  const finished = job !== null && !['queued', 'running'].includes(job.state);
  useEffect(() => {
    if (!job || !finished) return;
    studio.tagging.results({ jobId: job.id }).then(
      (r) => {
        setResults(r);
        setReviewId(job.id);
        setPhase('review');
        if (r.counts.written > 0) onChanged();
      },
      (err: unknown) => {
        setPhase('review');
        setFormError(job.error?.message ?? errorMessage(err));
      },
    );
  }, [finished, job?.id]); // eslint-disable-line react-hooks/exhaustive-deps -- once per finished job

  const start = async (request: TaggingRequest | string) => {
    if (typeof request === 'string') {
      setFormError(request);
      return;
    }
    setFormError(null);
    setBusy(true);
    try {
      const j = await studio.tagging.start(request);
      setJob(j);
      setProgress(j.progress);
      setPhase('running');
    } catch (err) {
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const togglePause = async () => {
    if (!job) return;
    try {
      const r = paused ? await studio.tagging.resume({ jobId: job.id }) : await studio.tagging.pause({ jobId: job.id });
      setPaused(r.paused);
    } catch (err) {
      reportError(err);
    }
  };

  const cancel = async () => {
    if (!job) return;
    try {
      await studio.jobs.cancel({ id: job.id });
    } catch (err) {
      reportError(err);
    }
  };

  const review = async (jobId: string) => {
    try {
      setResults(await studio.tagging.results({ jobId }));
      setReviewId(jobId);
      setConflicts([]);
      setPhase('review');
    } catch (err) {
      reportError(err);
    }
  };

  const undo = async (file?: string, force = false) => {
    if (!reviewId) return;
    setBusy(true);
    try {
      const r = await studio.tagging.undo({ jobId: reviewId, ...(file ? { file } : {}), ...(force ? { force: true } : {}) });
      setResults(r.results);
      setConflicts(r.conflicts);
      if (r.undone > 0) {
        notify(`${r.undone} caption${r.undone === 1 ? '' : 's'} put back.`, 'success');
        onChanged();
      }
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };


  return { job, progress, paused, results, conflicts, busy, finished, formError, start, togglePause, cancel, review, undo };
}
export type TaggingRunState = ReturnType<typeof useTaggingRun>;
