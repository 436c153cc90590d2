import type { ErrorCode, StudioErrorShape } from '@shared/contract';

/** An error a handler throws on purpose: it reaches the caller as a typed error, not 'internal'. */
export class StudioError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'StudioError';
  }

  toShape(): StudioErrorShape {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}
