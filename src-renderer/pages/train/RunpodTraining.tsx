// "Train on RunPod" in the wizard (docs/architecture.md, "Train on RunPod"): for a new pod the
// GPU (catalog with price and stock) and cloud; for any RunPod target the estimated time and
// cost before the click (training.estimate: earlier runs on that GPU, else the default table),
// what happens to the pod after the run, and the question when the estimate is over budget.
import { useEffect, useState, type ReactElement } from 'react';
import type { GpuOffer, TrainingModel } from '@shared/contract';
import { FieldRow } from '../../components/Controls';
import { DisabledReason } from '../../components/DisabledReason';
import { formatUsd } from '../../lib/money';
import { hrefFor } from '../../stores/router';
import { useSettings } from '../../stores/settings';
import { studio } from '../../transport/client';
import { RUNPOD_NEW, runpodBlock, useRunpodChoice } from './runpod-choice';

function duration(seconds: number): string {
  const m = Math.round(seconds / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min` : `${m} min`;
}

function GpuPicker(): ReactElement {
  const c = useRunpodChoice();
  const [gpus, setGpus] = useState<GpuOffer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    studio.runpod.gpus().then(
      (g) => live && setGpus(g),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, []);
  const price = (g: GpuOffer) => (c.cloud === 'SECURE' ? g.securePrice : g.communityPrice);
  const offered = (gpus ?? []).filter((g) => price(g) !== null);
  return (
    <>
      <FieldRow label="GPU" htmlFor="train-runpod-gpu" description={error ?? (gpus ? 'Price per hour while the pod runs; the pod is stopped when the run ends.' : 'Reading the GPU catalog…')}>
        <select id="train-runpod-gpu" className="select" data-testid="train-runpod-gpu" value={c.gpuTypeId} onChange={(e) => c.set({ gpuTypeId: e.target.value, overBudgetOk: false })}>
          <option value="">Pick a GPU…</option>
          {offered.map((g) => (
            <option key={g.id} value={g.id}>
              {g.displayName} · {g.memoryGb} GB · {formatUsd(price(g) as number)}/h{(c.cloud === 'SECURE' ? g.secureStock : g.communityStock) ? ` · ${c.cloud === 'SECURE' ? g.secureStock : g.communityStock} stock` : ' · none free now'}
            </option>
          ))}
        </select>
      </FieldRow>
      <FieldRow label="Cloud" htmlFor="train-runpod-cloud">
        <select id="train-runpod-cloud" className="select" data-testid="train-runpod-cloud" value={c.cloud} onChange={(e) => c.set({ cloud: e.target.value as 'SECURE' | 'COMMUNITY', overBudgetOk: false })}>
          <option value="SECURE">Secure cloud</option>
          <option value="COMMUNITY">Community cloud (cheaper, less reliable)</option>
        </select>
      </FieldRow>
    </>
  );
}

export function RunpodTraining(props: { targetId: string; rented: boolean; model: TrainingModel; steps: number | null }): ReactElement | null {
  const c = useRunpodChoice();
  const after = useSettings((s) => s.settings?.runpodAfterTraining ?? 'stop');
  const { targetId, rented, model, steps } = props;
  const gpu = c.gpuTypeId;
  const cloud = c.cloud;
  const set = c.set;
  useEffect(() => {
    if (!rented || !steps || steps < 1 || (targetId === RUNPOD_NEW && !gpu)) {
      set({ estimate: null, estimateError: null });
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      studio.training.estimate({ target: targetId, model, steps, ...(targetId === RUNPOD_NEW ? { runpod: { gpuTypeId: gpu, cloud } } : {}) }).then(
        // A yes given to another estimate does not carry over.
        (estimate) => live && set({ estimate, estimateError: null, overBudgetOk: false }),
        (err: Error) => live && set({ estimate: null, estimateError: err.message }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [targetId, rented, model, steps, gpu, cloud, set]);
  if (!rented) return null;
  const e = c.estimate;
  return (
    <div className="card" data-testid="train-runpod" style={{ padding: 12, display: 'grid', gap: 8 }}>
      {targetId === RUNPOD_NEW ? <GpuPicker /> : null}
      {e ? (
        <p data-testid="train-estimate" style={{ margin: 0 }}>
          Estimated <strong>{duration(e.seconds)}</strong>
          {e.usd !== null ? (
            <>
              {' '}
              and <strong data-testid="train-estimate-usd">{formatUsd(e.usd)}</strong> at {formatUsd(e.ratePerHr ?? 0)}/h
            </>
          ) : null}
          <span className="muted small">
            {' '}
            ({e.secondsPerStep.toFixed(2)} s/step from {e.basisNote}, plus {duration(e.setupSeconds)} to {targetId === RUNPOD_NEW ? 'create the pod' : 'start the pod'}, install and download).
          </span>
          {e.budgetLeftUsd !== null ? <span className="muted small"> {formatUsd(e.budgetLeftUsd)} left of your {e.budgetCap} budget.</span> : null}
        </p>
      ) : c.estimateError ? (
        <p className="field-error" data-testid="train-estimate-error">
          {c.estimateError}
        </p>
      ) : (
        <p className="muted small">{targetId === RUNPOD_NEW && !gpu ? 'Pick a GPU to see the estimated time and cost.' : 'Estimating…'}</p>
      )}
      <p className="muted small" style={{ margin: 0 }}>
        {targetId === RUNPOD_NEW ? 'One click: the pod is created, prepared and trained on, the LoRA comes home, and the pod is ' : 'The pod is started if stopped, and when the run ends or fails it is '}
        {after === 'terminate' ? 'terminated (its volume destroyed)' : after === 'keep' ? 'left running' : 'stopped'} — <a href={hrefFor('settings')}>Settings</a> (runpodAfterTraining).
      </p>
      {e?.exceedsBudget ? (
        <label style={{ display: 'flex', gap: 8, alignItems: 'center' }} data-testid="train-over-budget">
          <input type="checkbox" checked={c.overBudgetOk} onChange={(ev) => set({ overBudgetOk: ev.target.checked })} />
          <span>
            This is more than the {formatUsd(e.budgetLeftUsd ?? 0)} left of your {e.budgetCap} budget. Start anyway (the cap still stops the pod when it is reached).
          </span>
        </label>
      ) : null}
      <DisabledReason reason={runpodBlock(c, targetId, rented)} testId="train-runpod-why" action={<a href={hrefFor('settings')}>Budget in Settings</a>} />
    </div>
  );
}
