// What the studio keeps of a run on this computer, under <dataDir>/trainings/<id>: the YAML as
// started, the log mirror (train.log), the samples and checkpoints fetched from the host.
import fs from 'node:fs';
import path from 'node:path';
import type { TrainingCheckpoint } from '@shared/contract/training';
import { writeFileAtomic } from '../core/atomic-write';
import { StudioError } from '../core/studio-error';
import { checkpointStep, sampleInfo } from './log-parser';

export class LocalRunFiles {
  constructor(private readonly dataDir: string) {}

  dir(id: string): string {
    return path.join(this.dataDir, 'trainings', id);
  }

  /** The dataset sync's cache of what a target already holds. */
  syncCache(target: string, dataset: string): string {
    return path.join(this.dataDir, 'trainings', '.sync-cache', `${target.replace(/[^A-Za-z0-9_-]/g, '_')}--${dataset}.json`);
  }

  writeConfig(id: string, yaml: string): void {
    fs.mkdirSync(this.dir(id), { recursive: true });
    writeFileAtomic(path.join(this.dir(id), 'config.yaml'), yaml);
  }

  appendMirror(id: string, chunk: Buffer): void {
    if (chunk.length === 0) return;
    fs.mkdirSync(this.dir(id), { recursive: true });
    fs.appendFileSync(path.join(this.dir(id), 'train.log'), chunk);
  }

  logTail(id: string, lines: number): string[] {
    const file = path.join(this.dir(id), 'train.log');
    let text = '';
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const len = Math.min(size, 64 * 1024);
        const buf = Buffer.alloc(len);
        fs.readSync(fd, buf, 0, len, size - len);
        text = buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return [];
    }
    // A \r redraw replaces the line it is on, as in a terminal.
    return text
      .split('\n')
      .map((l) => l.split('\r').filter((s) => s.length > 0).pop() ?? '')
      .filter((l) => l.trim().length > 0)
      .slice(-lines);
  }

  samples(id: string): { file: string; step: number; prompt: number }[] {
    let names: string[] = [];
    try {
      names = fs.readdirSync(path.join(this.dir(id), 'samples'));
    } catch {
      return [];
    }
    return names
      .filter((n) => !n.startsWith('.'))
      .map((file) => ({ file, info: sampleInfo(file) }))
      .filter((x): x is { file: string; info: { step: number; prompt: number } } => x.info !== null)
      .map(({ file, info }) => ({ file, ...info }))
      .sort((a, b) => a.step - b.step || a.prompt - b.prompt || a.file.localeCompare(b.file));
  }

  /** Final file first, then newest step first. */
  checkpoints(id: string): TrainingCheckpoint[] {
    const dir = path.join(this.dir(id), 'checkpoints');
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return [];
    }
    const out: TrainingCheckpoint[] = [];
    for (const file of names) {
      const step = checkpointStep(file, id);
      if (step === undefined) continue;
      out.push({ file, path: path.join(dir, file), step, final: step === null, bytes: fs.statSync(path.join(dir, file)).size });
    }
    return out.sort((a, b) => (a.final ? -1 : b.final ? 1 : (b.step ?? 0) - (a.step ?? 0)));
  }

  sampleDataUrl(id: string, file: string): string {
    const p = path.join(this.dir(id), 'samples', file);
    if (!fs.existsSync(p)) throw new StudioError('not_found', `training.sample: file: no sample ${file}`, 'file');
    const ext = path.extname(file).slice(1).toLowerCase();
    const type = ext === 'jpg' ? 'jpeg' : ext;
    return `data:image/${type};base64,${fs.readFileSync(p).toString('base64')}`;
  }
}
