// Terminate is its own confirmed action (issue 15): it says the volume is destroyed and asks
// for the pod's name, which main checks again (runpod.terminate's `confirm`).
import { useEffect, useId, useRef, useState, type ReactElement } from 'react';
import type { RunpodPod } from '@shared/contract';
import { DisabledReason } from '../../../components/DisabledReason';
import { useRunpod } from '../../../stores/runpod';
import { notify } from '../../../stores/toasts';
import { StudioCallError, studio } from '../../../transport/client';

export function TerminateDialog(props: { pod: RunpodPod; onClose(): void }): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonId = useId();
  const inputId = useId();
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const pod = props.pod;
  const matches = typed === pod.name;
  const terminate = async () => {
    setBusy(true);
    setError(null);
    try {
      await studio.runpod.terminate({ id: pod.id, confirm: typed });
      useRunpod.getState().upsertPod({ ...pod, status: 'TERMINATED' });
      notify(`Terminated ${pod.name}; its volume is gone.`, 'success');
      props.onClose();
    } catch (err) {
      setError(err instanceof StudioCallError ? err.fieldMessage : String(err));
    } finally {
      setBusy(false);
    }
  };
  const storage = pod.networkVolumeId
    ? `Its container disk (${pod.containerDiskGb} GB) is destroyed; the network volume ${pod.networkVolumeId} is kept.`
    : `Its volume (${pod.volumeGb} GB) and container disk (${pod.containerDiskGb} GB) are destroyed with everything on them: the worker’s venv, downloaded models, datasets, trainings and images not yet brought home.`;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${inputId}-title`} onCancel={(e) => (e.preventDefault(), props.onClose())} data-testid="terminate-dialog">
      <form
        className="dialog-body"
        onSubmit={(e) => {
          e.preventDefault();
          if (matches) void terminate();
        }}
      >
        <div className="dialog-title" id={`${inputId}-title`}>
          Terminate {pod.name}?
        </div>
        <p className="callout is-danger" role="alert" data-testid="terminate-warning">
          This cannot be undone. {storage} Stop keeps the volume instead (it is still billed for storage).
        </p>
        <label className="dialog-field" htmlFor={inputId}>
          <span className="field-label">
            Type <code>{pod.name}</code> to confirm
          </span>
        </label>
        <input
          id={inputId}
          className="input mono"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          aria-describedby={!matches ? reasonId : undefined}
          data-testid="terminate-confirm-input"
        />
        {error ? (
          <p className="field-error" role="alert" data-testid="terminate-error">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="submit" className="btn btn-danger" disabled={!matches || busy} aria-describedby={!matches ? reasonId : undefined} data-testid="terminate-confirm">
            {busy ? 'Terminating…' : pod.networkVolumeId ? 'Terminate the pod' : 'Terminate and destroy the volume'}
          </button>
          <span className="spacer" />
          <button type="button" className="btn btn-ghost" onClick={props.onClose} data-testid="terminate-cancel">
            Cancel
          </button>
        </div>
        <DisabledReason id={reasonId} testId="terminate-reason" reason={matches ? null : `Type the pod’s name (${pod.name}) exactly to enable Terminate.`} />
      </form>
    </dialog>
  );
}
