// The LoRAs chosen on the Generate page for the remote runtime: trained LoRA files on this
// computer (training.loras' `path`), each with a strength. The Train page's "Use in Generate"
// adds one here. Kept in localStorage like the draft. At most 8 (the worker's limit).
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export const MAX_LORAS = 8;
export const LORA_SCALE_MIN = -2;
export const LORA_SCALE_MAX = 2;
export const LORA_SCALE_STEP = 0.05;

export interface ChosenLora {
  /** The LoRA file here (under <dataDir>/trainings/); the studio uploads it to the pod when needed. */
  path: string;
  /** Display name and the name recorded with the image (the run name). */
  name: string;
  scale: number;
}

interface LorasState {
  chosen: ChosenLora[];
  /** Adds (or keeps) a LoRA; false when 8 are already chosen. */
  add(l: { path: string; name: string; scale?: number }): boolean;
  remove(path: string): void;
  setScale(path: string, scale: number): void;
  clear(): void;
}

export function clampScale(v: number): number {
  if (!Number.isFinite(v)) return 1;
  const stepped = Math.round(v / LORA_SCALE_STEP) * LORA_SCALE_STEP;
  return Math.min(LORA_SCALE_MAX, Math.max(LORA_SCALE_MIN, Math.round(stepped * 100) / 100));
}

export const useLoras = create<LorasState>()(
  persist(
    (set, get) => ({
      chosen: [],
      add: (l) => {
        const { chosen } = get();
        if (chosen.some((c) => c.path === l.path)) return true;
        if (chosen.length >= MAX_LORAS) return false;
        set({ chosen: [...chosen, { path: l.path, name: l.name, scale: clampScale(l.scale ?? 1) }] });
        return true;
      },
      remove: (p) => set({ chosen: get().chosen.filter((c) => c.path !== p) }),
      setScale: (p, scale) => set({ chosen: get().chosen.map((c) => (c.path === p ? { ...c, scale: clampScale(scale) } : c)) }),
      clear: () => set({ chosen: [] }),
    }),
    {
      name: 'flux-studio.generate-loras',
      version: 1,
      storage: createJSONStorage(() => window.localStorage),
      partialize: ({ chosen }) => ({ chosen }),
    },
  ),
);

/** What generation.submit gets for the chosen LoRAs. */
export function lorasForSubmit(chosen: readonly ChosenLora[]): { name: string; localPath: string; scale: number }[] {
  return chosen.slice(0, MAX_LORAS).map((c) => ({ name: c.name, localPath: c.path, scale: c.scale }));
}
