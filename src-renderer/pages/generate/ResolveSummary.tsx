// "Will generate": the size, steps, guidance and seed main resolved from the choices, with its
// notes and warnings, or why it cannot.
import type { ReactElement } from 'react';
import type { ResolvedGeneration } from '@shared/contract';
import { AlertIcon, InfoIcon } from '../../components/Icons';
import { fmtGuidance } from './format-guidance';

export type ResolveState =
  | { state: 'idle' }
  | { state: 'ok'; key: string; resolved: ResolvedGeneration }
  | { state: 'error'; key: string; field: string | null; message: string };

export function ResolveSummary(props: { resolve: ResolveState; pending: boolean }): ReactElement {
  const { resolve } = props;
  return (
    <div className={`resolve-summary${props.pending ? ' is-pending' : ''}`} aria-live="polite" data-testid="resolve-summary">
      <div className="resolve-head">
        <span className="resolve-title">Will generate</span>
        {props.pending ? <span className="spinner small-spinner" aria-label="Updating" /> : null}
      </div>
      {resolve.state === 'ok' ? (
        <>
          <p className="resolve-line" data-testid="resolve-line">
            {resolve.resolved.modelName ? (
              <>
                <span data-testid="resolve-model" data-model={resolve.resolved.modelName}>
                  {resolve.resolved.modelName}
                  {resolve.resolved.modelKind ? <span className="muted"> ({resolve.resolved.modelKind})</span> : null}
                </span>
                <span className="dot"> · </span>
              </>
            ) : null}
            <span data-testid="resolve-size">
              {resolve.resolved.width} × {resolve.resolved.height}
            </span>
            <span className="dot"> · </span>
            <span data-testid="resolve-steps">{resolve.resolved.steps} steps</span>
            <span className="dot"> · </span>
            <span data-testid="resolve-guidance">{resolve.resolved.guidance === null ? 'no guidance' : `guidance ${fmtGuidance(resolve.resolved.guidance)}`}</span>
            <span className="dot"> · </span>
            {/* A random seed is drawn when the job is queued: no number here, since this one would not be used. */}
            <span data-testid="resolve-seed" data-random={resolve.resolved.seedWasRandom}>
              {resolve.resolved.seedWasRandom ? 'random seed' : `seed ${resolve.resolved.seed}`}
            </span>
          </p>
          {resolve.resolved.notes.length + resolve.resolved.warnings.length > 0 ? (
            <ul className="resolve-notes">
              {resolve.resolved.notes.map((n) => (
                <li key={`n-${n}`} className="resolve-note" data-testid="resolve-note">
                  <InfoIcon size={14} />
                  {n}
                </li>
              ))}
              {resolve.resolved.warnings.map((w) => (
                <li key={`w-${w}`} className="resolve-warning" data-testid="resolve-warning">
                  <AlertIcon size={14} />
                  {w}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : resolve.state === 'error' ? (
        <p className="resolve-error" role="alert" data-testid="resolve-error">
          <AlertIcon size={14} />
          {resolve.message}
        </p>
      ) : (
        <p className="muted">Working out the numbers…</p>
      )}
    </div>
  );
}
