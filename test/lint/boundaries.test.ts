// The process boundaries are enforced by ESLint; prove the rules fire (and only where meant).
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/studio';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint boundaries', () => {
  test("'electron' is refused outside src-main/app/", async () => {
    expect(await ruleIds("import { app } from 'electron';\nexport const a = app;\n", 'src-main/jobs/bad.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n", 'src-renderer/bad.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { app } from 'electron';\nexport const a = app;\n", 'src-main/app/ok.ts')).not.toContain('no-restricted-imports');
  });

  test('the renderer cannot import main code or Node built-ins', async () => {
    expect(await ruleIds("import { createStudio } from '../src-main/studio';\nexport const a = createStudio;\n", 'src-renderer/bad.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { x } from '../../src-main/db/open-database';\nexport const a = x;\n", 'src-renderer/pages/bad.tsx')).toContain('no-restricted-imports');
    expect(await ruleIds("import fs from 'node:fs';\nexport const a = fs;\n", 'src-renderer/bad.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { calls } from '@shared/contract';\nexport const a = calls;\n", 'src-renderer/ok.ts')).not.toContain('no-restricted-imports');
  });

  test('no `any` at boundaries', async () => {
    expect(await ruleIds('export function f(x: any) { return x; }\n', 'src-main/api/bad.ts')).toContain('@typescript-eslint/no-explicit-any');
  });
});
