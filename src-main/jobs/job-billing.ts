// What a job costs and whether it may start. The job system knows no pods and no prices
// (it is infrastructure), so the composition hands it these hooks: the rate a job is billed
// at (its rented pod's GPU $/h), a gate asked before a queued job starts (a budget cap
// refuses it with a message naming the cap), and a note when a job ends (the cap stops a
// pod after its current image). See docs/architecture.md, "Cost, budget and stall guard".
/** What the hooks are told of a job: its kind and lane say which pod it uses. */
export interface BilledJob {
  kind: string;
  lane: string;
  params: Record<string, unknown>;
}

export interface JobBilling {
  /** USD/h the job is billed at while it runs; null: not billed (local work, an SSH host, a plain job). Asked when it starts or is reclaimed. */
  rate?(job: BilledJob): number | null;
  /**
   * Asked when a job is submitted (a reason becomes a `conflict` error) and again before a
   * queued one starts (it then ends failed with the reason): e.g. a budget cap. null: let it run.
   */
  refuse?(job: BilledJob): { code: string; message: string } | null;
  /** A job ended (any state, its row final, cost included). */
  ended?(job: BilledJob & { id: string; state: string; host: string | null; costUsd: number | null }): void;
}

/** USD for `seconds` at `usdPerHour`, rounded to a millionth of a dollar. */
export function costOf(usdPerHour: number, seconds: number): number {
  return Math.round(usdPerHour * (Math.max(0, seconds) / 3600) * 1e6) / 1e6;
}
