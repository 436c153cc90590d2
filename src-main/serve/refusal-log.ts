// Refused requests are worth a log line, but a client without a token must not be able to
// flush the log (5 × 5 MB in a second with long paths) or flood every open page's log panel:
// paths are shortened, and past a few lines a minute the rest are only counted.
import type { Logger } from '../logging/logger';
import { shownPath } from './request-target';

export class RefusalLog {
  private windowStart = 0;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly perMinute = 20,
    private readonly now: () => number = Date.now,
  ) {}

  refused(method: string | undefined, rawPath: string | undefined, status: number, why: string): void {
    const t = this.now();
    if (t - this.windowStart >= 60_000) {
      this.flush();
      this.windowStart = t;
      this.logged = 0;
    }
    if (this.logged >= this.perMinute) {
      // The count is told when the minute ends, even if nothing else is refused by then.
      if (this.suppressed++ === 0) setTimeout(() => this.flush(), Math.max(0, this.windowStart + 60_000 - t)).unref();
      return;
    }
    this.logged++;
    this.log.warn(`refused ${String(method ?? '?').slice(0, 10)} ${shownPath(rawPath)} (${status}): ${why.slice(0, 200)}`);
  }

  /** Says how many refusals went unlogged since the last line about them. */
  flush(): void {
    if (this.suppressed === 0) return;
    this.log.warn(`${this.suppressed} more refused request${this.suppressed === 1 ? '' : 's'} in the last minute (not logged one by one)`);
    this.suppressed = 0;
  }
}
