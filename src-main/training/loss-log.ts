// The loss chart's source (docs/architecture.md, "Training"): ai-toolkit's own per-step log.
// Every config says `logging: {use_ui_logger: true, log_every: 1}`, so ai-toolkit's UILogger
// writes <training_folder>/<name>/loss_log.db (SQLite, WAL): tables steps(step, wall_time) and
// metrics(step, key, value_real), key "loss/loss". Its step is ai-toolkit's 0-based step_num;
// the bar shows step_num + 1, so db step s is the studio's step s + 1. The first step of each
// launch is not logged (ai-toolkit skips logging on its start step).
//
// The db is read on the training host with the run's own python (stdlib sqlite3), the db path
// and the cursor as argv, rows after the cursor as JSON on stdout: incremental, the same over
// SSH as here.
import path from 'node:path';
import { z } from 'zod';
import type { Host } from '../hosts/host';

const READ_PY = `import json, os, sqlite3, sys
db, after = sys.argv[1], int(sys.argv[2])
rows = []
if os.path.exists(db):
    try:
        con = sqlite3.connect(db, timeout=10)
        rows = con.execute(
            "SELECT m.step, s.wall_time, m.value_real FROM metrics m JOIN steps s ON s.step = m.step "
            "WHERE m.key = 'loss/loss' AND m.step > ? AND m.value_real IS NOT NULL ORDER BY m.step", (after,)).fetchall()
        con.close()
    except sqlite3.OperationalError:
        rows = []  # created but no tables yet
print(json.dumps(rows))
`;

const Rows = z.array(z.tuple([z.number().int(), z.number(), z.number()]));

export interface LossRow {
  /** The studio's step (ai-toolkit's step_num + 1, as its bar shows). */
  step: number;
  loss: number;
  /** When ai-toolkit committed the step (epoch seconds, the host's clock). */
  wallTime: number;
}

export function lossLogPath(trainingFolder: string, name: string): string {
  return path.posix.join(trainingFolder, name, 'loss_log.db');
}

/** Rows with ai-toolkit step > afterDbStep (the studio's step > afterDbStep + 1). */
export async function readLossLog(host: Host, python: string, db: string, afterDbStep: number): Promise<LossRow[]> {
  const r = await host.exec([python, '-c', READ_PY, db, String(afterDbStep)], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`reading ${db} failed (exit ${r.code ?? r.signal}): ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
  const rows = Rows.parse(JSON.parse(r.stdout));
  return rows.map(([s, wall, loss]) => ({ step: s + 1, loss, wallTime: wall }));
}
