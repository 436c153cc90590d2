// Caption editing: single edits, bulk operations and per-dataset undo for this session.
// Every write goes through writeCaption (atomic, UTF-8). An undo step remembers each
// touched file's previous text (null = there was no .txt), so undoing a bulk operation
// restores every caption it changed in one step, and deletes captions it created.
import fs from 'node:fs';
import type { BulkOp } from '@shared/contract/datasets';
import { StudioError } from '../core/studio-error';
import { captionPathFor, readCaption, writeCaption } from './captions';
import type { DatasetLookup } from './dataset-lookup';
import { absFile } from './names';

interface UndoStep {
  label: string;
  before: { file: string; text: string | null }[];
}

const MAX_UNDO = 200;
const TRIGGER = '[trigger]';

/** Splits a comma-separated caption into trimmed, non-empty tags. */
export function splitTags(caption: string): string[] {
  return caption
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Compiles a find pattern (plain text or a regex) or throws a StudioError that says what is wrong. */
export function compileFind(find: string, regex: boolean, caseSensitive: boolean): RegExp {
  const flags = caseSensitive ? 'gu' : 'giu';
  if (!regex) return new RegExp(find.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags);
  try {
    return new RegExp(find, flags);
  } catch (err) {
    const why = (err as Error).message.split(': ').pop() ?? 'syntax error';
    throw new StudioError('invalid_input', `op.find: not a valid regular expression (${why}); fix it or untick “regex” to search for the text as typed`, 'op.find');
  }
}

/** What `op` makes of one caption (null = no caption file yet). Pure: exported for tests. */
export function applyOp(caption: string | null, op: BulkOp, find?: RegExp): string | null {
  const text = caption ?? '';
  switch (op.kind) {
    case 'prepend':
      return text.trim() === '' ? op.text : joinText(op.text, text);
    case 'append':
      return text.trim() === '' ? op.text : joinText(text, op.text);
    case 'insertTrigger':
      if (text.includes(TRIGGER)) return caption;
      if (text.trim() === '') return TRIGGER;
      return op.position === 'start' ? `${TRIGGER}, ${text.replace(/^\s+/, '')}` : `${text.replace(/\s+$/, '')}, ${TRIGGER}`;
    case 'replace': {
      if (caption === null) return null;
      const re = find ?? compileFind(op.find, op.regex, op.caseSensitive);
      re.lastIndex = 0;
      return text.replace(re, op.replace);
    }
    case 'removeTag': {
      if (caption === null) return null;
      const want = op.tag.trim().toLowerCase();
      const tags = splitTags(text);
      const kept = tags.filter((t) => t.toLowerCase() !== want);
      return kept.length === tags.length ? caption : kept.join(', ');
    }
  }
}

/** Joins two pieces of a caption: with ", " unless the seam already has punctuation or space. */
function joinText(a: string, b: string): string {
  if (/[\s,]$/.test(a) || /^[\s,]/.test(b)) return a + b;
  return `${a}, ${b}`;
}

export class CaptionEditor {
  private readonly undo = new Map<string, UndoStep[]>();

  constructor(private readonly service: DatasetLookup) {}

  private push(name: string, step: UndoStep): void {
    if (step.before.length === 0) return;
    const stack = this.undo.get(name) ?? [];
    stack.push(step);
    if (stack.length > MAX_UNDO) stack.shift();
    this.undo.set(name, stack);
  }

  private imagePath(dir: string, file: string): string {
    const abs = absFile(dir, file);
    if (!fs.existsSync(abs)) throw new StudioError('not_found', `file: ${JSON.stringify(file)} is not in the dataset (reload the list)`, 'file');
    return abs;
  }

  setCaption(name: string, file: string, text: string): { file: string; caption: string; previous: string | null } {
    const ds = this.service.ref(name);
    const abs = this.imagePath(ds.dir, file);
    const previous = readCaption(abs);
    if (previous !== text) {
      writeCaption(abs, text);
      this.push(ds.name, { label: `edit ${file}`, before: [{ file, text: previous }] });
      this.service.notifyChanged(ds.name);
    }
    return { file, caption: text, previous };
  }

  bulk(name: string, op: BulkOp, files?: readonly string[]): { changed: string[]; examined: number } {
    const ds = this.service.ref(name);
    const find = op.kind === 'replace' ? compileFind(op.find, op.regex, op.caseSensitive) : undefined;
    const targets = files ? [...new Set(files)] : this.service.items(ds.name).map((i) => i.file);
    // Validate every target before writing anything.
    const paths = targets.map((f) => ({ file: f, abs: this.imagePath(ds.dir, f) }));
    const before: UndoStep['before'] = [];
    const changed: string[] = [];
    try {
      for (const { file, abs } of paths) {
        const old = readCaption(abs);
        const next = applyOp(old, op, find);
        if (next === null || next === old) continue;
        writeCaption(abs, next);
        before.push({ file, text: old });
        changed.push(file);
      }
    } finally {
      // Even a failure half-way stays undoable as one step for what was written.
      this.push(ds.name, { label: `${describeOp(op)} (${before.length} caption${before.length === 1 ? '' : 's'})`, before });
      if (changed.length > 0) this.service.notifyChanged(ds.name);
    }
    return { changed, examined: paths.length };
  }

  undoLast(name: string): { undone: string | null; files: string[]; remaining: number } {
    const ds = this.service.ref(name);
    const stack = this.undo.get(ds.name) ?? [];
    const step = stack.pop();
    if (!step) return { undone: null, files: [], remaining: 0 };
    for (const { file, text } of step.before) {
      const abs = absFile(ds.dir, file);
      if (text === null) fs.rmSync(captionPathFor(abs), { force: true });
      else writeCaption(abs, text);
    }
    this.service.notifyChanged(ds.name);
    return { undone: step.label, files: step.before.map((b) => b.file), remaining: stack.length };
  }

  undoDepth(name: string): number {
    return this.undo.get(name)?.length ?? 0;
  }

  /** Tag frequencies over comma-separated captions (case-insensitive; shown as first seen). */
  tags(name: string): { tag: string; count: number; files: string[] }[] {
    const counts = new Map<string, { tag: string; count: number; files: string[] }>();
    for (const item of this.service.items(name)) {
      if (!item.caption) continue;
      const seen = new Set<string>();
      for (const tag of splitTags(item.caption)) {
        const key = tag.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        const c = counts.get(key) ?? { tag, count: 0, files: [] };
        c.count++;
        c.files.push(item.file);
        counts.set(key, c);
      }
    }
    return [...counts.values()].sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : 1));
  }
}

function describeOp(op: BulkOp): string {
  switch (op.kind) {
    case 'prepend':
      return `prepend “${op.text}”`;
    case 'append':
      return `append “${op.text}”`;
    case 'insertTrigger':
      return 'insert [trigger]';
    case 'replace':
      return `replace “${op.find}”`;
    case 'removeTag':
      return `remove tag “${op.tag}”`;
  }
}
