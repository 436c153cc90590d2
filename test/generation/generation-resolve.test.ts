// generation.resolve for where it runs (issue 16, item 2): on the local runtime the model
// folder's kind decides the model and so the steps and guidance that apply, and the image the
// job saves records exactly what resolve said. Real studio, real ONNX fixtures, real worker.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ImageParameters, Job, ResolvedGeneration } from '@shared/contract';
import type { Studio } from '../../src-main/studio';
import { makeStudio } from '../helpers/studio';
import { builtWorker, onnxFixtures } from './local/helpers';

let studio: Studio;
let fx = '';
beforeAll(async () => {
  fx = onnxFixtures();
  studio = await makeStudio({ localWorkerPath: builtWorker() });
  studio.settings.update({ localProvider: 'cpu', localThreads: 1 });
}, 40 * 60_000);
afterAll(async () => {
  await studio.close();
});

async function resolve(req: Record<string, unknown>): Promise<ResolvedGeneration> {
  const r = await studio.dispatch('generation.resolve', req);
  if (!r.ok) throw new Error(r.error.message);
  return r.data as ResolvedGeneration;
}

const asked = { prompt: 'a lighthouse', model: 'flux-dev', quality: 'balanced', guidance: 'default', size: 'custom', width: 1000, height: 1000, seed: 4242 } as const;

describe('generation.resolve with a runtime', () => {
  test('without a runtime it is the presets alone (no model name); on a pod it names the preset model', async () => {
    const plain = await resolve(asked);
    expect(plain).toMatchObject({ model: 'flux-dev', steps: 20, guidance: 3.5, width: 1008, height: 1008 });
    expect(plain.modelName).toBeUndefined();
    expect(await resolve({ ...asked, runtime: 'remote' })).toMatchObject({ model: 'flux-dev', modelName: 'flux-dev', steps: 20, guidance: 3.5 });
  });

  test('local FLUX.1-schnell: the page asked for dev, 20 steps, 3.5; what runs is schnell, 4 steps, no guidance, and it says so', async () => {
    const schnell = path.join(fx, 'flux-schnell', 'onnx');
    expect((await studio.dispatch('local.addModel', { path: schnell })).ok).toBe(true);
    const r = await resolve({ ...asked, runtime: 'local' });
    expect(r).toMatchObject({ model: 'flux-schnell', modelName: 'flux-schnell', modelKind: 'FLUX.1-schnell', steps: 4, guidance: null, quality: null, width: 1008, height: 1008, seed: 4242 });
    expect(r.notes.join('\n')).toContain('The local model flux-schnell (FLUX.1-schnell) runs: the Model choice does not apply');
  });

  test('local FLUX.1-dev (a folder given for the request): dev rules, quality and guidance apply', async () => {
    const dev = path.join(fx, 'flux-dev', 'onnx');
    const r = await resolve({ ...asked, model: 'flux-schnell', guidance: 'strict', runtime: 'local', localModel: dev });
    expect(r).toMatchObject({ model: 'flux-dev', modelName: 'flux-dev', modelKind: 'FLUX.1-dev', steps: 20, guidance: 5 });
  });

  test('local SD-Turbo: fixed steps, no guidance, and the warnings name SD-Turbo, not FLUX', async () => {
    const sd = path.join(fx, 'sd-turbo', 'onnx');
    const r = await resolve({ prompt: 'a cube', size: 'custom', width: 256, height: 256, runtime: 'local', localModel: sd });
    expect(r).toMatchObject({ modelName: 'sd-turbo', modelKind: 'SD-Turbo', steps: 4, guidance: null });
    expect(r.warnings.join('\n')).toContain('SD-Turbo');
    expect(r.warnings.join('\n')).not.toContain('FLUX');
  });
});

describe('the saved image says what resolve said', () => {
  test('a local job from a FLUX.1-dev draft on a schnell model records schnell, its steps, no guidance, the seed', async () => {
    const draft = { ...asked, width: 256, height: 256 };
    const said = await resolve({ ...draft, runtime: 'local' });
    const sub = await studio.dispatch('generation.submit', { draft, runtime: 'local' });
    if (!sub.ok) throw new Error(sub.error.message);
    const id = (sub.data as Job).id;
    let job: Job;
    for (;;) {
      const r = await studio.dispatch('jobs.get', { id });
      if (!r.ok) throw new Error(r.error.message);
      job = r.data as Job;
      if (['succeeded', 'failed', 'cancelled', 'interrupted'].includes(job.state)) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(job.state, job.error?.message).toBe('succeeded');
    const file = (job.result as { path: string }).path;
    const read = await studio.dispatch('metadata.read', { path: file });
    if (!read.ok) throw new Error(read.error.message);
    const p = read.data as ImageParameters;
    expect({ model: p.model, steps: p.steps, guidance: p.guidance, width: p.width, height: p.height, seed: p.seed }).toEqual({
      model: said.modelName,
      steps: said.steps,
      guidance: said.guidance,
      width: said.width,
      height: said.height,
      seed: said.seed,
    });
  }, 300_000);
});
