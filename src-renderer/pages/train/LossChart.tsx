// The loss curve as an SVG: raw points faint, a moving average on top, step on x.
import type { ReactElement } from 'react';

export function LossChart(props: { points: readonly { step: number; loss: number }[]; total: number; height?: number }): ReactElement {
  const W = 560;
  const H = props.height ?? 180;
  const pad = { l: 44, r: 8, t: 8, b: 22 };
  const pts = props.points;
  if (pts.length === 0) {
    return (
      <div className="muted" data-testid="loss-chart-empty" style={{ padding: 12 }}>
        The loss curve appears with the first training steps.
      </div>
    );
  }
  const maxStep = Math.max(props.total, pts[pts.length - 1]?.step ?? 1, 1);
  const losses = pts.map((p) => p.loss);
  let lo = Math.min(...losses);
  let hi = Math.max(...losses);
  if (hi - lo < 1e-9) {
    lo -= 0.01;
    hi += 0.01;
  }
  const x = (s: number) => pad.l + (s / maxStep) * (W - pad.l - pad.r);
  const y = (l: number) => pad.t + (1 - (l - lo) / (hi - lo)) * (H - pad.t - pad.b);
  const win = Math.max(1, Math.round(pts.length / 30));
  const smooth = pts.map((p, i) => {
    const from = Math.max(0, i - win + 1);
    const slice = losses.slice(from, i + 1);
    return { step: p.step, loss: slice.reduce((a, b) => a + b, 0) / slice.length };
  });
  const path = (ps: { step: number; loss: number }[]) => ps.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ');
  const last = pts[pts.length - 1];
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`Loss over ${pts.length} steps, latest ${last?.loss.toFixed(4)}`} data-testid="loss-chart" data-points={pts.length}>
      <line x1={pad.l} y1={H - pad.b} x2={W - pad.r} y2={H - pad.b} stroke="currentColor" strokeOpacity="0.25" />
      <line x1={pad.l} y1={pad.t} x2={pad.l} y2={H - pad.b} stroke="currentColor" strokeOpacity="0.25" />
      <text x={pad.l - 4} y={pad.t + 8} fontSize="10" textAnchor="end" fill="currentColor" opacity="0.7">{hi.toFixed(3)}</text>
      <text x={pad.l - 4} y={H - pad.b} fontSize="10" textAnchor="end" fill="currentColor" opacity="0.7">{lo.toFixed(3)}</text>
      <text x={W - pad.r} y={H - 6} fontSize="10" textAnchor="end" fill="currentColor" opacity="0.7">step {maxStep}</text>
      <path d={path(pts as { step: number; loss: number }[])} fill="none" stroke="var(--accent, #6b8afd)" strokeOpacity="0.3" strokeWidth="1" />
      <path d={path(smooth)} fill="none" stroke="var(--accent, #6b8afd)" strokeWidth="2" />
    </svg>
  );
}
