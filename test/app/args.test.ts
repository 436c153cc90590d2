import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { dataDirFlag, findResourcesDir } from '../../src-main/app/args';
import { REPO_ROOT, tempDir } from '../helpers/studio';

describe('dataDirFlag', () => {
  test('reads --data-dir=DIR and --data-dir DIR', () => {
    expect(dataDirFlag(['/opt/Flux Studio/flux-studio', '--data-dir=/tmp/a'])).toBe('/tmp/a');
    expect(dataDirFlag(['electron', '.', '--data-dir', '/tmp/b'])).toBe('/tmp/b');
  });
  test('absent, valueless or after -- is undefined', () => {
    expect(dataDirFlag(['electron', '.'])).toBeUndefined();
    expect(dataDirFlag(['electron', '.', '--data-dir'])).toBeUndefined();
    expect(dataDirFlag(['electron', '.', '--data-dir', '--inspect'])).toBeUndefined();
    expect(dataDirFlag(['electron', '.', '--', '--data-dir=/tmp/c'])).toBeUndefined();
  });
});

describe('findResourcesDir', () => {
  test('a package reads resourcesPath', () => {
    expect(findResourcesDir({ isPackaged: true, resourcesPath: '/app/resources', appPath: '/app/resources/app.asar', mainDir: '/x' })).toBe('/app/resources');
  });
  test('a checkout uses the app path when it holds configs/', () => {
    expect(findResourcesDir({ isPackaged: false, resourcesPath: '/r', appPath: REPO_ROOT, mainDir: path.join(REPO_ROOT, 'out', 'main') })).toBe(REPO_ROOT);
  });
  test('`electron out/main/index.js` (app path out/main) falls back to the repo root', () => {
    const mainDir = path.join(REPO_ROOT, 'out', 'main');
    expect(findResourcesDir({ isPackaged: false, resourcesPath: '/r', appPath: mainDir, mainDir })).toBe(REPO_ROOT);
    expect(fs.existsSync(path.join(REPO_ROOT, 'configs'))).toBe(true);
  });
  test('with no configs/ anywhere it answers the app path', () => {
    const dir = tempDir();
    expect(findResourcesDir({ isPackaged: false, resourcesPath: '/r', appPath: dir, mainDir: path.join(dir, 'a', 'b') })).toBe(dir);
  });
});
