// How money and time read on the Pods page and in the header's spend chip: one format for both.

/** Under a dollar shows tenths of a cent ("$0.034") so a minute of a pod moves it. */
export function usd(n: number): string {
  if (n > 0 && n < 0.001) return '< $0.001';
  if (n > 0 && n < 1) return `$${n.toFixed(3)}`;
  return `$${n.toFixed(2)}`;
}

/** "$0.69/h" */
export function perHour(n: number): string {
  return `$${n.toFixed(2)}/h`;
}

/** "3 h 05 min", "12 min", "40 s" */
export function duration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/** "14:05" (minutes:seconds) for countdowns. */
export function clock(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}
