// A Claude cost in dollars, in words (tiny amounts shown exactly).
export function usd(value: number | null): string {
  if (value === null) return 'unknown (no price for this model)';
  return value < 0.01 ? `< $0.01 ($${value.toFixed(4)})` : `$${value.toFixed(2)}`;
}
