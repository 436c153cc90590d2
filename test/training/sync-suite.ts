// The incremental-sync scenario, run over any Host (LocalHost in dataset-sync.test.ts, SshHost in run-ssh.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Host } from '../../src-main/hosts/host';
import { MANIFEST_NAME, syncDataset, type SyncProgress } from '../../src-main/training/dataset-sync';
import { tempDir } from '../helpers/studio';
import { makeDataset } from './helpers';

/** Counts the puts and removes that reach the host. */
function counting(host: Host) {
  const puts: string[] = [];
  const removes: string[] = [];
  const wrapped: Host = Object.assign(Object.create(Object.getPrototypeOf(host) as object) as Host, host, {
    put: (l: string, h: string, o?: Parameters<Host['put']>[2]) => (puts.push(h), host.put(l, h, o)),
    remove: (h: string) => (removes.push(h), host.remove(h)),
  });
  return { host: wrapped, puts, removes };
}

export async function syncSuite(makeHost: () => Promise<{ host: Host; root: string; done: () => Promise<void> }>) {
  const { host: raw, root, done } = await makeHost();
  try {
    const local = makeDataset(path.join(tempDir(), 'set'), 10);
    fs.mkdirSync(path.join(local, 'sub'));
    fs.writeFileSync(path.join(local, 'sub', 'deep.PNG'), 'png-bytes');
    fs.writeFileSync(path.join(local, '.hidden.jpg'), 'x');
    fs.writeFileSync(path.join(local, 'notes.md'), 'not a dataset file');
    const hostDir = path.posix.join(root, 'datasets', 'set');
    const cacheFile = path.join(tempDir(), 'cache.json');

    const c1 = counting(raw);
    const progress: SyncProgress[] = [];
    const first = await syncDataset({ host: c1.host, localDir: local, hostDir, cacheFile, onProgress: (p) => progress.push(p) });
    expect(first.uploaded).toHaveLength(21);
    expect(c1.puts).toHaveLength(21);
    expect(first.uploaded).toContain('sub/deep.PNG');
    expect(first.uploaded).not.toContain('.hidden.jpg');
    expect(first.uploaded).not.toContain('notes.md');
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: 21, total: 21 });
    expect(progress.filter((p) => p.phase === 'uploading').length).toBe(21);
    expect((await raw.readFile(path.posix.join(hostDir, 'img_0003.txt'))).toString()).toBe('[trigger] photo number 3');
    expect(await raw.stat(path.posix.join(hostDir, MANIFEST_NAME))).not.toBeNull();
    // ai-toolkit's own files on the host are never touched.
    await raw.mkdir(path.posix.join(hostDir, '_latent_cache'));
    await raw.writeFile(path.posix.join(hostDir, '_latent_cache', 'x.safetensors'), 'latent');

    // Nothing changed: nothing goes up.
    const c2 = counting(raw);
    const second = await syncDataset({ host: c2.host, localDir: local, hostDir, cacheFile });
    expect(second.uploaded).toEqual([]);
    expect(second.deleted).toEqual([]);
    expect(second.unchanged).toBe(21);
    expect(c2.puts).toEqual([]);

    // One changed, one deleted, one added → exactly those.
    fs.writeFileSync(path.join(local, 'img_0001.txt'), '[trigger] a new caption');
    fs.rmSync(path.join(local, 'img_0002.jpg'));
    fs.writeFileSync(path.join(local, 'new.webp'), 'webp');
    const c3 = counting(raw);
    const third = await syncDataset({ host: c3.host, localDir: local, hostDir, cacheFile });
    expect(third.uploaded.sort()).toEqual(['img_0001.txt', 'new.webp']);
    expect(third.deleted).toEqual(['img_0002.jpg']);
    expect(c3.puts).toHaveLength(2);
    expect(await raw.stat(path.posix.join(hostDir, 'img_0002.jpg'))).toBeNull();
    expect((await raw.readFile(path.posix.join(hostDir, 'img_0001.txt'))).toString()).toBe('[trigger] a new caption');
    expect(await raw.stat(path.posix.join(hostDir, '_latent_cache', 'x.safetensors'))).not.toBeNull();

    // A file changed behind our back on the host (size differs from the manifest) is put back.
    await raw.writeFile(path.posix.join(hostDir, 'img_0005.txt'), 'tampered, longer text');
    await raw.remove(path.posix.join(hostDir, 'img_0006.jpg'));
    const fourth = await syncDataset({ host: raw, localDir: local, hostDir, cacheFile });
    expect(fourth.uploaded.sort()).toEqual(['img_0005.txt', 'img_0006.jpg']);
    expect((await raw.readFile(path.posix.join(hostDir, 'img_0005.txt'))).toString()).toBe('[trigger] photo number 5');
  } finally {
    await done();
  }
}

