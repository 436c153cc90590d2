import { useEffect, useState, useSyncExternalStore, type ReactElement } from 'react';
import type { ConnectionState } from '../transport/http-transport';
import { studio } from '../transport/client';

/** Browser mode only: says so when live updates from the server stop arriving. */
export function ConnectionBanner(): ReactElement | null {
  // An external store, not state + an effect: the socket may open before an effect could subscribe.
  const state = useSyncExternalStore<ConnectionState>(studio.onConnectionChange, studio.connectionState);
  // The state that has lasted long enough to mention (a first connect takes a moment).
  const [lasting, setLasting] = useState<ConnectionState | null>(null);
  useEffect(() => {
    if (state === 'open') return;
    const t = setTimeout(() => setLasting(state), state === 'reconnecting' ? 400 : 2500);
    return () => clearTimeout(t);
  }, [state]);
  if (state === 'open' || lasting !== state) return null;
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner">
      <span className="spinner" aria-hidden="true" />
      {state === 'reconnecting'
        ? 'Lost the live connection to the studio server — reconnecting…'
        : 'Connecting to the studio server for live updates…'}
    </div>
  );
}
