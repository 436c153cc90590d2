// The local model Generate would run (the one chosen in Settings → Models, else the first valid
// one): its kind decides which Model, Quality and Guidance choices apply on the local runtime.
import { useEffect, useState } from 'react';
import type { LocalModel, ModelId } from '@shared/contract';
import { studio } from '../../transport/client';
import { usePods } from '../../stores/pods';

/** null while unknown or when there is none. Re-read when the runtimes change (a model added or downloaded). */
export function useActiveLocalModel(): LocalModel | null {
  const runtimesKey = usePods((s) => JSON.stringify(s.runtimes));
  const [active, setActive] = useState<LocalModel | null>(null);
  useEffect(() => {
    let live = true;
    studio.local.models().then(
      (ms) => live && setActive(ms.find((m) => m.active && m.valid) ?? null),
      () => live && setActive(null),
    );
    return () => {
      live = false;
    };
  }, [runtimesKey]);
  return active;
}

/** Whose preset rules a local model runs by (as main resolves it: generation-service.ts `resolve`). */
export function presetModelFor(kind: LocalModel['kind']): ModelId | null {
  if (kind === null) return null;
  return kind === 'flux-dev' ? 'flux-dev' : 'flux-schnell';
}
