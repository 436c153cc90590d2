// Which line of the review step's YAML a validation error is about: "line 3:5" (a YAML syntax
// error) or a field path such as "config.process[0].network.linear" (training.validate's paths).
// A path that names a missing key points at the deepest part that exists.
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

/** "config.process[0].train.lr" → ['config', 'process', 0, 'train', 'lr']. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The 1-based line an error path points at, or null when it names no place in the text. */
export function lineForPath(text: string, path: string): number | null {
  const direct = /^line (\d+)(?::\d+)?$/.exec(path);
  if (direct) return Number(direct[1]);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return null;
  let node: unknown = doc.contents;
  let offset: number | null = null;
  for (const key of splitPath(path)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      const k = pair.key as Node;
      if (k.range) offset = k.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else break;
  }
  return offset === null ? null : lineOf(text, offset);
}
