// One pod in Settings → Pods: its state, host key check, Connect, Edit, Remove, and Prepare
// (with the model to download).
import { useState, type ReactElement } from 'react';
import type { HostKeyScan, Job, PodProfile } from '@shared/contract';
import { StatusDot } from '../../../components/StatusDot';
import { statusText, usePods } from '../../../stores/pods';
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
  const run = (fn: () => Promise<unknown>) => () => void fn().catch(reportError);
  return (
    <div className="card" style={{ padding: 12, display: 'flex', flexDirection: 'column', gap: 8 }} data-testid="pod-row" data-pod={pod.name}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
        <StatusDot podId={pod.id} testId="pod-status-dot" />
        <strong>{pod.name}</strong>
        <code className="muted small">
          {pod.user}@{pod.host}:{pod.port}
        </code>
        <span className="muted small" data-testid="pod-status-text">
          {pod.hostKey ? statusText(status) : 'host key not trusted yet'}
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-sm" onClick={run(async () => setScan(await studio.pods.scanHostKey({ id: pod.id })))} data-testid="pod-check-key">
          {pod.hostKey ? 'Host key' : 'Check host key'}
        </button>
        <button type="button" className="btn btn-sm" disabled={!pod.hostKey} onClick={run(() => studio.pods.connect({ id: pod.id }))} data-testid="pod-connect">
          Connect
        </button>
        <button type="button" className="btn btn-sm" onClick={props.onEdit} data-testid="pod-edit">
          Edit
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={run(async () => {
            if (!window.confirm(`Remove the pod ${pod.name}? Its images stay on disk.`)) return;
            await studio.pods.remove({ id: pod.id });
            await usePods.getState().load();
          })}
        >
          Remove
        </button>
      </div>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <select className="input" style={{ width: 180 }} value={model} onChange={(e) => setModel(e.target.value as typeof model)} aria-label="Model to download">
          <option value="flux-dev">FLUX.1-dev</option>
          <option value="flux-schnell">FLUX.1-schnell</option>
          <option value="none">no model</option>
        </select>
        <button type="button" className="btn btn-sm" disabled={!pod.hostKey} onClick={run(async () => setPrepare(await studio.pods.prepare({ id: pod.id, model })))} data-testid="pod-prepare">
          Prepare pod
        </button>
        <span className="muted small">Uploads the worker, creates the venv, installs pinned packages and downloads the model (once).</span>
      </div>
      {prepare ? <PrepareLog job={prepare} /> : null}
      {scan ? <FingerprintDialog pod={pod} scan={scan} onClose={() => setScan(null)} /> : null}
    </div>
  );
}
