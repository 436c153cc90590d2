// Imports extract zips into <data dir>/tmp/datasets/import-<pid>-XXXXXX and remove it when
// they end; a kill -9 mid-import leaves it behind (hundreds of MB for a big zip). At start-up
// every such folder whose process is gone is removed. The pid in the name keeps a CLI
// command started next to a running server from deleting that server's live import.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logging/logger';

const PREFIX = 'import-';

/** A fresh staging folder for one import, named for this process. */
export function makeImportTemp(stagingDir: string): string {
  return fs.mkdtempSync(path.join(stagingDir, `${PREFIX}${process.pid}-`));
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but is not ours to signal; keep its folder.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes import folders left by processes that no longer run (and unnamed ones from older versions). Returns how many. */
export function removeOrphanImportTemps(stagingDir: string, log: Logger): number {
  let names: string[];
  try {
    names = fs.readdirSync(stagingDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const n of names) {
    if (!n.startsWith(PREFIX)) continue;
    const pid = /^import-(\d+)-/.exec(n)?.[1];
    if (pid !== undefined && alive(Number(pid))) continue;
    try {
      fs.rmSync(path.join(stagingDir, n), { recursive: true, force: true });
      removed++;
    } catch (err) {
      log.warn(`could not remove the leftover import folder ${n}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (removed > 0) log.info(`removed ${removed} folder${removed === 1 ? '' : 's'} left by interrupted imports`);
  return removed;
}
