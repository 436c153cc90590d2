// The one error the metadata code throws for bytes it cannot read as an image. Callers
// (gallery scan, `metadata read`, "load parameters from image") show it as "broken: <reason>".

export class NotAnImageError extends Error {
  override readonly name = 'NotAnImageError';
  constructor(readonly reason: string) {
    super(`not a readable image: ${reason}`);
  }
}

export function isNotAnImageError(err: unknown): err is NotAnImageError {
  return err instanceof NotAnImageError;
}
