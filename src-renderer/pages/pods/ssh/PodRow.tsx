// One SSH pod profile on the Pods page: its address and readiness (ready = connected, prepared
// and with a GPU; otherwise what is missing, with Prepare), host key check, Connect / Disconnect
// in one place that never moves, Edit, Remove, and Prepare (with the model to download).
import { useId, useState, type ReactElement } from 'react';
import type { HostKeyScan, Job, PodProfile } from '@shared/contract';
import { DisabledReason } from '../../../components/DisabledReason';
import { StatusDot } from '../../../components/StatusDot';
import { podReadiness, usePods } from '../../../stores/pods';
import { reportError } from '../../../stores/toasts';
import { studio } from '../../../transport/client';
import { FingerprintDialog } from './FingerprintDialog';
import { PrepareLog } from './PrepareLog';

export function PodRow(props: { pod: PodProfile; onEdit(): void }): ReactElement {
  const pod = props.pod;
  const status = usePods((s) => s.status[pod.id]);
  const [scan, setScan] = useState<HostKeyScan | null>(null);
  const [prepare, setPrepare] = useState<Job | null>(null);
  const [model, setModel] = useState<'flux-dev' | 'flux-schnell' | 'none'>('flux-dev');
  const [busy, setBusy] = useState(false);
  const reasonId = useId();
  const run = (fn: () => Promise<unknown>) => () => {
    setBusy(true);
    void fn()
      .catch(reportError)
      .finally(() => setBusy(false));
  };
  const state = status?.state ?? 'disconnected';
  const linked = state === 'connected' || state === 'connecting' || state === 'reconnecting';
  const readiness = podReadiness(status);
  const untrusted = pod.hostKey === null;
  const checkKey = run(async () => setScan(await studio.pods.scanHostKey({ id: pod.id })));
  return (
    <div className="card pod-row" data-testid="pod-row" data-pod={pod.name}>
      <div className="pod-row-main">
        <div className="pod-row-info">
          <div className="pod-row-title">
            <StatusDot podId={pod.id} testId="pod-status-dot" />
            <strong>{pod.name}</strong>
            <code className="muted small">
              {pod.user}@{pod.host}:{pod.port}
            </code>
            {pod.runpodId ? <span className="tag">RunPod {pod.runpodId}</span> : null}
          </div>
          <div className="small pod-row-status" data-testid="pod-status-text" data-readiness={untrusted ? 'untrusted' : readiness.kind}>
            {untrusted ? (
              'host key not trusted yet'
            ) : readiness.kind === 'ready' ? (
              <span className="pod-ready">Ready · {readiness.gpu}</span>
            ) : readiness.kind === 'unchecked' ? (
              <span className="muted">
                Connected · GPU and preparation not checked yet{' '}
                <button type="button" className="btn btn-ghost btn-sm" disabled={busy} onClick={run(() => studio.pods.connect({ id: pod.id }))} data-testid="pod-check-now">
                  Check now
                </button>
              </span>
            ) : readiness.kind === 'missing' ? (
              <span className="pod-missing">Connected, not ready: {readiness.missing.join(' · ')}</span>
            ) : (
              <span className="muted">{readiness.text}</span>
            )}
          </div>
        </div>
        <div className="pod-row-actions">
          <button type="button" className="btn btn-sm" onClick={checkKey} data-testid="pod-check-key">
            {untrusted ? 'Check host key' : 'Host key'}
          </button>
          {linked ? (
            <button type="button" className="btn btn-sm pod-connect-slot" disabled={busy} onClick={run(() => studio.pods.disconnect({ id: pod.id }))} data-testid="pod-disconnect">
              Disconnect
            </button>
          ) : (
            <button
              type="button"
              className="btn btn-sm pod-connect-slot"
              disabled={untrusted || busy}
              aria-describedby={untrusted ? reasonId : undefined}
              onClick={run(() => studio.pods.connect({ id: pod.id }))}
              data-testid="pod-connect"
            >
              {busy ? 'Connecting…' : 'Connect'}
            </button>
          )}
          <button type="button" className="btn btn-sm" onClick={props.onEdit} data-testid="pod-edit">
            Edit
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            data-testid="pod-remove"
            onClick={run(async () => {
              if (!window.confirm(`Remove the pod ${pod.name}? Its images stay on disk.`)) return;
              await studio.pods.remove({ id: pod.id });
              await usePods.getState().load();
            })}
          >
            Remove
          </button>
        </div>
      </div>
      <DisabledReason
        id={reasonId}
        testId="pod-untrusted-reason"
        reason={untrusted ? 'Connect and Prepare need the pod’s host key trusted first.' : null}
        action={
          <button type="button" className="btn btn-ghost btn-sm" onClick={checkKey}>
            Check its fingerprint
          </button>
        }
      />
      <div className="pod-row-prepare">
        <select className="input" style={{ width: 180 }} value={model} onChange={(e) => setModel(e.target.value as typeof model)} aria-label="Model to download">
          <option value="flux-dev">FLUX.1-dev</option>
          <option value="flux-schnell">FLUX.1-schnell</option>
          <option value="none">no model</option>
        </select>
        <button
          type="button"
          className={readiness.kind === 'missing' && readiness.offerPrepare ? 'btn btn-primary btn-sm' : 'btn btn-sm'}
          disabled={untrusted}
          aria-describedby={untrusted ? reasonId : undefined}
          onClick={run(async () => setPrepare(await studio.pods.prepare({ id: pod.id, model })))}
          data-testid="pod-prepare"
        >
          Prepare pod
        </button>
        <span className="muted small">Uploads the worker, creates the venv, installs pinned packages and downloads the model (once).</span>
      </div>
      {prepare ? <PrepareLog job={prepare} /> : null}
      {scan ? <FingerprintDialog pod={pod} scan={scan} onClose={() => setScan(null)} /> : null}
    </div>
  );
}
