// Stale states clear themselves: a number that changes when the event stream comes back after a
// drop and, while `failing`, every few seconds. Put it in the dependencies of an effect that
// fetches something whose error is shown, so the error goes once the server answers again.
import { useEffect, useState } from 'react';
import { studio } from '../transport/client';

export function useRecoveryTick(failing: boolean, everyMs = 3000): number {
  const [tick, setTick] = useState(0);
  useEffect(() => studio.onReconnect(() => setTick((t) => t + 1)), []);
  useEffect(() => {
    if (!failing) return;
    const timer = setInterval(() => setTick((t) => t + 1), everyMs);
    return () => clearInterval(timer);
  }, [failing, everyMs]);
  return tick;
}
