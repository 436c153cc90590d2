// Shown while there is nowhere to generate: no pod and no local model. Both runtimes exist, so
// it says what to do, with the buttons that do it, and offers a first model for this machine.
import type { ReactElement } from 'react';
import { InfoIcon } from '../../components/Icons';
import { FirstModelOffer } from './FirstModelOffer';

export function NoRuntimeCallout(): ReactElement {
  return (
    <div className="callout" id="generate-not-connected" data-testid="generate-not-connected">
      <InfoIcon size={18} />
      <div>
        <div className="callout-title">Choose where images are made</div>
        <p>
          Generate on a <strong>RunPod pod</strong> (or any SSH host with an NVIDIA GPU): rent one on the Pods page, or paste an SSH command there. Or on{' '}
          <strong>this machine</strong> with ONNX Runtime: add a model folder in Settings → Models, or download one below. Until then you can
          write and check everything here.
        </p>
        <p className="callout-actions">
          <a className="btn btn-sm" href="#/pods" data-testid="callout-add-pod">
            Add a pod
          </a>
          <a className="btn btn-sm" href="#/settings/models" data-testid="callout-add-local-model">
            Add a local model
          </a>
        </p>
        <FirstModelOffer />
      </div>
    </div>
  );
}
