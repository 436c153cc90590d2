// How money is written in the studio: cents for most amounts, more digits for the tiny
// costs of one image (a few seconds of a GPU), so a result never reads "$0.00".
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 1) return `$${usd.toFixed(3)}`;
  return `$${usd.toFixed(2)}`;
}
