// What a job cost on a rented GPU (its pod's $/h x its running seconds, stored with the job;
// docs/architecture.md, "Cost, budget and stall guard"). Nothing for unbilled work.
import type { ReactElement } from 'react';
import { formatUsd } from '../lib/money';

export function JobCost(props: { costUsd: number | null | undefined; prefix?: string; testId?: string }): ReactElement | null {
  if (props.costUsd === null || props.costUsd === undefined) return null;
  return (
    <span className="job-cost" data-testid={props.testId ?? 'job-cost'} title="GPU $/h × the job's running seconds">
      {props.prefix ?? ' · '}
      {formatUsd(props.costUsd)}
    </span>
  );
}
