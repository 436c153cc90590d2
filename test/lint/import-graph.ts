// The import graph of the TypeScript sources, for the layering test (import-graph.test.ts)
// and `node scripts/import-graph.mjs`-style inspection. Static `import … from`, `export … from`,
// `import('…')` and `require('…')` specifiers; relative paths and the `@shared/` alias are
// resolved to files, packages are left out. The layers are described in docs/architecture.md.
import fs from 'node:fs';
import path from 'node:path';

export type Graph = Map<string, Set<string>>;

const EXTS = ['.ts', '.tsx', '/index.ts', '/index.tsx'];
const SPEC = /(?:^|[^\w$.])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^\w$.])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function listSources(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  };
  for (const d of dirs) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  return out.sort();
}

function resolveSpec(root: string, from: string, spec: string, files: ReadonlySet<string>): string | null {
  let base: string;
  if (spec.startsWith('@shared/')) base = `src-shared/${spec.slice('@shared/'.length)}`;
  else if (spec.startsWith('.')) base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  else return null;
  if (files.has(base)) return base;
  for (const ext of EXTS) if (files.has(base + ext)) return base + ext;
  return null;
}

/** Strip comments so that commented-out imports and prose do not count. */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

export function importGraph(root: string, dirs: readonly string[] = ['src-shared', 'src-main', 'src-preload', 'src-renderer']): Graph {
  const list = listSources(root, dirs);
  const files = new Set(list);
  const graph: Graph = new Map();
  for (const f of list) {
    const code = stripComments(fs.readFileSync(path.join(root, f), 'utf8'));
    const deps = new Set<string>();
    for (const m of code.matchAll(SPEC)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (!spec) continue;
      const target = resolveSpec(root, f, spec, files);
      if (target && target !== f) deps.add(target);
    }
    graph.set(f, deps);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan): each is an import loop. */
export function importLoops(graph: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const loops: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) loops.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return loops;
}

/**
 * The layer of a file, lowest first. A file may import its own layer or a lower one, never a
 * higher one. See docs/architecture.md ("Layers").
 */
export const LAYERS = [
  { name: 'shared', test: (f: string) => f.startsWith('src-shared/') },
  { name: 'core', test: (f: string) => f.startsWith('src-main/core/') },
  {
    name: 'infrastructure',
    test: (f: string) => /^src-main\/(api|db|logging|paths|platform|secrets|settings|jobs|media|security|hosts)\//.test(f),
  },
  { name: 'capabilities', test: (f: string) => /^src-main\/[a-z-]+\//.test(f) && !/^src-main\/(app|cli|serve)\//.test(f) },
  { name: 'composition', test: (f: string) => f === 'src-main/studio.ts' },
  { name: 'entry points', test: (f: string) => /^src-main\/(app|cli|serve)\//.test(f) || /^src-main\/cli\.ts$/.test(f) },
  { name: 'preload', test: (f: string) => f.startsWith('src-preload/') },
  { name: 'renderer', test: (f: string) => f.startsWith('src-renderer/') },
] as const;

export function layerOf(file: string): number {
  const i = LAYERS.findIndex((l) => l.test(file));
  if (i < 0) throw new Error(`${file}: in no layer (add it to LAYERS and docs/architecture.md)`);
  return i;
}

/** Imports that point up the layers (or across processes: main ↔ preload ↔ renderer). */
export function upwardImports(graph: Graph): string[] {
  const bad: string[] = [];
  const proc = (f: string) => (f.startsWith('src-main/') ? 'main' : f.startsWith('src-preload/') ? 'preload' : f.startsWith('src-renderer/') ? 'renderer' : 'shared');
  for (const [from, deps] of graph) {
    for (const to of deps) {
      const pf = proc(from);
      const pt = proc(to);
      if (pt !== 'shared' && pf !== pt) bad.push(`${from} -> ${to} (crosses from ${pf} into ${pt})`);
      else if (layerOf(to) > layerOf(from)) bad.push(`${from} -> ${to} (${LAYERS[layerOf(from)]!.name} imports ${LAYERS[layerOf(to)]!.name})`);
    }
  }
  return bad.sort();
}
