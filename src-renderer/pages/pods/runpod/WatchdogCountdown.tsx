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

const READ_EVERY_MS = 60_000;

/** Reads the watchdog from the pod (over its SSH link) while the row shows a running, linked pod. */
function useWatchdogRead(pod: RunpodPod): string | null {
  const [error, setError] = useState<string | null>(null);
  const watch = pod.status === 'RUNNING' && pod.profileId !== null;
  const id = pod.id;
  useEffect(() => {
    if (!watch) return;
    let alive = true;
    const read = () =>
      studio.runpod
        .watchdog({ id })
        .then((watchdog) => {
          if (!alive) return;
          setError(null);
          const cur = useRunpod.getState().pods.find((p) => p.id === id);
          if (cur) useRunpod.getState().upsertPod({ ...cur, watchdog });
        })
        .catch((err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)));
    const first = setTimeout(() => void read(), 0);
    const t = setInterval(() => void read(), READ_EVERY_MS);
    return () => {
      alive = false;
      clearTimeout(first);
      clearInterval(t);
    };
  }, [watch, id]);
  return watch ? error : null;
}

export function WatchdogCountdown(props: { pod: RunpodPod }): ReactElement | null {
  const wd: WatchdogStatus | null = props.pod.watchdog;
  const left = useSecondsLeft(wd?.deadline ?? null);
  const [busy, setBusy] = useState(false);
  const readError = useWatchdogRead(props.pod);
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
  if (!wd && props.pod.profileId === null) text = 'Idle auto-stop: armed once Generate or Train uses this pod';
  else if (!wd) text = readError ? `Idle auto-stop: could not read it (${readError})` : 'Idle auto-stop: reading…';
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
