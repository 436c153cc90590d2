// The on-pod idle watchdog (issue 15): when it will stop the pod if nothing happens, ticking
// each second, and Extend (pushes the deadline back on the pod itself).
import { useEffect, useState, type ReactElement } from 'react';
import type { RunpodPod, WatchdogStatus } from '@shared/contract';
import { clock } from '../../../lib/runpod-format';
import { useRunpod } from '../../../stores/runpod';
import { reportError } from '../../../stores/toasts';
import { studio } from '../../../transport/client';

const EXTEND_MINUTES = 15;

function useSecondsLeft(deadline: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!deadline) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [deadline]);
  if (!deadline) return null;
  const t = Date.parse(deadline);
  return Number.isNaN(t) ? null : Math.max(0, (t - now) / 1000);
}

export function WatchdogCountdown(props: { pod: RunpodPod }): ReactElement | null {
  const wd: WatchdogStatus | null = props.pod.watchdog;
  const left = useSecondsLeft(wd?.deadline ?? null);
  const [busy, setBusy] = useState(false);
  if (props.pod.status !== 'RUNNING') return null;
  const extend = async () => {
    setBusy(true);
    try {
      const watchdog = await studio.runpod.extendWatchdog({ id: props.pod.id, minutes: EXTEND_MINUTES });
      useRunpod.getState().upsertPod({ ...props.pod, watchdog });
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };
  let text: string;
  if (!wd) text = 'Idle auto-stop: not read yet';
  else if (!wd.armed) text = `Idle auto-stop is off on this pod${wd.note ? ` (${wd.note})` : ''}`;
  else if (left === null) text = `Idle auto-stop paused${wd.note ? `: ${wd.note}` : ''}`;
  else text = `Stops when idle in ${clock(left)}`;
  return (
    <span className="watchdog" data-testid="runpod-watchdog" data-armed={wd?.armed ?? false}>
      <span className={left !== null && left < 120 ? 'watchdog-text is-soon' : 'watchdog-text'}>{text}</span>
      {wd?.armed ? (
        <button type="button" className="btn btn-ghost btn-sm" disabled={busy} onClick={() => void extend()} data-testid="runpod-extend">
          +{EXTEND_MINUTES} min
        </button>
      ) : null}
    </span>
  );
}
