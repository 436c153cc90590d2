// The way out for a training target that is not ready: this computer is set up in Settings →
// Local training; a pod is connected in Settings (pods).
import type { ReactElement } from 'react';

export function TargetWayOut(props: { target: string | null }): ReactElement {
  if (props.target === 'local') {
    return (
      <a className="btn btn-sm" href="#/settings/local-training" data-testid="train-setup-local">
        Set up local training
      </a>
    );
  }
  return (
    <a className="btn btn-sm" href="#/pods" data-testid="train-setup-pod">
      Open the Pods page
    </a>
  );
}
