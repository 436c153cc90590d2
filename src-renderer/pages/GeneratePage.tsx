import type { ReactElement } from 'react';
import { ChipIcon, CloudIcon, GalleryIcon, InfoIcon } from '../components/icons';
import { PageHeader } from '../components/controls';
import { useSettings } from '../stores/settings';
import { hrefFor } from '../stores/router';

const NOT_YET = 'Generation is not connected yet: connecting a RunPod pod or a local model comes in the next update.';

export function GeneratePage(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const runtime = settings?.defaultRuntime ?? 'remote';
  return (
    <div className="page" data-testid="page-generate">
      <PageHeader
        title="Generate"
        description="Write a prompt, pick a runtime and make an image with FLUX. Finished images land in the Gallery."
      />
      <div className="callout" id="generate-not-connected" data-testid="generate-not-connected">
        <InfoIcon size={18} />
        <div>
          <div className="callout-title">No GPU connected yet</div>
          <p>
            Generating needs a GPU. The next update connects a <strong>RunPod pod</strong> over SSH (remote) or a{' '}
            <strong>local model</strong> run with ONNX Runtime on this machine. Until then this page is a preview of the layout. You can
            already choose your default runtime and output folder in <a href={hrefFor('settings')}>Settings</a>.
          </p>
        </div>
      </div>
      <div className="generate-grid">
        <section className="card generate-compose" aria-labelledby="prompt-label">
          <label id="prompt-label" className="field-label" htmlFor="prompt">
            Prompt
          </label>
          <textarea
            id="prompt"
            className="textarea"
            rows={6}
            disabled
            title={NOT_YET}
            placeholder="A cinematic photo of a lighthouse at dusk, volumetric fog, 35mm film grain"
            data-testid="generate-prompt"
          />
          <div className="compose-meta">
            <div className="runtime-pill" data-testid="generate-runtime">
              {runtime === 'remote' ? <CloudIcon /> : <ChipIcon />}
              <span>
                Runs on <strong>{runtime === 'remote' ? 'a remote pod' : 'this machine'}</strong>
              </span>
              <span className="muted">· default from Settings</span>
            </div>
            <button type="button" className="btn btn-primary" disabled title={NOT_YET} aria-describedby="generate-not-connected" data-testid="generate-submit">
              Generate
            </button>
          </div>
        </section>
        <section className="card generate-preview" aria-label="Preview">
          <div className="preview-frame">
            <GalleryIcon size={28} />
            <p>Your image will appear here</p>
            {settings ? (
              <p className="muted small">
                Saved to <code className="path">{settings.outputDir}</code>
              </p>
            ) : null}
          </div>
        </section>
      </div>
    </div>
  );
}
