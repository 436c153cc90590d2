// The layering of docs/architecture.md, checked over the real import graph: no import loops,
// and no import that points up a layer or across processes. A new file outside every layer
// fails too, so the map in the docs cannot silently go stale.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/studio';
import { importGraph, importLoops, layerOf, upwardImports, type Graph } from './import-graph';

describe('import graph', () => {
  const graph = importGraph(REPO_ROOT);

  test('reads the sources (and resolves the @shared alias)', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(graph.get('src-main/studio.ts')).toContain('src-main/jobs/job-service.ts');
    expect(graph.get('src-preload/index.ts')).toContain('src-shared/contract/index.ts');
  });

  test('has no import loop', () => {
    expect(importLoops(graph)).toEqual([]);
  });

  test('every file is in a layer, and no import points up a layer or across processes', () => {
    for (const f of graph.keys()) expect(() => layerOf(f)).not.toThrow();
    expect(upwardImports(graph)).toEqual([]);
  });

  test('the checks fire on a loop and on an upward import', () => {
    const bad: Graph = new Map([
      ['src-main/jobs/a.ts', new Set(['src-main/studio.ts'])],
      ['src-main/studio.ts', new Set(['src-main/jobs/a.ts'])],
      ['src-main/core/x.ts', new Set(['src-main/gallery/y.ts'])],
      ['src-main/gallery/y.ts', new Set<string>()],
      ['src-renderer/z.ts', new Set(['src-main/gallery/y.ts'])],
    ]);
    expect(importLoops(bad)).toEqual([['src-main/jobs/a.ts', 'src-main/studio.ts']]);
    expect(upwardImports(bad)).toEqual([
      'src-main/core/x.ts -> src-main/gallery/y.ts (core imports capabilities)',
      'src-main/jobs/a.ts -> src-main/studio.ts (infrastructure imports composition)',
      'src-renderer/z.ts -> src-main/gallery/y.ts (crosses from renderer into main)',
    ]);
  });
});

describe('test layout', () => {
  test('suites that start a real sshd are *.ssh.test.ts (the ssh project), and only those', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.test.ts')) files.push(path.relative(REPO_ROOT, p));
      }
    };
    walk(path.join(REPO_ROOT, 'test'));
    const startsSshd = (f: string) => /\b(startSshd|startTestPod|requireSshd)\(/.test(fs.readFileSync(path.join(REPO_ROOT, f), 'utf8'));
    expect(files.filter((f) => startsSshd(f) !== f.endsWith('.ssh.test.ts'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ssh.test.ts')).length).toBeGreaterThan(5);
  });
});
