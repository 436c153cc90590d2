// Training sees the Datasets page's datasets (with their trigger words and in-place folders)
// plus hand-made ai-toolkit folders under <dataDir>/datasets/ that the page never registered.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { managedDatasets } from '../../src-main/training/targets';
import { tempDir } from '../helpers/studio';

test('managed datasets come first with their trigger; unregistered folders are added once; missing ones are left out', async () => {
  const dataDir = tempDir();
  const root = path.join(dataDir, 'datasets');
  fs.mkdirSync(path.join(root, 'cats'), { recursive: true });
  fs.writeFileSync(path.join(root, 'cats', 'a.jpg'), 'x');
  fs.mkdirSync(path.join(root, 'hand made'), { recursive: true });
  for (const f of ['1.png', '2.webp', 'notes.md']) fs.writeFileSync(path.join(root, 'hand made', f), 'x');
  const elsewhere = tempDir();
  const managed = {
    list: () => [
      { name: 'cats', dir: path.join(root, 'cats'), trigger: ' mycat ', present: true, counts: { images: 12 } },
      { name: 'Portraits 2026', dir: elsewhere, trigger: '', present: true, counts: { images: 3 } },
      { name: 'gone', dir: path.join(dataDir, 'nowhere'), trigger: 'x', present: false, counts: { images: 9 } },
    ],
  };
  const list = await managedDatasets(managed, dataDir).list();
  expect(list).toEqual([
    { name: 'cats', dir: path.join(root, 'cats'), imageCount: 12, trigger: 'mycat' },
    { name: 'hand made', dir: path.join(root, 'hand made'), imageCount: 2 },
    { name: 'Portraits 2026', dir: elsewhere, imageCount: 3 },
  ]);
});
