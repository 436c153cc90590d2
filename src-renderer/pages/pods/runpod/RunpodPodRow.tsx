// One pod of the RunPod account: status, GPU, cloud, $/h now, uptime, volume, this session's
// cost, the idle watchdog; Start (a job: "starting pod, ~N s") / Stop in one place, Link (so
// Generate and Train can use a pod made on the website), and Terminate behind its dialog.
import { useId, useState, type ReactElement } from 'react';
import type { Job, RunpodPod } from '@shared/contract';
import { DisabledReason } from '../../../components/DisabledReason';
import { duration, perHour, usd } from '../../../lib/runpod-format';
import { useRunpod } from '../../../stores/runpod';
import { reportError } from '../../../stores/toasts';
import { studio } from '../../../transport/client';
import { JobLine, useLiveJob } from './JobLine';
import { TerminateDialog } from './TerminateDialog';
import { WatchdogCountdown } from './WatchdogCountdown';

const STATE_LABEL: Record<RunpodPod['status'], string> = {
  PROVISIONING: 'provisioning',
  STARTING: 'starting',
  RUNNING: 'running',
  EXITED: 'stopped',
  ERROR: 'error',
  TERMINATED: 'terminated',
};

/** Why the Start/Stop slot is disabled, or null. */
function toggleReason(pod: RunpodPod, starting: boolean): string | null {
  if (starting) return null;
  if (pod.status === 'RUNNING') return pod.actions.includes('stop') ? null : 'RunPod does not allow stopping this pod right now; try again in a moment.';
  if (pod.status === 'EXITED') return pod.actions.includes('start') ? null : 'RunPod does not allow starting this pod right now (no GPU free on its host?).';
  if (pod.status === 'PROVISIONING' || pod.status === 'STARTING') return 'RunPod is still bringing this pod up; Stop comes when it runs.';
  return 'This pod is in an error state on RunPod; terminate it or check it on runpod.io.';
}

export function RunpodPodRow(props: { pod: RunpodPod }): ReactElement {
  const pod = props.pod;
  const [startJob, setStartJob] = useState<Job | null>(null);
  const [terminating, setTerminating] = useState(false);
  const [busy, setBusy] = useState(false);
  const live = useLiveJob(startJob);
  const starting = live !== null && (live.state === 'queued' || live.state === 'running');
  const reasonId = useId();
  const run = (fn: () => Promise<unknown>) => () => {
    setBusy(true);
    void fn()
      .catch(reportError)
      .finally(() => setBusy(false));
  };
  const running = pod.status === 'RUNNING';
  // costPerHr is what RunPod bills for compute now (also while it provisions and starts; 0 when stopped).
  const nowPerHr = pod.costPerHr + pod.storageCostPerHr;
  const reason = toggleReason(pod, starting);
  const gpu = pod.gpu ? `${pod.gpu.count > 1 ? `${pod.gpu.count} × ` : ''}${pod.gpu.displayName}` : 'no GPU';
  const volume = pod.networkVolumeId ? `network volume ${pod.networkVolumeId}` : pod.volumeGb > 0 ? `${pod.volumeGb} GB volume` : 'no volume';
  return (
    <div className="card runpod-row" data-testid="runpod-pod" data-pod={pod.name} data-status={pod.status}>
      <div className="runpod-row-main">
        <div className="runpod-row-info">
          <div className="runpod-row-title">
            <span className={`runpod-state is-${pod.status.toLowerCase()}`} data-testid="runpod-pod-state">
              {STATE_LABEL[pod.status]}
            </span>
            <strong>{pod.name}</strong>
            <code className="muted small">{pod.id}</code>
            {pod.createdByStudio ? <span className="tag">made by the studio</span> : <span className="tag">made on runpod.io</span>}
          </div>
          <dl className="runpod-facts small">
            <div>
              <dt>GPU</dt>
              <dd data-testid="runpod-pod-gpu">
                {gpu}
                {pod.cloud ? ` · ${pod.cloud === 'SECURE' ? 'secure' : 'community'}` : ''}
              </dd>
            </div>
            <div>
              <dt>Costs now</dt>
              <dd data-testid="runpod-pod-rate" title={`compute ${perHour(pod.costPerHr)} now, storage ${perHour(pod.storageCostPerHr)} always`}>
                {perHour(nowPerHr)}
                {pod.costPerHr > 0 ? '' : ' (storage)'}
              </dd>
            </div>
            <div>
              <dt>This session</dt>
              <dd data-testid="runpod-pod-session">{usd(pod.sessionSpendUsd)}</dd>
            </div>
            <div>
              <dt>Uptime</dt>
              <dd>{pod.uptimeSec !== null && running ? duration(pod.uptimeSec) : '—'}</dd>
            </div>
            <div>
              <dt>Storage</dt>
              <dd>
                {volume} · {pod.containerDiskGb} GB disk
              </dd>
            </div>
          </dl>
        </div>
        <div className="runpod-row-actions">
          {running ? (
            <button
              type="button"
              className="btn btn-sm runpod-toggle-slot"
              disabled={busy || reason !== null}
              aria-describedby={reason ? reasonId : undefined}
              onClick={run(async () => useRunpod.getState().upsertPod(await studio.runpod.stop({ id: pod.id })))}
              data-testid="runpod-stop"
            >
              Stop
            </button>
          ) : (
            <button
              type="button"
              className="btn btn-primary btn-sm runpod-toggle-slot"
              disabled={busy || starting || reason !== null}
              aria-describedby={reason ? reasonId : undefined}
              onClick={run(async () => setStartJob(await studio.runpod.start({ id: pod.id })))}
              data-testid="runpod-start"
            >
              {starting ? 'Starting…' : 'Start'}
            </button>
          )}
          {running && pod.profileId === null ? (
            <button type="button" className="btn btn-sm" disabled={busy} onClick={run(() => studio.runpod.link({ id: pod.id }).then((p) => useRunpod.getState().upsertPod(p)))} data-testid="runpod-link">
              Use for Generate / Train
            </button>
          ) : null}
          <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setTerminating(true)} data-testid="runpod-terminate">
            Terminate…
          </button>
        </div>
      </div>
      <DisabledReason id={reasonId} testId="runpod-toggle-reason" reason={reason} />
      <div className="runpod-row-foot">
        <WatchdogCountdown pod={pod} />
        {pod.profileId ? (
          <span className="muted small" data-testid="runpod-linked">
            Generate and Train reach it as an SSH pod (below); its address follows every start.
          </span>
        ) : null}
      </div>
      {startJob ? <JobLine job={startJob} label={`Starting ${pod.name}`} testId="runpod-start-progress" /> : null}
      {terminating ? <TerminateDialog pod={pod} onClose={() => setTerminating(false)} /> : null}
    </div>
  );
}
