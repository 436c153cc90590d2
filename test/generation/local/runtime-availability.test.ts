// The local runtime is offered (Generate's toggle, generation.runtimes) only when it can run:
// a valid model folder is configured. Without one a job is refused up front with the way out.
import path from 'node:path';
import { expect, test } from 'vitest';
import { makeStudio } from '../../helpers/studio';
import { onnxFixtures } from './helpers';

test('local is unavailable without a model, available once a valid folder is added, and refused again when it is removed', async () => {
  const sd = path.join(onnxFixtures(), 'sd-turbo', 'onnx');
  const studio = await makeStudio();
  try {
    const runtimes = async () => {
      const r = await studio.dispatch('generation.runtimes', {});
      if (!r.ok) throw new Error(r.error.message);
      return (r.data as { id: string; available: boolean }[]).find((x) => x.id === 'local')?.available;
    };
    expect(await runtimes()).toBe(false);
    const refused = await studio.dispatch('generation.submit', { draft: { prompt: 'a cube' }, runtime: 'local' });
    expect(refused.ok ? null : [refused.error.code, refused.error.field]).toEqual(['unavailable', 'runtime']);

    studio.settings.update({ localModels: [sd] });
    expect(await runtimes()).toBe(true);
    const queued = await studio.dispatch('generation.submit', { draft: { prompt: 'a cube', steps: 1, size: 'custom', width: 256, height: 256 }, runtime: 'local' });
    expect(queued.ok, queued.ok ? '' : queued.error.message).toBe(true);
    if (queued.ok) studio.jobs.cancel((queued.data as { id: string }).id);

    studio.settings.update({ localModels: [] });
    expect(await runtimes()).toBe(false);
  } finally {
    await studio.close();
  }
}, 600_000);
