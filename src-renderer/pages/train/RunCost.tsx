// A run's cost on rented GPUs: what its finished jobs cost (GPU $/h x running seconds) and the
// rate it runs at now; and the stall guard's notice (docs/architecture.md, "Cost, budget and
// stall guard").
import type { ReactElement } from 'react';
import type { TrainingRun } from '@shared/contract';
import { formatUsd } from '../../lib/money';

export function RunCost(props: { run: TrainingRun }): ReactElement | null {
  const { costUsd, ratePerHr } = props.run;
  if (costUsd === null && ratePerHr === null) return null;
  return (
    <span data-testid="run-cost" title="GPU $/h × the seconds its jobs ran">
      cost {costUsd !== null ? formatUsd(costUsd) : '—'}
      {ratePerHr !== null ? ` · ${formatUsd(ratePerHr)}/h now` : ''}
    </span>
  );
}

export function StallNotice(props: { run: TrainingRun }): ReactElement | null {
  if (!props.run.stalledSince) return null;
  return (
    <div className="field-error" role="alert" data-testid="run-stalled">
      Stalled since {new Date(props.run.stalledSince).toLocaleTimeString()}: the step has not advanced. Stop the run (it can be resumed from its last
      checkpoint), or wait. The stall time and whether a stalled run’s pod is stopped are the settings trainingStallMinutes and
      stopPodOnStall.
    </div>
  );
}
