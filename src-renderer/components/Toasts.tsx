import type { ReactElement } from 'react';
import { useToasts } from '../stores/toasts';
import { AlertIcon, CheckIcon, CloseIcon, InfoIcon } from './Icons';

export function Toasts(): ReactElement {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className="toast-area" aria-live="polite" data-testid="toast-area">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid="toast" data-kind={t.kind}>
          <span className="toast-icon">{t.kind === 'error' ? <AlertIcon /> : t.kind === 'success' ? <CheckIcon /> : <InfoIcon />}</span>
          <span className="toast-message">{t.message}</span>
          {t.action ? (
            <button
              type="button"
              className="btn btn-sm toast-action"
              data-testid={t.action.testId ?? 'toast-action'}
              onClick={() => {
                dismiss(t.id);
                t.action?.run();
              }}
            >
              {t.action.label}
            </button>
          ) : null}
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <CloseIcon size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
