// A guidance value as the Generate page shows it (one decimal).
export function fmtGuidance(v: number): string {
  return v.toFixed(1);
}
