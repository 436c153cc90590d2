// `flux-studio dataset import|check|list` through commander (in process, real studio on a
// temp data dir): the JSON shapes scripts rely on.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { buildProgram } from '../../../src-main/cli/main';
import { tempDir } from '../../helpers/studio';
import { patterned } from '../../datasets/fixtures';

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    await buildProgram().parseAsync(['node', 'flux-studio', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('dataset command', () => {
  test('import, check --json, list --json', async () => {
    const dataDir = tempDir();
    const src = tempDir();
    fs.writeFileSync(path.join(src, 'one photo.jpg'), await patterned(640, 640, 61));
    fs.writeFileSync(path.join(src, 'one photo.txt'), 'a caption');
    fs.writeFileSync(path.join(src, 'empty.png'), '');
    const imported = JSON.parse(await run(['dataset', 'import', src, '--name', 'cli set', '--resolution', '512,1024', '--trigger', 'sks', '--json', '--data-dir', dataDir])) as { totals: Record<string, number> };
    expect(imported.totals).toEqual({ accepted: 1, converted: 0, rejected: 1, caption: 1, ignored: 0 });

    fs.writeFileSync(path.join(dataDir, 'datasets', 'cli set', 'bad.jpg'), 'text, not jpeg');
    const check = JSON.parse(await run(['dataset', 'check', 'cli set', '--json', '--data-dir', dataDir])) as Record<string, unknown>;
    expect(check).toEqual({
      dataset: 'cli set',
      accepted: [{ file: 'one photo.jpg', width: 640, height: 640 }],
      rejected: [{ file: 'bad.jpg', reason: 'not an image (the content is text)' }],
      warnings: [{ file: 'one photo.jpg', code: 'small', message: expect.stringContaining('below the 1024 px') as unknown as string }],
    });

    const list = JSON.parse(await run(['dataset', 'list', '--json', '--data-dir', dataDir])) as { name: string; trigger: string; resolutions: number[]; counts: Record<string, number> }[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'cli set', trigger: 'sks', resolutions: [512, 1024], counts: { images: 2, captioned: 1, uncaptioned: 1 } });
  }, 60_000);

  test('a bad resolution list is a usage error', async () => {
    await expect(run(['dataset', 'import', tempDir(), '--name', 'x', '--resolution', '500', '--data-dir', tempDir()])).rejects.toThrow(/multiple of 64/);
  });
});
