// Samples and checkpoints pulled from the host into the run's local folder while it trains.
// A checkpoint is fetched once its size and mtime held still for a round (still being
// written otherwise); files fetched before a restart are recognised by size.
import fs from 'node:fs';
import path from 'node:path';
import type { Host } from '../hosts/host';
import type { RunFiles } from './launcher';
import { checkpointStep, sampleInfo } from './log-parser';

export class ArtifactPuller {
  /** key → size:mtime of what was fetched. */
  private readonly fetched = new Map<string, string>();
  /** key → size:mtime seen last round. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly runId: string,
    private readonly localDir: string,
  ) {}

  async pull(host: Host, files: RunFiles, final: boolean): Promise<void> {
    await this.pullDir(host, path.posix.join(files.output, 'samples'), 'samples', (n) => sampleInfo(n) !== null, false, final);
    await this.pullDir(host, files.output, 'checkpoints', (n) => checkpointStep(n, this.runId) !== undefined, true, final);
  }

  private async pullDir(host: Host, dir: string, localSub: string, wanted: (n: string) => boolean, needsStable: boolean, final: boolean): Promise<void> {
    let entries;
    try {
      entries = await host.list(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory || e.name.startsWith('.') || !wanted(e.name)) continue;
      const sig = `${e.size}:${e.mtimeMs}`;
      const key = `${localSub}/${e.name}`;
      const dest = path.join(this.localDir, localSub, e.name);
      const stable = this.seen.get(key) === sig;
      this.seen.set(key, sig);
      if (this.fetched.get(key) === sig) continue;
      if (fs.existsSync(dest) && fs.statSync(dest).size === e.size && !this.fetched.has(key)) {
        this.fetched.set(key, sig); // fetched before a restart
        continue;
      }
      if (needsStable && !stable && !final) continue; // still being written: next round
      await host.get(path.posix.join(dir, e.name), dest);
      this.fetched.set(key, sig);
    }
  }
}
