import { create } from 'zustand';
import { FINISHED_STATES, type Job, type JobProgress } from '../../src-preload/contract';
import { studio } from '../transport/client';
import { reportError } from './toasts';

interface JobsState {
  jobs: Job[];
  loaded: boolean;
  load(): Promise<void>;
  upsert(job: Job): void;
  progress(jobId: string, progress: JobProgress): void;
  cancel(id: string): Promise<void>;
  clearFinished(): Promise<number>;
}

function sortJobs(jobs: Job[]): Job[] {
  return [...jobs].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

export const isActive = (job: Job): boolean => job.state === 'queued' || job.state === 'running';
export const isFinished = (job: Job): boolean => FINISHED_STATES.includes(job.state);

export const useJobs = create<JobsState>()((set, get) => ({
  jobs: [],
  loaded: false,
  async load() {
    try {
      const jobs = await studio.jobs.list({ limit: 200 });
      set({ jobs: sortJobs(jobs), loaded: true });
    } catch (err) {
      reportError(err);
    }
  },
  upsert(job) {
    const rest = get().jobs.filter((j) => j.id !== job.id);
    set({ jobs: sortJobs([job, ...rest]) });
  },
  progress(jobId, progress) {
    const jobs = get().jobs;
    const i = jobs.findIndex((j) => j.id === jobId);
    const found = jobs[i];
    if (!found || isFinished(found)) return;
    const next = [...jobs];
    next[i] = { ...found, progress };
    set({ jobs: next });
  },
  async cancel(id) {
    try {
      get().upsert(await studio.jobs.cancel({ id }));
    } catch (err) {
      reportError(err);
    }
  },
  async clearFinished() {
    try {
      const { removed } = await studio.jobs.clearFinished();
      set({ jobs: get().jobs.filter((j) => !isFinished(j)) });
      return removed;
    } catch (err) {
      reportError(err);
      return 0;
    }
  },
}));

let wired = false;
/** Live job rows and progress; a reconnect re-reads the list (events may have been missed). */
export function wireJobEvents(): void {
  if (wired) return;
  wired = true;
  studio.on('job.updated', (job) => useJobs.getState().upsert(job));
  studio.on('job.progress', ({ jobId, progress }) => useJobs.getState().progress(jobId, progress));
  studio.onReconnect(() => void useJobs.getState().load());
}
