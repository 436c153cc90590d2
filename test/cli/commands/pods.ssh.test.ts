// `flux-studio pods …` and `generate --pod` through the real built CLI (npm run build first),
// against a real OpenSSH server on 127.0.0.1 and the stand-in worker in the pod venv.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageParameters } from '../../../src-main/metadata/read-parameters';
import { podVenvPython } from '../../helpers/remote-pod';
import { requireBuilt, requireSshd, startSshd, type TestSshd } from '../../helpers/sshd';
import { REPO_ROOT, tempDir } from '../../helpers/studio';

const BIN = path.join(REPO_ROOT, 'bin', 'flux-studio.cjs');
requireSshd();
requireBuilt(path.join(REPO_ROOT, 'out', 'main'));

describe('pods CLI', () => {
  let sshd: TestSshd;
  const dataDir = tempDir('flux-cli-pods-');
  const ws = fs.realpathSync(tempDir('flux-cli-ws-'));
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('adds a pod from a pasted command, refuses it until trusted, then generates on it', () => {
    const fp = sshd.hostKeyFingerprint();
    const add = cli('pods', 'add', 'runpod-1', '--from-ssh', `ssh ${sshd.user}@127.0.0.1 -p ${sshd.port} -i ${sshd.clientKeyPath}`, '--workspace', ws, '--python', podVenvPython(), '--pipeline', 'standin');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
    expect(add.stderr).toContain(fp);

    const untrusted = cli('generate', 'a lighthouse', '--pod', 'runpod-1', '--fast', '--custom', '256x256', '--quiet');
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain(fp);
    expect(untrusted.stderr).toMatch(/not trusted/);

    const show = cli('pods', 'trust', 'runpod-1');
    expect(show.code).toBe(3);
    expect(show.stdout).toContain(fp);
    expect(cli('pods', 'trust', 'runpod-1', '--fingerprint', 'SHA256:' + 'B'.repeat(43)).code).not.toBe(0);
    expect(cli('pods', 'trust', 'runpod-1', '--fingerprint', fp).code).toBe(0);

    const status = cli('pods', 'status', 'runpod-1', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'connected' });

    const gen = cli('generate', 'a lighthouse; $(touch x)', '--pod', 'runpod-1', '--fast', '--custom', '256x256', '--seed', '77');
    expect(gen.code, gen.stderr).toBe(0);
    const file = gen.stdout.trim();
    expect(path.basename(file)).toMatch(/^flux_\d{8}_\d{6}_77\.jpg$/);
    expect(readImageParameters(fs.readFileSync(file))).toMatchObject({ prompt: 'a lighthouse; $(touch x)', seed: 77, steps: 4, pod: 'runpod-1' });

    const list = JSON.parse(cli('pods', 'list', '--json').stdout) as { name: string; hostKey: { fingerprint: string } }[];
    expect(list).toMatchObject([{ name: 'runpod-1', hostKey: { fingerprint: fp } }]);
    expect(cli('pods', 'remove', 'runpod-1').code).toBe(0);
  }, 240_000);
});
