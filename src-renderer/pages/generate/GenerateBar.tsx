// Under the prompt: where it runs (the runtime picker) and the Generate button, always at the
// bar's right end; when Generate cannot run, why, next to it, with the button that fixes it
// (add a pod, add a local model, switch runtime, write a prompt).
import type { ReactElement } from 'react';
import { Kbd } from '../../components/Controls';
import { DisabledReason } from '../../components/DisabledReason';
import { usePods } from '../../stores/pods';
import { focusPromptEnd } from './prompt-actions';
import { RuntimePicker, RuntimeStatus, type RuntimeFix, type RuntimeTarget } from './RuntimePicker';

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** Why Generate is not available now (null: it is), and what fixes it. */
export interface Blocker {
  reason: string;
  fix: RuntimeFix | 'write-prompt' | null;
}

export function blockerFor(target: RuntimeTarget, prompt: string, requestError: string | null): Blocker | null {
  if (!target.ready) return { reason: target.reason ?? 'Choose where to generate.', fix: target.fix };
  if (prompt.trim() === '') return { reason: 'Write a prompt first.', fix: 'write-prompt' };
  if (requestError) return { reason: `Fix the settings first: ${requestError}`, fix: null };
  return null;
}

/** The buttons that fix a blocker (links into Settings, or a switch of runtime). */
export function FixActions(props: { fix: Blocker['fix'] }): ReactElement | null {
  const pods = usePods((s) => s.pods.length);
  const localOk = usePods((s) => s.runtimes.some((r) => r.id === 'local' && r.available));
  const choose = usePods((s) => s.choose);
  switch (props.fix) {
    case 'add-pod':
      return (
        <>
          <a className="btn btn-sm" href="#/pods" data-testid="fix-add-pod">
            Add a pod
          </a>
          {localOk ? (
            <button type="button" className="btn btn-sm" onClick={() => choose('local')} data-testid="fix-use-local">
              Use this machine
            </button>
          ) : (
            <a className="btn btn-sm" href="#/settings/models" data-testid="fix-add-local-model">
              Add a local model
            </a>
          )}
        </>
      );
    case 'add-local-model':
      return (
        <>
          <a className="btn btn-sm" href="#/settings/models" data-testid="fix-add-local-model">
            Add a local model
          </a>
          {pods > 0 ? (
            <button type="button" className="btn btn-sm" onClick={() => choose('remote')} data-testid="fix-use-remote">
              Use a pod
            </button>
          ) : (
            <a className="btn btn-sm" href="#/pods" data-testid="fix-add-pod">
              Add a pod
            </a>
          )}
        </>
      );
    case 'trust-pod':
      return (
        <a className="btn btn-sm" href="#/pods" data-testid="fix-trust-pod">
          Open the Pods page
        </a>
      );
    case 'write-prompt':
      return (
        <button type="button" className="btn btn-sm" onClick={() => focusPromptEnd()} data-testid="fix-write-prompt">
          Go to the prompt
        </button>
      );
    default:
      return null;
  }
}

export function GenerateBar(props: { target: RuntimeTarget; blocker: Blocker | null; onGenerate(): void }): ReactElement {
  const { blocker } = props;
  return (
    <div className="generate-bar-wrap">
      <div className="generate-bar" data-testid="generate-bar">
        <RuntimePicker target={props.target} />
        <div className="generate-action">
          <span className="shortcut-hint" aria-hidden="true">
            <Kbd>{IS_MAC ? '⌘' : 'Ctrl'}</Kbd>
            <Kbd>↵</Kbd>
          </span>
          <button
            type="button"
            className="btn btn-primary"
            disabled={blocker !== null}
            title={blocker?.reason ?? 'Generate'}
            aria-describedby={blocker ? 'generate-disabled-reason' : undefined}
            aria-keyshortcuts="Control+Enter Meta+Enter"
            onClick={props.onGenerate}
            data-testid="generate-submit"
          >
            Generate
          </button>
        </div>
      </div>
      <DisabledReason reason={blocker?.reason ?? null} action={blocker ? <FixActions fix={blocker.fix} /> : undefined} id="generate-disabled-reason" testId="generate-disabled-reason" />
      <RuntimeStatus target={props.target} />
    </div>
  );
}
