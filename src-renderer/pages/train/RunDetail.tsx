// One run: live state (step, loss, speed, ETA, what it is doing), controls (stop, resume,
// mark as stopped), the loss chart, samples by step × prompt, checkpoints and the log tail.
import { useEffect, useState, type ReactElement } from 'react';
import type { TrainingRun, TrainingRunDetail } from '@shared/contract';
import { ProgressBar } from '../../components/Controls';
import { MAX_LORAS, useLoras } from '../../stores/loras';
import { usePods } from '../../stores/pods';
import { navigate } from '../../stores/router';
import { notify, reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { LossChart } from './LossChart';
import { RunCost, StallNotice } from './RunCost';
import { ACTIVE_STATES, formatEta, useTraining } from './store';

const STATE_LABEL: Record<TrainingRun['state'], string> = {
  queued: 'Queued',
  preparing: 'Preparing',
  running: 'Training',
  stopping: 'Stopping',
  completed: 'Completed',
  stopped: 'Stopped',
  failed: 'Failed',
  lost: 'Process gone',
};
const STATE_BADGE: Record<TrainingRun['state'], string> = {
  queued: 'queued',
  preparing: 'queued',
  running: 'running',
  stopping: 'running',
  completed: 'succeeded',
  stopped: 'cancelled',
  failed: 'failed',
  lost: 'interrupted',
};

/** Train → Generate: the checkpoint joins Generate's LoRA picker, the runtime switches to remote, Generate opens. */
function openInGenerate(runName: string, file: string): void {
  if (!useLoras.getState().add({ path: file, name: runName })) {
    notify(`Generate already has ${MAX_LORAS} LoRAs: remove one there first.`, 'info');
    return;
  }
  const pods = usePods.getState();
  if (pods.runtime !== 'remote') pods.choose('remote', pods.podId);
  navigate('generate');
}

export function RunStateBadge(props: { state: TrainingRun['state'] }): ReactElement {
  return (
    <span className={`badge badge-${STATE_BADGE[props.state]}`} data-testid="run-state" data-state={props.state}>
      {STATE_LABEL[props.state]}
    </span>
  );
}

function Sample(props: { runId: string; file: string; alt: string }): ReactElement {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    studio.training
      .sample({ id: props.runId, file: props.file })
      .then((r) => live && setUrl(r.dataUrl))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [props.runId, props.file]);
  return url ? (
    <img src={url} alt={props.alt} title={props.alt} data-testid="sample-image" style={{ width: '100%', aspectRatio: '1', objectFit: 'cover', borderRadius: 6 }} />
  ) : (
    <div className="muted" style={{ aspectRatio: '1' }} />
  );
}

