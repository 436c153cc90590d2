// fast-check arbitraries for contract requests, built from each zod schema's JSON Schema.
// Refinements (absolute path, no NUL…) are not in JSON Schema, so generated values are
// "shape-valid" and still exercise the refinements and the handlers behind them.
import path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { CALL_NAMES, calls, type CallName } from '@shared/contract';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
};

export type FieldOverrides = Record<string, fc.Arbitrary<unknown>>;

export function arbitraryFromJsonSchema(s: JsonSchema, overrides: FieldOverrides = {}, key = ''): fc.Arbitrary<unknown> {
  if (key in overrides) return overrides[key] as fc.Arbitrary<unknown>;
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return fc.oneof(...alts.map((a) => arbitraryFromJsonSchema(a, overrides, key)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) record[k] = arbitraryFromJsonSchema(v, overrides, k);
      return fc.record(record, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
    }
    case 'array':
      return fc.array(s.items ? arbitraryFromJsonSchema(s.items, overrides, key) : fc.anything(), { maxLength: Math.min(s.maxItems ?? 5, 5) });
    case 'string':
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40) });
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.anything();
  }
}

export function arbitraryForSchema(schema: z.ZodType, overrides: FieldOverrides = {}): fc.Arbitrary<unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return arbitraryFromJsonSchema(json, overrides);
}

/** Small, structure-preserving corruptions of a value: drop a key, add one, swap a type. */
export function mutate(value: unknown): fc.Arbitrary<unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fc.anything();
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  return fc.oneof(
    fc.constant(Object.fromEntries(keys.slice(1).map((k) => [k, obj[k]]))),
    fc.tuple(fc.string({ maxLength: 12 }), fc.anything()).map(([k, v]) => ({ ...obj, [k]: v })),
    keys.length > 0
      ? fc.tuple(fc.constantFrom(...keys), fc.anything()).map(([k, v]) => ({ ...obj, [k]: v }))
      : fc.anything(),
  );
}

/**
 * A contract call with a generated payload: shaped by the call's request schema (3 in 6),
 * shaped then mutated (2 in 6), or anything at all (1 in 6). Absolute paths are confined to
 * `scratch` (settings would create the folders they name); other path-like fields get junk
 * that does not look absolute. Shared by the dispatcher fuzz, the serve fuzz and bench:serve.
 */
export function contractCallArbitrary(scratch: string): fc.Arbitrary<[CallName, unknown]> {
  const pathField = () =>
    fc.oneof(
      fc.stringMatching(/^[a-z0-9_-]{1,12}$/).map((s) => path.join(scratch, s)),
      fc.string({ maxLength: 30 }).filter((s) => !/^(\/|[A-Za-z]:|\\\\)/.test(s)),
    );
  const overrides = { outputDir: pathField(), defaultPath: pathField(), path: pathField() };
  const requestFor = (name: CallName) => {
    const shaped = arbitraryForSchema(calls[name].request, overrides);
    return fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 2, arbitrary: shaped.chain(mutate) }, { weight: 1, arbitrary: fc.anything() });
  };
  return fc.constantFrom(...CALL_NAMES).chain((name) => fc.tuple(fc.constant(name), requestFor(name)));
}
