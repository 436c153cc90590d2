// Pod profiles: the paste-a-command parser, ~/.ssh/config import, profiles in SQLite,
// passphrases in the secret store (never in a profile answer), nvidia-smi parsing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PodProfile } from '@shared/contract';
import { parseNvidiaSmi } from '../../src-main/pods/pod-connections';
import { parseSshCommand, splitWords } from '../../src-main/pods/ssh-command-parser';
import { readSshConfigHosts } from '../../src-main/pods/ssh-config-import';
import { checkRemoteOutputPath } from '../../src-main/generation/remote/remote-runtime';
import { unwrap } from '../helpers/remote-pod';
import { makeStudio, tempDir } from '../helpers/studio';

const HOME = '/home/ada';

describe('paste an SSH command', () => {
  it('reads RunPod\'s direct TCP command (options after the host)', () => {
    expect(parseSshCommand('ssh root@195.26.233.3 -p 34446 -i ~/.ssh/id_ed25519', HOME)).toEqual({
      host: '195.26.233.3',
      port: 34446,
      user: 'root',
      keyPath: '/home/ada/.ssh/id_ed25519',
      warnings: [],
    });
  });

  it.each([
    ['ssh -p 2222 -i /keys/k ubuntu@host.example', { host: 'host.example', port: 2222, user: 'ubuntu', keyPath: '/keys/k' }],
    ['ssh -p2222 -l bob host.example', { host: 'host.example', port: 2222, user: 'bob', keyPath: null }],
    ['$ ssh -o Port=2200 -o "IdentityFile ~/k" -tA root@10.0.0.1', { host: '10.0.0.1', port: 2200, user: 'root', keyPath: '/home/ada/k' }],
    ['ssh://me@[2001:db8::1]:2022', { host: '2001:db8::1', port: 2022, user: 'me', keyPath: null }],
    ['root@1.2.3.4:2201', { host: '1.2.3.4', port: 2201, user: 'root', keyPath: null }],
    ['1.2.3.4', { host: '1.2.3.4', port: 22, user: 'root', keyPath: null }],
    ["ssh root@1.2.3.4 -i '/my keys/id rsa' -p 1", { host: '1.2.3.4', port: 1, user: 'root', keyPath: '/my keys/id rsa' }],
  ])('%s', (cmd, want) => {
    expect(parseSshCommand(cmd, HOME)).toMatchObject(want);
  });

  it('warns about RunPod\'s interactive-only proxy and ignored remote commands', () => {
    expect(parseSshCommand('ssh 7h9k2m4n6p-64411eb2@ssh.runpod.io -i ~/.ssh/id_ed25519', HOME).warnings.join(' ')).toMatch(/proxy/);
    expect(parseSshCommand('ssh root@1.2.3.4 nvidia-smi', HOME).warnings).toEqual(['Text after the host (a remote command) was ignored.']);
  });

  it.each(['ssh', 'ssh -p', 'ssh root@1.2.3.4 -p 99999', 'ssh root@1.2.3.4 -p abc', "ssh 'root@1.2.3.4", 'ssh root@$(reboot)', 'ssh bad;user@1.2.3.4'])('refuses %s', (cmd) => {
    expect(() => parseSshCommand(cmd, HOME)).toThrow();
  });

  it('splits words like a shell, without expanding anything', () => {
    expect(splitWords(`a "b c" 'd $e' f\\ g "h\\"i"`)).toEqual(['a', 'b c', 'd $e', 'f g', 'h"i']);
  });
});

describe('~/.ssh/config import', () => {
  const dir = tempDir('flux-sshcfg-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists concrete hosts with their resolved settings (wildcards applied, first value wins)', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(
      file,
      [
        'Host runpod-a',
        '  HostName 195.26.233.3',
        '  Port 34446',
        '  User root',
        '  IdentityFile ~/.ssh/id_ed25519',
        '',
        'Host gpu-box other-alias',
        '  HostName gpu.example.org',
        '',
        'Host *',
        '  User ada',
        '  IdentityFile ~/.ssh/default',
        '  Port 2200',
        '',
      ].join('\n'),
    );
    expect(readSshConfigHosts(file, HOME)).toEqual([
      { alias: 'runpod-a', host: '195.26.233.3', port: 34446, user: 'root', keyPath: '/home/ada/.ssh/id_ed25519' },
      { alias: 'gpu-box', host: 'gpu.example.org', port: 2200, user: 'ada', keyPath: '/home/ada/.ssh/default' },
      { alias: 'other-alias', host: 'gpu.example.org', port: 2200, user: 'ada', keyPath: '/home/ada/.ssh/default' },
    ]);
    expect(readSshConfigHosts(path.join(dir, 'missing'), HOME)).toEqual([]);
  });
});

