// Handlers for the RunPod capability (src-shared/contract/runpod.ts).
// INTERIM: replaced by the RunPod service in this change; every call answers not_configured.
import type { runpodCalls } from '@shared/contract/runpod';
import type { HandlersFor } from '../api/handlers-type';
import { StudioError } from '../core/studio-error';

const notYet = (): never => {
  throw new StudioError('unavailable', 'RunPod support is being built');
};

export function runpodHandlers() {
  return {
    'runpod.pods': notYet,
    'runpod.gpus': notYet,
    'runpod.volumes': notYet,
    'runpod.create': notYet,
    'runpod.start': notYet,
    'runpod.stop': notYet,
    'runpod.terminate': notYet,
    'runpod.link': notYet,
    'runpod.spend': notYet,
    'runpod.watchdog': notYet,
    'runpod.extendWatchdog': notYet,
    'runpod.stopAll': notYet,
  } satisfies HandlersFor<keyof typeof runpodCalls>;
}
