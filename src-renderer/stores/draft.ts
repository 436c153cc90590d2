// What the user is composing on the Generate page: the prompt, the preset choices, the
// seed and its lock. Kept in localStorage so a reload (or a crash) keeps the draft.
// A choice left null follows the Settings default (defaultModel, defaultQuality, …)
// until the user picks one here.
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import {
  MAX_SEED,
  type EnhanceMode,
  type GenerationDraft,
  type GuidancePreset,
  type ModelId,
  type PresetsView,
  type QualityPreset,
  type Settings,
  type SizePreset,
} from '@shared/contract';

export interface DraftState {
  prompt: string;
  model: ModelId | null;
  quality: QualityPreset | null;
  size: SizePreset | null;
  /** Custom W×H as typed (strings, so a half-typed number is not lost). */
  customWidth: string;
  customHeight: string;
  guidance: GuidancePreset | null;
  guidanceValue: number;
  /** The seed field: a number, or null while it is empty. */
  seed: number | null;
  /** Locked: keep `seed` for the next images. Unlocked: a random seed each time. */
  seedLocked: boolean;
  jpegQuality: number | null;
  cpuOffload: boolean | null;
  templateId: string | null;
  enhanceMode: EnhanceMode;
  /** null: follow Settings.enhanceTrimToClip. */
  enhanceTrim: boolean | null;
  set(patch: Partial<Omit<DraftState, 'set' | 'reset'>>): void;
  /** Back to the Settings defaults (the prompt stays). */
  reset(): void;
}

const CHOICES = {
  model: null,
  quality: null,
  size: null,
  customWidth: '1024',
  customHeight: '1024',
  guidance: null,
  guidanceValue: 3.5,
  seed: null,
  seedLocked: false,
  jpegQuality: null,
  cpuOffload: null,
} satisfies Partial<DraftState>;

export const DRAFT_STORAGE_KEY = 'flux-studio.generate-draft';

export const useDraft = create<DraftState>()(
  persist(
    (set) => ({
      prompt: '',
      ...CHOICES,
      templateId: null,
      enhanceMode: 'balanced',
      enhanceTrim: null,
      set: (patch) => set(patch),
      reset: () => set({ ...CHOICES }),
    }),
    {
      name: DRAFT_STORAGE_KEY,
      version: 1,
      storage: createJSONStorage(() => window.localStorage),
      partialize: ({ set: _set, reset: _reset, ...rest }) => rest,
    },
  ),
);

/** The draft's choices with the Settings (and then the presets file) defaults filled in. */
export interface EffectiveChoices {
  model: ModelId;
  quality: QualityPreset;
  size: SizePreset;
  guidance: GuidancePreset;
  jpegQuality: number;
  cpuOffload: boolean;
  enhanceTrim: boolean;
}

export function effectiveChoices(d: DraftState, settings: Settings | null, presets: PresetsView | null): EffectiveChoices {
  const def = presets?.defaults;
  return {
    model: d.model ?? settings?.defaultModel ?? def?.model ?? 'flux-dev',
    quality: d.quality ?? settings?.defaultQuality ?? def?.quality ?? 'balanced',
    size: d.size ?? settings?.defaultSize ?? def?.size ?? 'square',
    guidance: d.guidance ?? settings?.defaultGuidance ?? def?.guidance ?? 'default',
    jpegQuality: d.jpegQuality ?? settings?.jpegQuality ?? def?.jpegQuality ?? 95,
    cpuOffload: d.cpuOffload ?? settings?.cpuOffload ?? def?.cpuOffload ?? true,
    enhanceTrim: d.enhanceTrim ?? settings?.enhanceTrimToClip ?? true,
  };
}

/** A whole number typed into a field, or null when it is not one. */
export function parseWhole(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,9}$/.test(t)) return null;
  return Number(t);
}

export type DraftRequest = { ok: true; draft: GenerationDraft } | { ok: false; field: string; message: string };

/** The generation.resolve request for the current choices, or why one cannot be made yet. */
export function buildDraftRequest(d: DraftState, eff: EffectiveChoices, presets: PresetsView | null): DraftRequest {
  const model = presets?.models.find((m) => m.id === eff.model);
  // Choices the model has no use for (schnell: fixed steps, no guidance) are not sent:
  // their controls are disabled and say so.
  const usesQuality = model ? model.fixedSteps === null : true;
  const usesGuidance = model ? model.usesGuidance : true;
  const draft: GenerationDraft = {
    prompt: d.prompt,
    model: eff.model,
    ...(usesQuality ? { quality: eff.quality } : {}),
    size: eff.size,
    ...(usesGuidance ? { guidance: eff.guidance } : {}),
    jpegQuality: eff.jpegQuality,
    cpuOffload: eff.cpuOffload,
    seed: d.seedLocked && d.seed !== null ? d.seed : null,
  };
  if (eff.size === 'custom') {
    const w = parseWhole(d.customWidth);
    const h = parseWhole(d.customHeight);
    if (w === null || w < 1) return { ok: false, field: 'width', message: 'Width: enter a whole number of pixels' };
    if (h === null || h < 1) return { ok: false, field: 'height', message: 'Height: enter a whole number of pixels' };
    draft.width = Math.min(w, 100_000);
    draft.height = Math.min(h, 100_000);
  }
  if (usesGuidance && eff.guidance === 'custom') draft.guidanceValue = d.guidanceValue;
  return { ok: true, draft };
}

/** A uniformly random seed in 0..2^32−1, drawn here (the dice button). */
export function randomSeed(): number {
  const buf = new Uint32Array(1);
  crypto.getRandomValues(buf);
  return (buf[0] ?? 0) % (MAX_SEED + 1);
}
