// Execution providers: the chain per platform, and the provider actually used found from
// the run — on this machine CUDA is asked for but its libraries are absent, so the load
// falls back to the CPU with the reason kept, and the profile of the first denoiser run
// says where the nodes ran.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { LocalPipeline } from '../../../src-main/generation/local/pipeline';
import { providerChain, providerFromProfile } from '../../../src-main/generation/local/providers';
import { tempDir } from '../../helpers/studio';
import { onnxFixtures } from './helpers';

beforeAll(() => {
  onnxFixtures();
}, 40 * 60_000);

describe('execution providers', () => {
  test('the chain by platform and preference', () => {
    expect(providerChain('auto', 'linux', 'x64')).toEqual(['cuda', 'cpu']);
    expect(providerChain('auto', 'linux', 'arm64')).toEqual(['cpu']);
    expect(providerChain('auto', 'win32', 'x64')).toEqual(['dml', 'cpu']);
    expect(providerChain('auto', 'darwin', 'arm64')).toEqual(['cpu']);
    expect(providerChain('cuda', 'win32', 'x64')).toEqual(['cpu']);
    expect(providerChain('dml', 'win32', 'x64')).toEqual(['dml', 'cpu']);
    expect(providerChain('cpu', 'linux', 'x64')).toEqual(['cpu']);
  });

  test('a profile names the provider with the most kernel time', () => {
    const file = path.join(tempDir(), 'p.json');
    fs.writeFileSync(
      file,
      JSON.stringify([
        { cat: 'Session', name: 'model_run', dur: 100 },
        { cat: 'Node', name: 'a_kernel_time', dur: 90, args: { provider: 'CUDAExecutionProvider' } },
        { cat: 'Node', name: 'b_kernel_time', dur: 10, args: { provider: 'CPUExecutionProvider' } },
      ]),
    );
    expect(providerFromProfile(file)).toMatchObject({ provider: 'cuda' });
    fs.writeFileSync(file, '[]');
    expect(providerFromProfile(file)).toBeNull();
  });

  test('asking for CUDA: used when it loads, else CPU with the reason; detected from the run', async () => {
    const dir = path.join(onnxFixtures(), 'flux-schnell', 'onnx');
    const p = await LocalPipeline.load(dir, { provider: 'cuda', threads: 1 });
    try {
      const onCudaPlatform = process.platform === 'linux' && process.arch === 'x64';
      expect(p.provider.requested).toEqual(onCudaPlatform ? ['cuda', 'cpu'] : ['cpu']);
      if (p.provider.created === 'cpu' && onCudaPlatform) {
        expect(p.provider.fallbacks).toHaveLength(1);
        expect(p.provider.fallbacks[0]).toMatch(/^cuda: /);
      }
      expect(p.provider.detected).toBeNull();
      await p.generate({ prompt: 'x', steps: 1, width: 32, height: 32, guidance: null, seed: 1 });
      expect(p.provider.detected).toBe(p.provider.created);
      console.log(`providers: requested ${p.provider.requested.join(' → ')}, created ${p.provider.created}, detected ${p.provider.detected}; fallbacks: ${p.provider.fallbacks.join('; ') || 'none'}`);
    } finally {
      await p.release();
    }
  }, 120_000);
});
