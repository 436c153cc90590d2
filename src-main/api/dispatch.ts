// The one place requests enter main, from either transport: the name is checked against
// the contract, the payload parsed with its zod schema, the handler called, and its answer
// parsed with the response schema (which also strips anything the contract does not
// declare, so a handler cannot leak a field by accident). Every outcome is an envelope;
// nothing a caller sends can throw out of here.
import type { z } from 'zod';
import { calls, isCallName, type CallName, type Envelope, type StudioErrorShape } from '@shared/contract';
import type { Logger } from '../logging/logger';
import { StudioError } from '../core/studio-error';
import type { Handlers } from './handlers-type';

export type Dispatch = (name: unknown, payload: unknown) => Promise<Envelope<unknown>>;

export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

export function invalidInput(call: string, error: z.ZodError): StudioErrorShape {
  const first = error.issues[0];
  const field = first ? formatIssuePath(first.path) : '';
  const what = field === '' ? 'request' : field;
  return {
    code: 'invalid_input',
    field: field === '' ? '(request)' : field,
    message: `${call}: ${what}: ${first?.message ?? 'is invalid'}`,
  };
}

export function createDispatch(handlers: Handlers, log: Logger): Dispatch {
  return async (name, payload) => {
    if (!isCallName(name)) {
      const shown = typeof name === 'string' ? name.slice(0, 80) : typeof name;
      return { ok: false, error: { code: 'unknown_call', message: `No such call: ${shown}` } };
    }
    const def = calls[name];
    const parsed = def.request.safeParse(payload);
    if (!parsed.success) return { ok: false, error: invalidInput(name, parsed.error) };
    try {
      const handler = handlers[name] as (req: unknown) => unknown;
      const result = await handler(parsed.data);
      const checked = def.response.safeParse(result);
      if (!checked.success) {
        log.error(`${name} answered outside its contract: ${checked.error.message}`);
        return { ok: false, error: { code: 'internal', message: `${name} failed inside the studio (see the log).` } };
      }
      return { ok: true, data: checked.data };
    } catch (err) {
      if (err instanceof StudioError) return { ok: false, error: err.toShape() };
      log.error(`${name} failed`, err);
      return { ok: false, error: { code: 'internal', message: `${name} failed inside the studio (see the log).` } };
    }
  };
}

export type { CallName };
