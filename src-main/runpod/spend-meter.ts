// The spend meter: what the account's pods cost now ($/h) and what they cost while this
// studio watched them. Session spend integrates each pod's rate (compute + storage) over the
// time between two reads of the API; every increment is also added to runpod_spend
// (migration 10: per pod per UTC day), so the month's figure survives restarts.
import type { Db } from '../db/open-database';

interface Seen {
  rate: number;
  at: number;
  spent: number;
}

export class SpendMeter {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh read of a pod's rate (USD/h): adds what it cost since the previous read. */
  observe(podId: string, ratePerHr: number): void {
    const t = this.now();
    const s = this.seen.get(podId);
    if (s) {
      const usd = (s.rate * Math.max(0, t - s.at)) / 3_600_000;
      if (usd > 0) {
        s.spent += usd;
        this.persist(podId, usd, t);
      }
      s.rate = ratePerHr;
      s.at = t;
    } else this.seen.set(podId, { rate: ratePerHr, at: t, spent: 0 });
  }

  /** The pod is gone (terminated): its spend so far stays, it adds nothing more. */
  forget(podId: string): void {
    this.observe(podId, 0);
  }

  sessionUsd(podId?: string): number {
    if (podId) return this.seen.get(podId)?.spent ?? 0;
    let sum = 0;
    for (const s of this.seen.values()) sum += s.spent;
    return sum;
  }

  monthUsd(at = this.now()): number {
    const month = new Date(at).toISOString().slice(0, 7);
    const r = this.db.prepare("SELECT COALESCE(SUM(usd), 0) AS usd FROM runpod_spend WHERE day LIKE ? || '-%'").get(month) as { usd: number };
    return r.usd;
  }

  private persist(podId: string, usd: number, at: number): void {
    const day = new Date(at).toISOString().slice(0, 10);
    this.db
      .prepare('INSERT INTO runpod_spend (runpod_id, day, usd) VALUES (?, ?, ?) ON CONFLICT(runpod_id, day) DO UPDATE SET usd = usd + excluded.usd')
      .run(podId, day, usd);
  }
}
