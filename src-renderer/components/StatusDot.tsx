// A pod's connection state as a coloured dot (title: the state in words), for any pod picker or list.
import type { ReactElement } from 'react';
import { statusText, statusTone, usePods } from '../stores/pods';

const DOT: Record<'ok' | 'busy' | 'bad' | 'off', string> = { ok: 'var(--success)', busy: 'var(--accent-text)', bad: 'var(--danger)', off: 'var(--text-faint)' };

export function StatusDot(props: { podId: string | null; testId?: string }): ReactElement {
  const s = usePods((st) => (props.podId ? st.status[props.podId] : undefined));
  const tone = statusTone(s);
  return (
    <span className="status-dot" data-testid={props.testId} data-state={s?.state ?? 'disconnected'} title={statusText(s)} style={{ background: DOT[tone], width: 8, height: 8, borderRadius: 4, display: 'inline-block' }} />
  );
}
