// Type-level: exactly one handler per contract call. Adding a call to the contract
// without a handler (or leaving a handler for a removed call) fails this file.
import { expectTypeOf, test } from 'vitest';
import type { CallName } from '@shared/contract';
import type { createHandlers } from '../../src-main/studio';
import type { RawCalls } from '@shared/studio-api';

test('handlers cover the contract exactly', () => {
  expectTypeOf<keyof ReturnType<typeof createHandlers>>().toEqualTypeOf<CallName>();
});

test('the generated window.studio API has one verb per call', () => {
  type Flattened = { [N in keyof RawCalls]: `${N & string}.${keyof RawCalls[N] & string}` }[keyof RawCalls];
  expectTypeOf<Flattened>().toEqualTypeOf<CallName>();
});

test('requests whose fields are all optional can be called with no argument', () => {
  type Calls = import('@shared/studio-api').RawCalls;
  expectTypeOf<Parameters<Calls['settings']['get']>>().toEqualTypeOf<[req?: Record<string, never>]>();
  expectTypeOf<Parameters<Calls['jobs']['list']>['length']>().toEqualTypeOf<0 | 1>();
  expectTypeOf<Parameters<Calls['jobs']['get']>['length']>().toEqualTypeOf<1>();
});
