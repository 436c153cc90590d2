// Per-image results of a tagging job, kept in `<dataDir>/tagging/<jobId>.jsonl`: a header
// line, then one line per image result and one per undo, appended as they happen (so a
// crash or a cancel never loses what was written, and undo works for every run). The
// newest line for a file is its state.
import fs from 'node:fs';
import path from 'node:path';
import type { TaggingItem, TaggingMode, TaggingResults } from '@shared/contract/tagging';

export interface ResultHeader {
  type: 'header';
  jobId: string;
  dataset: string;
  dir: string;
  mode: TaggingMode;
  source: 'tagger' | 'claude';
  sourceDetail: string;
  startedAt: string;
  /** Every file of the run, in order (the ones without a result line are pending). */
  files: string[];
}

type Line = ResultHeader | ({ type: 'item' } & TaggingItem) | { type: 'usage'; inputTokens: number; outputTokens: number; usd: number | null };

export function resultLogFile(dataDir: string, jobId: string): string {
  return path.join(dataDir, 'tagging', `${jobId}.jsonl`);
}

export class ResultLog {
  constructor(readonly file: string) {}

  static create(file: string, header: Omit<ResultHeader, 'type'>): ResultLog {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ type: 'header', ...header }) + '\n', { encoding: 'utf8', mode: 0o600 });
    return new ResultLog(file);
  }

  /** Just the header (first line), or null when the file is unreadable. */
  header(): ResultHeader | null {
    try {
      const fd = fs.openSync(this.file, 'r');
      try {
        const buf = Buffer.alloc(64 * 1024);
        const n = fs.readSync(fd, buf, 0, buf.length, 0);
        const text = buf.subarray(0, n).toString('utf8');
        const nl = text.indexOf('\n');
        if (nl < 0) return null;
        const line = JSON.parse(text.slice(0, nl)) as ResultHeader;
        return line.type === 'header' ? line : null;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return null;
    }
  }

  exists(): boolean {
    return fs.existsSync(this.file);
  }

  item(item: TaggingItem): void {
    this.append({ type: 'item', ...item });
  }

  usage(inputTokens: number, outputTokens: number, usd: number | null): void {
    this.append({ type: 'usage', inputTokens, outputTokens, usd });
  }

  private append(line: Line): void {
    fs.appendFileSync(this.file, JSON.stringify(line) + '\n', 'utf8');
  }

  read(): TaggingResults {
    const text = fs.readFileSync(this.file, 'utf8');
    let header: ResultHeader | null = null;
    const items = new Map<string, TaggingItem>();
    let usage: TaggingResults['usage'] = null;
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue; // a line cut short by a crash
      }
      if (line.type === 'header') header = line;
      else if (line.type === 'usage') usage = { inputTokens: line.inputTokens, outputTokens: line.outputTokens, usd: line.usd };
      else if (line.type === 'item') {
        const { type: _type, ...item } = line;
        items.set(item.file, item);
      }
    }
    if (!header) throw new Error(`${this.file} has no header`);
    const list: TaggingItem[] = header.files.map(
      (file) => items.get(file) ?? { file, before: null, after: null, generated: null, status: 'pending', error: null },
    );
    const counts = { written: 0, unchanged: 0, skipped: 0, failed: 0, undone: 0, pending: 0 };
    for (const i of list) counts[i.status]++;
    return {
      jobId: header.jobId,
      startedAt: header.startedAt,
      dataset: header.dataset,
      dir: header.dir,
      mode: header.mode,
      source: header.source,
      sourceDetail: header.sourceDetail,
      items: list,
      counts,
      usage,
    };
  }
}
