import type { ReactElement } from 'react';
import { EmptyState, PageHeader } from '../components/controls';
import { ArrowRightIcon, TrainIcon } from '../components/icons';
import { navigate } from '../stores/router';

const WHY = 'There are no datasets yet — create one on the Datasets page first.';

export function TrainPage(): ReactElement {
  return (
    <div className="page" data-testid="page-train">
      <PageHeader
        title="Train"
        description="Train a FLUX LoRA with ai-toolkit on your pod: pick a dataset, a trigger word and a template."
      />
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
        <p>
          A training run needs a dataset: a folder of images with captions. You don’t have one yet, so there is nothing to pick.
          Once you do, choose it here, set a trigger word and start the run; checkpoints and sample images appear as it trains.
        </p>
        <div className="inline-field">
          <label className="field-label" htmlFor="train-dataset">
            Dataset
          </label>
          <select id="train-dataset" className="select" disabled title={WHY} aria-describedby="train-dataset-why" data-testid="train-dataset">
            <option>No datasets yet</option>
          </select>
          <span id="train-dataset-why" className="field-hint">
            {WHY}
          </span>
        </div>
      </EmptyState>
    </div>
  );
}
