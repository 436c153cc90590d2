// Pods page → RunPod: the account's pods (made by the studio or on runpod.io), the spend meter's
// numbers, Create (a job, with its progress here and in the tray), or, without an API key, how
// to add one.
import { useEffect, useState, type ReactElement } from 'react';
import type { Job } from '@shared/contract';
import { Section } from '../../../components/Controls';
import { perHour, usd } from '../../../lib/runpod-format';
import { useRunpod, wireRunpodEvents } from '../../../stores/runpod';
import { CreatePodForm } from './CreatePodForm';
import { JobLine, useLiveJob } from './JobLine';
import { RunpodKeyForm } from './RunpodKeyForm';
import { RunpodPodRow } from './RunpodPodRow';

function SpendSummary(): ReactElement | null {
  const spend = useRunpod((s) => s.spend);
  if (!spend) return null;
  const cap = (budget: number | null) => (budget === null ? '' : ` of ${usd(budget)}`);
  return (
    <p className="runpod-spend small" data-testid="runpod-spend">
      <span>
        <strong>{spend.running.length}</strong> running
      </span>
      <span>
        <strong>{perHour(spend.ratePerHr)}</strong> now
      </span>
      <span>
        <strong>{usd(spend.sessionUsd)}</strong> this session{cap(spend.budgetSessionUsd)}
      </span>
      <span>
        <strong>{usd(spend.monthUsd)}</strong> this month{cap(spend.budgetMonthUsd)}
      </span>
      {spend.capReached ? (
        <span className="runpod-cap" role="alert">
          The {spend.capReached} budget is reached: running pods stop after the current image. Raise it in <a href="#/settings">Settings</a>.
        </span>
      ) : null}
    </p>
  );
}

export function RunpodSection(): ReactElement {
  const access = useRunpod((s) => s.access);
  const pods = useRunpod((s) => s.pods);
  const [creating, setCreating] = useState(false);
  const [createJobs, setCreateJobs] = useState<{ job: Job; name: string }[]>([]);
  // The form stays (with what was typed) until its pod exists: a failed create can be retried.
  const [formJob, setFormJob] = useState<Job | null>(null);
  const latest = useLiveJob(formJob);
  const showForm = creating && latest?.state !== 'succeeded';
  useEffect(() => {
    wireRunpodEvents();
    void useRunpod.getState().load();
  }, []);

  let body: ReactElement;
  if (access.state === 'loading') body = <p className="muted">Reading the account…</p>;
  else if (access.state === 'no-key') body = <RunpodKeyForm />;
  else if (access.state === 'error')
    body = (
      <div className="callout is-warning" role="alert" data-testid="runpod-error" data-code={access.code}>
        <div>
          <div className="callout-title">{access.code === 'forbidden' ? 'RunPod refused the API key' : 'RunPod can’t be reached'}</div>
          <p>{access.message}</p>
          <div className="callout-actions">
            <button type="button" className="btn btn-sm" onClick={() => void useRunpod.getState().load()} data-testid="runpod-retry">
              Try again
            </button>
            {access.code === 'forbidden' ? <a href="#/settings/runpod-key">Replace the key in Settings → API keys</a> : null}
          </div>
        </div>
      </div>
    );
  else
    body = (
      <>
        <SpendSummary />
        {createJobs.map(({ job, name }) => (
          <JobLine key={job.id} job={job} label={`Creating ${name}`} testId="runpod-create-progress" />
        ))}
        {pods.length === 0 ? (
          <p className="muted" data-testid="runpod-empty">
            No pods on this account yet. Create one below; pods made on runpod.io show up here too.
          </p>
        ) : (
          <div className="pod-list" data-testid="runpod-pods">
            {pods.map((p) => (
              <RunpodPodRow key={p.id} pod={p} />
            ))}
          </div>
        )}
        {showForm ? (
          <CreatePodForm
            pending={latest !== null && (latest.state === 'queued' || latest.state === 'running')}
            onCreated={(job, name) => {
              setCreateJobs((cur) => [{ job, name }, ...cur]);
              setFormJob(job);
            }}
            onCancel={() => setCreating(false)}
          />
        ) : (
          <div>
            <button type="button" className="btn btn-primary btn-sm" onClick={() => (setFormJob(null), setCreating(true))} data-testid="runpod-create">
              Create pod…
            </button>
          </div>
        )}
      </>
    );

  return (
    <Section title="RunPod" description="Rent GPUs by the hour: create, start, stop and terminate pods and see what they cost. Idle pods stop themselves." testId="runpod-section">
      <div className="pod-list">{body}</div>
    </Section>
  );
}