function SamplesGrid(props: { detail: TrainingRunDetail }): ReactElement {
  const { samples, run } = props.detail;
  if (samples.length === 0) return <p className="muted">Samples appear at each sample interval.</p>;
  const prompts = [...new Set(samples.map((s) => s.prompt))].sort((a, b) => a - b);
  const steps = [...new Set(samples.map((s) => s.step))].sort((a, b) => b - a);
  const at = new Map(samples.map((s) => [`${s.step}:${s.prompt}`, s]));
  const text = new Map(samples.map((s) => [s.prompt, s.promptText]));
  return (
    <div style={{ overflowX: 'auto' }}>
      <table data-testid="samples-grid" style={{ borderSpacing: 6, tableLayout: 'fixed' }}>
        <thead>
          <tr>
            <th style={{ width: 70 }}>Step</th>
            {prompts.map((p) => (
              <th key={p} className="muted" style={{ width: 120, fontWeight: 400, fontSize: 12 }} title={text.get(p) ?? ''}>
                {(text.get(p) ?? `prompt ${p + 1}`).slice(0, 40)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {steps.map((step) => (
            <tr key={step} data-testid="samples-row" data-step={step}>
              <td className="mono">{step}</td>
              {prompts.map((p) => {
                const s = at.get(`${step}:${p}`);
                return <td key={p}>{s ? <Sample runId={run.id} file={s.file} alt={`step ${step}, ${text.get(p) ?? `prompt ${p + 1}`}`} /> : null}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RunDetail(props: { detail: TrainingRunDetail }): ReactElement {
  const { run } = props.detail;
  const [busy, setBusy] = useState(false);
  const [moreSteps, setMoreSteps] = useState('');
  const refresh = useTraining((s) => s.refreshDetail);
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
      await refresh();
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };
  const active = ACTIVE_STATES.includes(run.state);
  const fraction = run.total > 0 ? run.step / run.total : null;
  return (
    <div className="card" data-testid="run-detail" data-run={run.id} style={{ padding: 16, display: 'grid', gap: 16 }}>
      <header style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
        <h2 className="section-title" style={{ margin: 0 }}>{run.name}</h2>
        <RunStateBadge state={run.state} />
        <span className="muted">
          {run.model} · {run.dataset} · {run.hostLabel}
          {active && !run.attached ? ' · not attached' : ''}
        </span>
        <span style={{ flex: 1 }} />
        {run.state === 'running' || run.state === 'preparing' ? (
          <button type="button" className="btn btn-danger" disabled={busy} data-testid="run-stop" onClick={() => act(() => studio.training.stop({ id: run.id }))}>
            Stop
          </button>
        ) : null}
        {run.state === 'queued' ? (
          <button type="button" className="btn" disabled={busy} data-testid="run-dequeue" onClick={() => act(() => studio.training.stop({ id: run.id }))}>
            Remove from queue
          </button>
        ) : null}
        {run.state === 'stopped' || run.state === 'failed' || run.state === 'lost' ? (
          <button type="button" className="btn btn-primary" disabled={busy} data-testid="run-resume" onClick={() => act(() => studio.training.resume({ id: run.id }))}>
            Resume
          </button>
        ) : null}
        {run.state === 'completed' ? (
          <span className="input-group">
            <input className="input" style={{ width: 110 }} inputMode="numeric" placeholder={`> ${run.total} steps`} aria-label="Train up to steps" value={moreSteps} onChange={(e) => setMoreSteps(e.target.value)} />
            <button type="button" className="btn" disabled={busy || !(Number(moreSteps) > run.total)} onClick={() => act(() => studio.training.resume({ id: run.id, steps: Number(moreSteps) }))}>
              Train further
            </button>
          </span>
        ) : null}
        {run.state === 'lost' ? (
          <button type="button" className="btn" disabled={busy} data-testid="run-mark-stopped" onClick={() => act(() => studio.training.markStopped({ id: run.id }))}>
            Mark as stopped
          </button>
        ) : null}
      </header>
      <div style={{ display: 'grid', gap: 6 }}>
        <ProgressBar fraction={fraction} label={`${run.name} progress`} tone={run.state === 'failed' ? 'danger' : run.state === 'completed' ? 'success' : 'accent'} testId="run-progress" />
        <div style={{ display: 'flex', gap: 18, flexWrap: 'wrap' }} className="mono">
          <span data-testid="run-step">
            step {run.step}/{run.total}
          </span>
          <span data-testid="run-loss">loss {run.loss !== null ? run.loss.toFixed(4) : '—'}</span>
          <span>lr {run.lr !== null ? run.lr.toExponential(1) : '—'}</span>
          <span>{run.secondsPerStep !== null ? `${run.secondsPerStep.toFixed(2)} s/step` : '—'}</span>
          <span data-testid="run-eta">ETA {formatEta(run.etaSeconds)}</span>
          <RunCost run={run} />
        </div>
        {run.message ? <div className="muted" data-testid="run-message">{run.message}</div> : null}
        <StallNotice run={run} />
        {run.resumedFromStep !== null ? <div data-testid="run-resumed">Resumed from step {run.resumedFromStep} (confirmed by ai-toolkit).</div> : null}
        {run.resumeNote ? (
          <div className="field-error" role="alert" data-testid="run-resume-note">
            {run.resumeNote}
          </div>
        ) : null}
        {run.error ? (
          <div className="field-error" role="alert" data-testid="run-error">
            {run.error.message}
          </div>
        ) : null}
      </div>
      <section>
        <h3 className="field-label">Loss</h3>
        <LossChart points={props.detail.loss} total={run.total} />
      </section>
      <section>
        <h3 className="field-label">Samples</h3>
        <SamplesGrid detail={props.detail} />
      </section>
      <section>
        <h3 className="field-label">Checkpoints</h3>
        {props.detail.checkpoints.length === 0 ? (
          <p className="muted">Checkpoints are fetched from the host as ai-toolkit saves them.</p>
        ) : (
          <ul data-testid="checkpoints" style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: 4 }}>
            {props.detail.checkpoints.map((c) => (
              <li key={c.file} style={{ display: 'flex', gap: 12, alignItems: 'center' }} data-testid="checkpoint">
                <span className="mono">{c.file}</span>
                <span className="muted">{c.final ? 'final' : `step ${c.step}`} · {(c.bytes / 1024 / 1024).toFixed(1)} MB</span>
                <button type="button" className="btn btn-sm btn-ghost" onClick={() => act(() => studio.app.revealPath({ path: c.path }))}>
                  Show file
                </button>
                <button
                  type="button"
                  className="btn btn-sm btn-ghost"
                  title="Add this LoRA to Generate’s LoRA picker (remote runtime); it is uploaded to the pod when first used"
                  onClick={() => openInGenerate(run.id, c.path)}
                  data-testid="checkpoint-use"
                >
                  Use in Generate
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h3 className="field-label">Log</h3>
        <pre className="mono" tabIndex={0} aria-label="Training log" data-testid="run-log" style={{ maxHeight: 240, overflow: 'auto', fontSize: 12, whiteSpace: 'pre-wrap', margin: 0 }}>
          {props.detail.logTail.slice(-60).join('\n') || '—'}
        </pre>
      </section>
    </div>
  );
}
