// The spend meter in the header (issue 15): RunPod pods running now, what they bill per hour,
// and this session's spend. It moves with the `runpod.spend` event; a click opens the Pods page.
// Hidden until a RunPod key is set (nothing runs, nothing is billed).
import { useEffect, type ReactElement } from 'react';
import { perHour, usd } from '../lib/runpod-format';
import { hrefFor } from '../stores/router';
import { useRunpod, wireRunpodEvents } from '../stores/runpod';

export function SpendChip(): ReactElement | null {
  const spend = useRunpod((s) => s.spend);
  useEffect(() => {
    wireRunpodEvents();
    void useRunpod.getState().loadSpend();
  }, []);
  if (!spend?.configured) return null;
  const running = spend.running.length;
  const capped = spend.capReached !== null;
  const label = `${running} ${running === 1 ? 'pod' : 'pods'} running, ${perHour(spend.ratePerHr)}, ${usd(spend.sessionUsd)} this session${capped ? `, ${spend.capReached} budget reached` : ''}. Open Pods.`;
  return (
    <a
      href={hrefFor('pods')}
      className={`spend-chip${running > 0 ? ' is-running' : ''}${capped ? ' is-capped' : ''}`}
      title={label}
      data-testid="spend-chip"
      data-running={running}
    >
      <span className="spend-chip-dot" aria-hidden="true" />
      <span data-testid="spend-chip-running">
        {running} {running === 1 ? 'pod' : 'pods'}
      </span>
      <span className="spend-chip-sep" aria-hidden="true">
        ·
      </span>
      <span data-testid="spend-chip-rate">{perHour(spend.ratePerHr)}</span>
      <span className="spend-chip-sep" aria-hidden="true">
        ·
      </span>
      <span data-testid="spend-chip-session">{usd(spend.sessionUsd)} session</span>
      {capped ? <span className="spend-chip-cap">{spend.capReached} cap</span> : null}
    </a>
  );
}
