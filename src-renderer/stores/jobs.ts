import { create } from 'zustand';
import { FINISHED_STATES, type Job, type JobProgress } from '@shared/contract';
import { studio } from '../transport/client';
import { reportError } from './toasts';

interface JobsState {
  jobs: Job[];
  loaded: boolean;
  load(): Promise<void>;
  /** A row from the event stream: events arrive in order, so it always wins. */
  upsert(job: Job): void;
  /**
   * A row from a call's answer, which may be older than events that overtook it (a quick
   * job can finish before the call that queued it answers): it never moves a job back.
   */
  merge(job: Job): void;
  progress(jobId: string, progress: JobProgress): void;
  cancel(id: string): Promise<void>;
  clearFinished(): Promise<number>;
}

function sortJobs(jobs: Job[]): Job[] {
  return [...jobs].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

const RANK: Record<Job['state'], number> = { queued: 0, running: 1, succeeded: 2, failed: 2, cancelled: 2, interrupted: 2 };

/** The fresher of two copies of one job, for copies from call answers. */
function fresher(known: Job | undefined, incoming: Job): Job {
  if (!known) return incoming;
  return RANK[known.state] > RANK[incoming.state] ? known : incoming;
}

export const isActive = (job: Job): boolean => job.state === 'queued' || job.state === 'running';
export const isFinished = (job: Job): boolean => FINISHED_STATES.includes(job.state);

/** Ids of jobs that events announced while a list request was in flight (one set per request). */
const arrivedDuringLoad = new Set<Set<string>>();

export const useJobs = create<JobsState>()((set, get) => ({
  jobs: [],
  loaded: false,
  async load() {
    const arrived = new Set<string>();
    arrivedDuringLoad.add(arrived);
    try {
      const listed = await studio.jobs.list({ limit: 200 });
      // Events may have landed while the list was in flight: keep what they said.
      const known = new Map(get().jobs.map((j) => [j.id, j]));
      const ids = new Set(listed.map((j) => j.id));
      const merged = listed.map((j) => fresher(known.get(j.id), j));
      // A job the list does not name stays if it is still running, or if an event announced it
      // after the list was read (it may even have finished already); otherwise it is gone.
      for (const j of known.values()) if (!ids.has(j.id) && (isActive(j) || arrived.has(j.id))) merged.push(j);
      set({ jobs: sortJobs(merged), loaded: true });
    } catch (err) {
      reportError(err);
    } finally {
      arrivedDuringLoad.delete(arrived);
    }
  },
  upsert(job) {
    for (const arrived of arrivedDuringLoad) arrived.add(job.id);
    const rest = get().jobs.filter((j) => j.id !== job.id);
    set({ jobs: sortJobs([job, ...rest]) });
  },
  merge(job) {
    const known = get().jobs.find((j) => j.id === job.id);
    get().upsert(fresher(known, job));
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
      get().merge(await studio.jobs.cancel({ id }));
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
  // Another window cleared finished jobs: drop ours too.
  studio.on('jobs.cleared', () => useJobs.setState((s) => ({ jobs: s.jobs.filter((j) => !isFinished(j)) })));
  studio.onReconnect(() => void useJobs.getState().load());
}
