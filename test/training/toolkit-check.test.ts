// training.checkToolkit against the real, vendored ai-toolkit and its venv (real-toolkit.ts),
// and the clear errors for a wrong folder or a wrong Python, through the studio's dispatcher.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ToolkitCheck } from '@shared/contract/training';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';
import { realToolkit } from './real-toolkit';

let studio: Studio;
let scratch: string;
let toolkit: { dir: string; python: string };

async function check(toolkitDir: string, python: string): Promise<ToolkitCheck> {
  const r = await studio.dispatch('training.checkToolkit', { toolkitDir, python });
  if (!r.ok) throw new Error(`training.checkToolkit failed: ${JSON.stringify(r.error)}`);
  return r.data as ToolkitCheck;
}

beforeAll(async () => {
  toolkit = realToolkit();
  studio = await makeStudio();
  scratch = tempDir('flux-studio-toolkit-check-');
}, 600_000);
afterAll(async () => {
  await studio.close();
});

describe('training.checkToolkit', () => {
  test('the real ai-toolkit and its venv: ok, with ai-toolkit’s version, Python and torch', async () => {
    const r = await check(toolkit.dir, toolkit.python);
    const expected = /VERSION\s*=\s*"([^"]+)"/.exec(fs.readFileSync(path.join(toolkit.dir, 'version.py'), 'utf8'))?.[1];
    expect(expected).toMatch(/^\d+\.\d+/);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.version).toBe(expected);
    expect(r.pythonVersion).toMatch(/^3\.\d+\.\d+/);
    expect(r.torch).toMatch(/^2\.\d+/);
    expect(r.cuda).toBe(false); // this machine has no GPU
  }, 180_000);

  test('a folder that does not exist, and one without run.py, are named at the folder field', async () => {
    const missing = path.join(scratch, 'nope');
    const r1 = await check(missing, toolkit.python);
    expect(r1.ok).toBe(false);
    expect(r1.problems).toEqual([{ field: 'toolkitDir', message: expect.stringContaining(`${missing} does not exist`) }]);
    // The Python is still checked on its own.
    expect(r1.torch).toMatch(/^2\./);

    const empty = path.join(scratch, 'empty');
    fs.mkdirSync(empty);
    const r2 = await check(empty, toolkit.python);
    expect(r2.problems).toEqual([{ field: 'toolkitDir', message: expect.stringContaining(`${empty} has no run.py`) }]);
    expect(r2.version).toBeNull();
  }, 180_000);

  test('a wrong Python: missing, a folder, not a Python, and a Python without ai-toolkit’s requirements', async () => {
    const missing = path.join(scratch, 'python-nope');
    expect((await check(toolkit.dir, missing)).problems).toEqual([{ field: 'python', message: expect.stringContaining(`${missing} does not exist`) }]);

    expect((await check(toolkit.dir, scratch)).problems).toEqual([{ field: 'python', message: expect.stringContaining(`${scratch} is a folder`) }]);

    // An executable that is not Python.
    const notPython = path.join(scratch, 'not-python');
    fs.writeFileSync(notPython, '#!/bin/sh\necho "hello from sh"\n', { mode: 0o755 });
    const r3 = await check(toolkit.dir, notPython);
    expect(r3.ok).toBe(false);
    expect(r3.problems).toEqual([{ field: 'python', message: expect.stringContaining('did not answer like a Python 3 interpreter (it said: hello from sh)') }]);
    expect(r3.version).toBe(realVersion()); // the folder itself is fine

    // The system Python runs but has none of ai-toolkit's requirements.
    const system = '/usr/bin/python3';
    const r4 = await check(toolkit.dir, system);
    expect(r4.ok).toBe(false);
    expect(r4.pythonVersion).toMatch(/^3\./);
    expect(r4.problems).toHaveLength(1);
    expect(r4.problems[0]?.field).toBe('python');
    expect(r4.problems[0]?.message).toContain(`${system} cannot import torch`);
    expect(r4.problems[0]?.message).toContain(`-m pip install -r ${path.join(toolkit.dir, 'requirements.txt')}`);
  }, 180_000);

  test('relative paths are refused at the boundary, naming the field', async () => {
    const r = await studio.dispatch('training.checkToolkit', { toolkitDir: 'ai-toolkit', python: toolkit.python });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'toolkitDir' } });
  });
});

function realVersion(): string | undefined {
  return /VERSION\s*=\s*"([^"]+)"/.exec(fs.readFileSync(path.join(toolkit.dir, 'version.py'), 'utf8'))?.[1];
}
