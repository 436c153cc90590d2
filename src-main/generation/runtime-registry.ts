// The runtimes a studio can generate with. The remote runtime registers itself in
// createStudio; the local ONNX runtime plugs in the same way: `studio.runtimes.register(runtime)`.
import { StudioError } from '../core/studio-error';
import type { GenerationRuntime } from './runtime';

export class RuntimeRegistry {
  private readonly runtimes = new Map<GenerationRuntime['id'], GenerationRuntime>();

  register(runtime: GenerationRuntime): void {
    this.runtimes.set(runtime.id, runtime);
  }

  has(id: GenerationRuntime['id']): boolean {
    return this.runtimes.has(id);
  }

  get(id: GenerationRuntime['id']): GenerationRuntime {
    const r = this.runtimes.get(id);
    if (!r) {
      throw new StudioError(
        'unavailable',
        id === 'local' ? 'The local GPU runtime is not available in this studio.' : 'The remote runtime is not available in this studio.',
        'runtime',
      );
    }
    return r;
  }

  /** The runtime, refusing (unavailable, with its reason) one that cannot take a job now. */
  ready(id: GenerationRuntime['id']): GenerationRuntime {
    const r = this.get(id);
    const reason = r.unavailableReason?.() ?? null;
    if (reason) throw new StudioError('unavailable', reason, 'runtime');
    return r;
  }

  list(): { id: GenerationRuntime['id']; available: boolean; label: string }[] {
    return (['remote', 'local'] as const).map((id) => {
      const r = this.runtimes.get(id);
      return { id, available: r !== undefined && !r.unavailableReason?.(), label: id === 'remote' ? 'Remote pod (SSH)' : 'Local GPU (ONNX Runtime)' };
    });
  }
}
