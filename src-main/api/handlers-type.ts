import type { CallName, CallResponse, ParsedRequest } from '@shared/contract';

/** Exactly one handler per contract call: the type-level test fails on a missing or extra one. */
export type Handlers = {
  [K in CallName]: (req: ParsedRequest<K>) => Promise<CallResponse<K>> | CallResponse<K>;
};

/** The handlers of one capability's calls (a contract/<capability>.ts module), spread into createHandlers. */
export type HandlersFor<K extends CallName> = Pick<Handlers, K>;
