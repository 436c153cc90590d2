// Typed-in setting values: parsed, or what is wrong with them in words.


export type Parsed<T> = { value: T } | { error: string };

export function parseNumber(text: string, min: number, max: number, opts: { whole?: boolean } = {}): Parsed<number> {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) return { error: `Enter a number from ${min} to ${max}` };
  if (opts.whole && !Number.isInteger(n)) return { error: `Enter a whole number from ${min} to ${max}` };
  if (n < min || n > max) return { error: `Must be between ${min} and ${max}` };
  return { value: n };
}
