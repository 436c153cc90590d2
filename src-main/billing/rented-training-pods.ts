// Training's view of RunPod (training/rented-pods.ts), implemented with the RunPod service,
// the pod profiles and the budget guard, so that training never imports the RunPod capability
// (docs/architecture.md, "Train on RunPod"; test/lint/import-graph.test.ts).
import path from 'node:path';
import type { PodRepo } from '../pods/pod-repo';
import type { RunpodService } from '../runpod/runpod-service';
import type { RentedPod, RentedPods } from '../training/rented-pods';
import type { BudgetGuard } from './budget-guard';

export interface RentedTrainingPodsDeps {
  runpod: Pick<RunpodService, 'pods' | 'gpus' | 'createAndWait' | 'ensureRunning' | 'stop' | 'terminate' | 'gpuRatePerHr'>;
  repo: Pick<PodRepo, 'get' | 'require'>;
  budget: BudgetGuard;
  /** Whether a RunPod API key is set. */
  configured(): boolean;
  /** The workspace new pods' profiles get (RunPod: /workspace; tests: the loopback pod's folder). */
  workspace: string;
  /** Jobs queued or running in a lane (a pod's generation lane "remote:<id>"). */
  laneBusy(lane: string): boolean;
  /** The volume a pod made for a training gets (GB): the model cache and ai-toolkit's venv live on it. */
  volumeGb?: number;
}

const profileOf = (targetId: string) => targetId.match(/^pod:(.+)$/)?.[1] ?? null;

export function rentedTrainingPods(d: RentedTrainingPodsDeps): RentedPods {
  const podOf = (targetId: string): RentedPod | null => {
    const id = profileOf(targetId);
    const profile = id ? d.repo.get(id) : null;
    if (!profile?.runpodId) return null;
    const seen = d.budget.podOfProfile(profile.id);
    return {
      runpodId: profile.runpodId,
      targetId,
      name: seen?.name ?? profile.name,
      status: seen?.status ?? 'UNKNOWN',
      gpuId: seen?.gpu?.id ?? null,
      gpuName: seen?.gpu?.displayName ?? null,
      costPerHr: d.budget.rateOfPod(profile.runpodId) ?? d.runpod.gpuRatePerHr(profile.runpodId),
    };
  };
  return {
    unavailable: () => (d.configured() ? null : 'To train on RunPod, add your RunPod API key (Settings → RunPod, or the RUNPOD_API_KEY environment variable).'),
    newPodLayout: () => ({ datasetsDir: path.posix.join(d.workspace, 'datasets'), trainingsDir: path.posix.join(d.workspace, 'trainings') }),
    async refresh() {
      await d.runpod.pods();
    },
    podOf,
    gpus: () => d.runpod.gpus(),
    async create(req, signal, progress) {
      const { profile } = await d.runpod.createAndWait(
        {
          name: req.name,
          gpuTypeIds: [req.gpuTypeId],
          cloud: req.cloud,
          image: null,
          containerDiskGb: 50,
          storage: { kind: 'volume', sizeGb: d.volumeGb ?? 100 },
        },
        (m) => progress(m),
        signal,
      );
      const pod = podOf(`pod:${profile.id}`);
      if (!pod) throw new Error(`The new pod ${req.name} is not linked to a pod profile.`);
      return pod;
    },
    async ensureRunning(targetId, signal, progress) {
      const id = profileOf(targetId);
      if (!id) return;
      await d.runpod.ensureRunning(d.repo.require(id), (m) => progress(m), signal);
    },
    async stop(runpodId) {
      await d.runpod.stop(runpodId);
    },
    async terminate(runpodId) {
      const pod = (await d.runpod.pods()).find((p) => p.id === runpodId);
      if (!pod) return;
      await d.runpod.terminate(runpodId, pod.name);
    },
    budgetLeft: () => d.budget.left(),
    busyWithOthers(targetId) {
      const id = profileOf(targetId);
      return id !== null && d.laneBusy(`remote:${id}`);
    },
  };
}
