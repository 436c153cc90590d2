// Claude's settings in the auto-caption dialog: the instruction (with the trigger word), the
// model, and the cost estimate to accept before a run that needs it.
import type { ReactElement } from 'react';
import type { TaggingSetup } from './use-tagging-setup';
import { usd } from './usd';

export function ClaudeFields(props: { setup: TaggingSetup; ids: string }): ReactElement {
  const { ids } = props;
  const { instruction, setInstruction, trigger, defaults, model, setModel, estimate, estimateError, needsConfirm, confirmed, setConfirmed } = props.setup;
  return (
    <>
      <div className="dialog-field">
        <label className="field-label" htmlFor={`${ids}-instruction`}>
          Instruction for each image
        </label>
        <textarea id={`${ids}-instruction`} className="textarea" rows={5} value={instruction} onChange={(e) => setInstruction(e.target.value)} data-testid="tagging-instruction" />
        <p className="field-hint muted small">
          <code>[trigger]</code> becomes the trigger word{trigger ? (
            <>
              {' '}
              (<code>{trigger}</code>)
            </>
          ) : (
            ' (this dataset has none: “the main subject” is used)'
          )}
          . Each image is sent to Anthropic, downscaled to {defaults?.claude.longSide ?? 768} px.
        </p>
      </div>
      <div className="dialog-field">
        <label className="field-label" htmlFor={`${ids}-model`}>
          Model
        </label>
        <input id={`${ids}-model`} className="input input-sm mono" value={model} list={`${ids}-models`} onChange={(e) => setModel(e.target.value)} data-testid="tagging-model" />
        <datalist id={`${ids}-models`}>
          {(defaults?.pricedModels ?? []).map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </div>
      <div className="callout" data-testid="tagging-estimate" aria-live="polite">
        {estimate ? (
          <p>
            {estimate.images} image{estimate.images === 1 ? '' : 's'} to caption{estimate.skipped ? ` (${estimate.skipped} skipped)` : ''}:{' '}
            {(estimate.imageTokens + estimate.textTokens).toLocaleString()} input tokens, up to {estimate.outputTokens.toLocaleString()} output tokens —{' '}
            <strong>{usd(estimate.usd)}</strong> at most.
          </p>
        ) : (
          <p className="muted">{estimateError ?? 'Estimating the cost…'}</p>
        )}
        {needsConfirm ? (
          <label style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="tagging-confirm-cost" /> I accept this cost
          </label>
        ) : null}
      </div>
    </>
  );
}
