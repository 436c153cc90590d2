// Model downloads (local.download jobs) for Settings → Models and the Generate page's
// first-model offer: start one, follow its progress through the jobs store (progress, ETA,
// cancel), and call back once when one succeeds (the model was checked and added in main).
import { useEffect, useRef } from 'react';
import type { Job } from '@shared/contract';
import { isActive, useJobs } from '../stores/jobs';
import { studio } from '../transport/client';

export const DOWNLOAD_KIND = 'local.download';

export function useModelDownloads(onSucceeded?: (job: Job) => void): {
  active: Job[];
  failed: Job[];
  start: (req: { repo: string; subfolder?: string | null; revision?: string | null }) => Promise<Job>;
  cancel: (id: string) => Promise<void>;
} {
  const jobs = useJobs((s) => s.jobs);
  const downloads = jobs.filter((j) => j.kind === DOWNLOAD_KIND);
  const seen = useRef(new Set<string>());
  const cb = useRef(onSucceeded);
  useEffect(() => {
    cb.current = onSucceeded;
  });
  useEffect(() => {
    for (const j of downloads) {
      if (j.state === 'succeeded' && !seen.current.has(j.id) && j.finishedAt && Date.now() - Date.parse(j.finishedAt) < 60_000) {
        seen.current.add(j.id);
        cb.current?.(j);
      }
    }
  });
  return {
    active: downloads.filter(isActive),
    failed: downloads.filter((j) => j.state === 'failed').slice(0, 1),
    start: async (req) => {
      const job = await studio.local.download({ repo: req.repo, subfolder: req.subfolder ?? null, revision: req.revision ?? null });
      useJobs.getState().merge(job);
      return job;
    },
    cancel: (id) => useJobs.getState().cancel(id),
  };
}

/** "3 min 20 s" / "45 s". */
export function formatEta(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
