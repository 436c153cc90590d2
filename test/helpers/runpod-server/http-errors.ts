// RunPod's error shape (ErrorResponse, application/problem+json) and the headers every answer
// of the local RunPod server carries.
import { titleOf } from './faults';

/** An answer other than success: becomes `{title, status, detail, errors?}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function problem(status: number, detail: string, errors?: string[]) {
  return { title: titleOf(status), status, detail, ...(errors?.length ? { errors } : {}) };
}

/** RunPod sends RateLimit headers on every answer (IETF draft syntax). */
export function rateHeaders(): Record<string, string> {
  return { 'RateLimit-Policy': '"default";q=100;w=1', RateLimit: '"default";r=99;t=1' };
}
