// A ticking "seconds since" for a running step (the enhancement timer).
import { useEffect, useState } from 'react';

/** Seconds since `since` (ms epoch), ticking while `since` is set. */
export function useElapsed(since: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    const tick = () => setNow(Date.now());
    const t = setInterval(tick, 250);
    const first = setTimeout(tick, 0);
    return () => {
      clearInterval(t);
      clearTimeout(first);
    };
  }, [since]);
  return since === null ? 0 : Math.max(0, (now - since) / 1000);
}
