// Why a primary button is disabled, shown next to it (never only in a tooltip), with the way
// out: a link or a button that fixes it (docs/architecture.md, "Users see it").
import type { ReactElement, ReactNode } from 'react';

export function DisabledReason(props: {
  /** null: the button is enabled and nothing is shown. */
  reason: ReactNode | null;
  /** The way out: a button or link that fixes the cause. */
  action?: ReactNode;
  /** Ties the button to this text: give the button aria-describedby={id}. */
  id?: string;
  testId?: string;
}): ReactElement | null {
  if (props.reason === null || props.reason === undefined || props.reason === false) return null;
  return (
    <p className="disabled-reason" id={props.id} role="note" data-testid={props.testId ?? 'disabled-reason'}>
      <span>{props.reason}</span>
      {props.action ? <span className="disabled-reason-action">{props.action}</span> : null}
    </p>
  );
}
