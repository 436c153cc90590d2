import { useEffect, useState, type ReactElement } from 'react';
import type { TrainingRun } from '@shared/contract';
import { EmptyState, PageHeader, ProgressBar } from '../../components/Controls';
import { ArrowRightIcon, PlusIcon, TrainIcon } from '../../components/Icons';
import { navigate } from '../../stores/router';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { clearHandoff, handedOverDataset } from '../../handoffs/train';
import { RunDetail, RunStateBadge } from './RunDetail';
import { formatEta, useTraining, wireTrainingEvents } from './store';
import { Wizard } from './Wizard';

/**
 * Each target's queue: the runs that start one after another when the one in progress ends
 * (an overnight queue). Reorder and cancel act on their jobs (jobs.reorder, jobs.cancel).
 */
function RunQueue(props: { runs: TrainingRun[] }): ReactElement | null {
  const [busy, setBusy] = useState(false);
  const queued = props.runs
    .filter((r) => r.state === 'queued' && r.jobId !== null)
    .sort((a, b) => a.target.localeCompare(b.target) || (a.queuePosition ?? 0) - (b.queuePosition ?? 0));
  if (queued.length === 0) return null;
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };
  const targets = [...new Set(queued.map((r) => r.target))];
  return (
    <section className="card" aria-label="Training queue" data-testid="train-queue" style={{ padding: 12, marginTop: 16, display: 'grid', gap: 8 }}>
      <h3 className="field-label" style={{ margin: 0 }}>
        Queue
      </h3>
      {targets.map((target) => {
        const runs = queued.filter((r) => r.target === target);
        const running = props.runs.find((r) => r.target === target && ['preparing', 'running', 'stopping'].includes(r.state));
        return (
          <div key={target} data-testid="train-queue-target" data-target={target} style={{ display: 'grid', gap: 4 }}>
            <span className="muted" style={{ fontSize: 12 }}>
              {runs[0]?.hostLabel ?? target}: {running ? `after ${running.name}, ` : ''}one after another
            </span>
            <ol style={{ margin: 0, paddingLeft: 20, display: 'grid', gap: 4 }}>
              {runs.map((r, i) => (
                <li key={r.id} data-testid="queue-item" data-run={r.id} data-position={r.queuePosition ?? ''}>
                  <span style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
                    <strong className="mono" style={{ flex: 1 }}>
                      {r.name}
                    </strong>
                    <span className="muted mono" style={{ fontSize: 12 }}>
                      {r.total} steps
                    </span>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      aria-label={`Move ${r.name} up`}
                      data-testid="queue-up"
                      disabled={busy || i === 0}
                      onClick={() => void act(() => studio.jobs.reorder({ id: r.jobId as string, to: 'up' }))}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      aria-label={`Move ${r.name} down`}
                      data-testid="queue-down"
                      disabled={busy || i === runs.length - 1}
                      onClick={() => void act(() => studio.jobs.reorder({ id: r.jobId as string, to: 'down' }))}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      aria-label={`Remove ${r.name} from the queue`}
                      data-testid="queue-cancel"
                      disabled={busy}
                      onClick={() => void act(() => studio.jobs.cancel({ id: r.jobId as string }))}
                    >
                      Cancel
                    </button>
                  </span>
                </li>
              ))}
            </ol>
          </div>
        );
      })}
    </section>
  );
}

export function TrainPage(): ReactElement {
  const { runs, loaded, options, detail, selected } = useTraining();
  const [handoff] = useState(() => handedOverDataset());
  const [wizard, setWizard] = useState<boolean>(handoff !== null);

  useEffect(() => {
    wireTrainingEvents();
    const s = useTraining.getState();
    void s.load();
    void s.loadOptions();
    if (handoff) clearHandoff();
  }, [handoff]);

  const noDatasets = options !== null && options.datasets.length === 0;
  const showWizard = options !== null && !noDatasets && (wizard || (loaded && runs.length === 0));

  return (
    <div className="page" data-testid="page-train">
      <PageHeader
        title="Train"
        description="Train a LoRA with ai-toolkit on your pod (or this computer): pick a dataset, a model and a preset; watch loss, samples and checkpoints arrive."
        actions={
          !showWizard && !noDatasets ? (
            <button type="button" className="btn btn-primary" data-testid="train-new" onClick={() => setWizard(true)}>
              <PlusIcon /> New training
            </button>
          ) : null
        }
      />
      {noDatasets && runs.length === 0 ? (
        <EmptyState
          icon={<TrainIcon size={28} />}
          title="Pick a dataset to train on"
          testId="train-empty"
          actions={
            <button type="button" className="btn btn-primary" onClick={() => navigate('datasets')}>
              Go to Datasets <ArrowRightIcon />
            </button>
          }
        >
          <p>A training run needs a dataset: a folder of images with captions. Create one on the Datasets page, then come back here.</p>
        </EmptyState>
      ) : null}
      {showWizard && options ? (
        <Wizard
          options={options}
          dataset={handoff}
          onClose={() => setWizard(false)}
          onStarted={(id) => {
            setWizard(false);
            useTraining.getState().select(id);
          }}
        />
      ) : null}
      <RunQueue runs={runs} />
      {runs.length > 0 ? (
        <div style={{ display: 'grid', gridTemplateColumns: 'minmax(220px, 300px) 1fr', gap: 16, alignItems: 'start', marginTop: 16 }}>
          <ul aria-label="Training runs" data-testid="train-runs" style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: 8 }}>
            {runs.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  className="card"
                  aria-current={r.id === selected ? 'true' : undefined}
                  data-testid="train-run"
                  data-run={r.id}
                  onClick={() => useTraining.getState().select(r.id)}
                  style={{ width: '100%', textAlign: 'left', padding: 10, display: 'grid', gap: 6, outline: r.id === selected ? '2px solid var(--accent, #6b8afd)' : undefined }}
                >
                  <span style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                    <strong className="mono">{r.name}</strong>
                    <RunStateBadge state={r.state} />
                  </span>
                  <ProgressBar fraction={r.total > 0 ? r.step / r.total : null} label={`${r.name} progress`} tone={r.state === 'failed' ? 'danger' : r.state === 'completed' ? 'success' : 'accent'} />
                  <span className="muted mono" style={{ fontSize: 12 }}>
                    {r.state === 'queued' ? `queued #${r.queuePosition ?? '?'} on ${r.hostLabel}` : `${r.step}/${r.total} · ETA ${formatEta(r.etaSeconds)}`}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {detail && detail.run.id === selected ? <RunDetail detail={detail} /> : <div className="muted">Select a run.</div>}
        </div>
      ) : null}
    </div>
  );
}