describe('pod profiles', () => {
  it('saves, renames, refuses duplicates and bad input, keeps the passphrase out of answers', async () => {
    const studio = await makeStudio();
    try {
      const pod = unwrap<PodProfile>(await studio.dispatch('pods.save', { name: 'My Pod', host: '1.2.3.4', port: 34446, keyPath: '/keys/id' }));
      expect(pod).toMatchObject({ name: 'My Pod', user: 'root', workspace: '/workspace', connectTimeoutSec: 10, python: null, pipeline: 'diffusers', hostKey: null, hasPassphrase: false });
      const dup = await studio.dispatch('pods.save', { name: 'my pod', host: '5.6.7.8' });
      expect(dup.ok || dup.error.code).toBe('conflict');
      const bad = await studio.dispatch('pods.save', { name: 'x', host: 'a b', workspace: '/w/../etc' });
      expect(bad.ok).toBe(false);
      const moved = unwrap<PodProfile>(await studio.dispatch('pods.save', { id: pod.id, name: 'My Pod', host: '9.9.9.9', port: 40000 }));
      expect(moved).toMatchObject({ host: '9.9.9.9', port: 40000, keyPath: '/keys/id' });

      const withPass = unwrap<PodProfile>(await studio.dispatch('pods.setPassphrase', { id: pod.id, passphrase: 'correct horse' }));
      expect(withPass.hasPassphrase).toBe(true);
      expect(JSON.stringify(unwrap(await studio.dispatch('pods.list', {})))).not.toContain('correct horse');
      expect(studio.secrets.values()).toContain('correct horse'); // so the log redactor hides it
      unwrap(await studio.dispatch('pods.remove', { id: pod.id }));
      expect(studio.secrets.getNamed(`pod.${pod.id}.passphrase`)).toBeNull();
      expect(unwrap<PodProfile[]>(await studio.dispatch('pods.list', {}))).toEqual([]);
    } finally {
      await studio.close();
    }
  });

  it('refuses generation on an unknown pod and lists the runtimes', async () => {
    const studio = await makeStudio();
    try {
      const r = await studio.dispatch('generation.submit', { draft: { prompt: 'x' }, runtime: 'remote', podId: 'pod-nope' });
      expect(r.ok || r.error.code).toBe('not_found');
      const noPod = await studio.dispatch('generation.submit', { draft: { prompt: 'x' }, runtime: 'remote' });
      expect(noPod.ok || noPod.error.field).toBe('podId');
      const local = await studio.dispatch('generation.submit', { draft: { prompt: 'x' }, runtime: 'local' });
      // The local runtime is there, but without a model folder it cannot take a job.
      expect(local.ok || local.error.code).toBe('unavailable');
      expect(local.ok || local.error.message).toContain('Settings → Models');
      expect(unwrap(await studio.dispatch('generation.runtimes', {}))).toEqual([
        { id: 'remote', available: true, label: 'Remote pod (SSH)' },
        { id: 'local', available: false, label: 'Local GPU (ONNX Runtime)' },
      ]);
    } finally {
      await studio.close();
    }
  });
});

describe('remote output paths', () => {
  it('accepts only plain file names directly in <workspace>/outputs', () => {
    expect(checkRemoteOutputPath('/workspace/outputs/flux_20260101_000000_1.jpg', '/workspace')).toBe('/workspace/outputs/flux_20260101_000000_1.jpg');
    for (const bad of ['/workspace/outputs/../.ssh/id.jpg', '/workspace/outputs/../../etc/passwd', '/etc/passwd', '/workspace/outputs/sub/x.jpg', '/workspace/outputs/.hidden.jpg', '/workspace/outputs/x.sh', 'outputs/x.jpg', '/workspace/outputs/a\nb.jpg', 42]) {
      expect(() => checkRemoteOutputPath(bad, '/workspace/')).toThrow(/refused|no output path/);
    }
  });
});

describe('nvidia-smi', () => {
  it('parses name, used and total VRAM', () => {
    expect(parseNvidiaSmi('NVIDIA H100 80GB HBM3, 1234, 81559\nNVIDIA GeForce RTX 4090, 0, 24564\n')).toEqual([
      { name: 'NVIDIA H100 80GB HBM3', memoryUsedMiB: 1234, memoryTotalMiB: 81559 },
      { name: 'NVIDIA GeForce RTX 4090', memoryUsedMiB: 0, memoryTotalMiB: 24564 },
    ]);
  });
});
