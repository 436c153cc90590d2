// A pod's SSH host key fingerprint to check and trust (or the warning that it changed).
import { useEffect, useRef, type ReactElement } from 'react';
import type { HostKeyScan, PodProfile } from '@shared/contract';
import { usePods } from '../../../stores/pods';
import { notify, reportError } from '../../../stores/toasts';
import { studio } from '../../../transport/client';

/** Shows the fingerprint the pod presents; trusting pins exactly that one. */
export function FingerprintDialog(props: { pod: PodProfile; scan: HostKeyScan; onClose(): void }): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const changed = props.scan.verdict === 'changed';
  const trust = async () => {
    try {
      await studio.pods.trust({ id: props.pod.id, fingerprint: props.scan.fingerprint });
      await usePods.getState().load();
      notify(`Trusted the host key of ${props.pod.name}`, 'success');
      props.onClose();
    } catch (err) {
      reportError(err);
    }
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="fp-title" onCancel={(e) => (e.preventDefault(), props.onClose())} data-testid="fingerprint-dialog">
      <div className="dialog-body">
        <div className="dialog-title" id="fp-title">
          {changed ? `The host key of ${props.pod.name} CHANGED` : props.scan.verdict === 'match' ? `${props.pod.name} is trusted` : `Trust ${props.pod.name}?`}
        </div>
        {changed ? (
          <p className="callout is-danger" role="alert">
            The pod presents a different key than the one pinned ({props.scan.pinned}). RunPod makes new host keys when a pod restarts; if you did not restart or re-create it, someone may be intercepting the connection.
          </p>
        ) : null}
        <p>
          {props.scan.keyType} host key fingerprint (as <code>ssh-keygen -lf</code> prints it):
        </p>
        <code className="path" data-testid="fingerprint-value">
          {props.scan.fingerprint}
        </code>
        <div className="dialog-actions">
          {props.scan.verdict !== 'match' ? (
            <button type="button" className={changed ? 'btn btn-danger' : 'btn btn-primary'} onClick={() => void trust()} data-testid="fingerprint-trust">
              {changed ? 'Trust the new key' : 'Trust this key'}
            </button>
          ) : null}
          <span className="spacer" />
          <button type="button" className="btn btn-ghost" onClick={props.onClose}>
            Close
          </button>
        </div>
      </div>
    </dialog>
  );
}
