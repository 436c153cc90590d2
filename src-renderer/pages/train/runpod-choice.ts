// What the wizard's "Train on RunPod" part chose (GPU and cloud of a new pod, the estimate, the
// user's yes to an estimate over the budget), kept beside the wizard so Wizard.tsx only asks
// for the start fields and whether Start may be clicked (RunpodTraining.tsx shows it all).
import { create } from 'zustand';
import type { CallRequest, CallResponse } from '@shared/contract';

export const RUNPOD_NEW = 'runpod-new';
type Estimate = CallResponse<'training.estimate'>;

interface RunpodChoice {
  gpuTypeId: string;
  cloud: 'SECURE' | 'COMMUNITY';
  estimate: Estimate | null;
  estimateError: string | null;
  /** The user accepts an estimate over what is left of the budget. */
  overBudgetOk: boolean;
  set(patch: Partial<Omit<RunpodChoice, 'set'>>): void;
}

export const useRunpodChoice = create<RunpodChoice>((set) => ({
  gpuTypeId: '',
  cloud: 'SECURE',
  estimate: null,
  estimateError: null,
  overBudgetOk: false,
  set: (patch) => set(patch),
}));

/** A target that rents a GPU: a new pod, or one listed with RunPod details. */
export function isRunpodTarget(target: { id: string; runpod?: unknown } | undefined): boolean {
  return !!target && (target.id === RUNPOD_NEW || (target.runpod !== null && target.runpod !== undefined));
}

/** The fields training.start needs for a RunPod target. */
export function runpodStartFields(targetId: string): Pick<CallRequest<'training.start'>, 'runpod' | 'confirmOverBudget'> {
  const c = useRunpodChoice.getState();
  return {
    ...(targetId === RUNPOD_NEW ? { runpod: { gpuTypeId: c.gpuTypeId, cloud: c.cloud } } : {}),
    ...(c.overBudgetOk ? { confirmOverBudget: true } : {}),
  };
}

/** Why Start cannot be clicked yet for a RunPod target (shown next to it); null: it can. */
export function runpodBlock(c: Pick<RunpodChoice, 'gpuTypeId' | 'estimate' | 'overBudgetOk'>, targetId: string, rented: boolean): string | null {
  if (!rented) return null;
  if (targetId === RUNPOD_NEW && !c.gpuTypeId) return 'Pick a GPU for the new pod.';
  if (c.estimate?.exceedsBudget && !c.overBudgetOk) return 'The estimate is more than what is left of your RunPod budget: tick “Start anyway” or raise the budget in Settings.';
  return null;
}
