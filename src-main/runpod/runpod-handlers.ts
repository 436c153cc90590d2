// Handlers for the RunPod capability (src-shared/contract/runpod.ts): each hands its request
// to the RunPod service; what it answers is checked against the contract by dispatch.
import type { runpodCalls } from '@shared/contract/runpod';
import type { HandlersFor } from '../api/handlers-type';
import type { RunpodService } from './runpod-service';

export function runpodHandlers(runpod: RunpodService) {
  return {
    'runpod.pods': () => runpod.pods(),
    'runpod.gpus': () => runpod.gpus(),
    'runpod.volumes': () => runpod.volumes(),
    'runpod.create': (req) => runpod.create(req),
    'runpod.start': (req) => runpod.start(req.id),
    'runpod.stop': (req) => runpod.stop(req.id),
    'runpod.terminate': (req) => runpod.terminate(req.id, req.confirm),
    'runpod.link': (req) => runpod.link(req.id),
    'runpod.spend': () => runpod.spend(),
    'runpod.watchdog': (req) => runpod.watchdog(req.id),
    'runpod.extendWatchdog': (req) => runpod.extendWatchdog(req.id, req.minutes),
    'runpod.stopAll': () => runpod.stopAll(),
  } satisfies HandlersFor<keyof typeof runpodCalls>;
}
