// A real Studio whose RunPod account is the local RunPod server (test/helpers/runpod-server).
import fs from 'node:fs';
import type { Studio, StudioOptions } from '../../src-main/studio';
import { podVenvPython } from './remote-pod';
import { makeStudio, tempDir } from './studio';

/**
 * A studio whose RunPod account is the local RunPod server `rp` (test/helpers/runpod-server):
 * the server's key in the environment, new pods' volumes in a fresh folder (returned as
 * `mount`; loopback pods are this machine), their profiles on the pod venv's python and the
 * stand-in pipeline. `runpod` adds to those options (timing, retry, watchdog), `rest` is
 * any other studio option.
 */
export async function makeRunpodStudio(
  rp: { url: string; apiKey: string },
  opts: { mountPrefix: string; runpod?: Omit<NonNullable<StudioOptions['runpod']>, 'apiBase' | 'mountPath'>; rest?: Omit<Partial<StudioOptions>, 'env' | 'runpod'> },
): Promise<{ studio: Studio; mount: string }> {
  const mount = fs.realpathSync(tempDir(opts.mountPrefix));
  const studio = await makeStudio({
    ...opts.rest,
    env: { RUNPOD_API_KEY: rp.apiKey },
    runpod: { profileDefaults: { python: podVenvPython(), pipeline: 'standin' }, ...opts.runpod, apiBase: rp.url, mountPath: mount },
  });
  return { studio, mount };
}
