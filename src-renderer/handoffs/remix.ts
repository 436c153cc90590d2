// Parameters read from an image (the gallery's, or a dropped file's) → the Generate draft.
// Only the choices the image says something about change: JPEG quality, CPU offload, the
// style and the enhancement settings stay as the user left them.
import type { GuidancePreset, ImageParameters, ModelId, PresetsView, QualityPreset, SizePreset } from '@shared/contract';
import { MAX_SEED } from '@shared/contract';
import { useDraft, type DraftState } from '../stores/draft';

type DraftPatch = Partial<Omit<DraftState, 'set' | 'reset'>>;

export function modelIdFor(name: string | null): ModelId | null {
  if (!name) return null;
  const n = name.toLowerCase();
  if (n.includes('schnell')) return 'flux-schnell';
  if (n.includes('flux') && n.includes('dev')) return 'flux-dev';
  if (n === 'dev') return 'flux-dev';
  return null;
}

export interface RemixResult {
  /** What was loaded, for the toast: "prompt, flux-dev, 1024×768, seed 42 (locked)". */
  loaded: string[];
  /** Values that could not be carried over exactly, said plainly. */
  notes: string[];
}

/** The draft patch for an image's parameters (pure, for tests and for applyToDraft). */
export function draftPatchFor(params: ImageParameters, presets: PresetsView | null): { patch: DraftPatch } & RemixResult {
  const patch: DraftPatch = {};
  const loaded: string[] = [];
  const notes: string[] = [];
  if (params.prompt !== null) {
    patch.prompt = params.prompt;
    loaded.push('prompt');
  }
  const model = modelIdFor(params.model);
  if (model) {
    patch.model = model;
    loaded.push(presets?.models.find((m) => m.id === model)?.label ?? model);
  } else if (params.model) {
    notes.push(`model “${params.model}” is not one this studio runs; the model was left as it was`);
  }
  const modelInfo = presets?.models.find((m) => m.id === (model ?? useDraft.getState().model));
  if (params.steps !== null && presets && modelInfo?.fixedSteps == null) {
    const exact = presets.quality.find((q) => q.steps === params.steps);
    const nearest = exact ?? [...presets.quality].sort((a, b) => Math.abs(a.steps - (params.steps ?? 0)) - Math.abs(b.steps - (params.steps ?? 0)))[0];
    if (nearest) {
      patch.quality = nearest.id as QualityPreset;
      loaded.push(`${nearest.steps} steps`);
      if (!exact) notes.push(`${params.steps} steps → ${nearest.label} (${nearest.steps} steps), the nearest quality preset`);
    }
  }
  if (params.width !== null && params.height !== null) {
    const preset = presets?.sizes.find((s) => s.id !== 'custom' && s.width === params.width && s.height === params.height);
    if (preset) {
      patch.size = preset.id as SizePreset;
    } else {
      patch.size = 'custom';
      patch.customWidth = String(params.width);
      patch.customHeight = String(params.height);
    }
    loaded.push(`${params.width}×${params.height}`);
  }
  if (params.guidance !== null && (modelInfo?.usesGuidance ?? true)) {
    const preset = presets?.guidance.find((g) => g.id !== 'custom' && Math.abs(g.value - (params.guidance ?? 0)) < 1e-6);
    if (preset) {
      patch.guidance = preset.id as GuidancePreset;
    } else {
      const [lo, hi] = presets?.guidanceRange ?? [1, 7];
      const v = Math.min(hi, Math.max(lo, params.guidance));
      patch.guidance = 'custom';
      patch.guidanceValue = Math.round(v * 10) / 10;
      if (v !== params.guidance) notes.push(`guidance ${params.guidance} is outside ${lo}–${hi}; using ${patch.guidanceValue}`);
    }
    loaded.push(`guidance ${params.guidance}`);
  }
  if (params.seed !== null && params.seed >= 0 && params.seed <= MAX_SEED) {
    patch.seed = params.seed;
    patch.seedLocked = true;
    loaded.push(`seed ${params.seed} (locked)`);
  }
  return { patch, loaded, notes };
}

export function applyToDraft(params: ImageParameters, presets: PresetsView | null): RemixResult {
  const { patch, loaded, notes } = draftPatchFor(params, presets);
  useDraft.getState().set(patch);
  return { loaded, notes };
}

export function hasParameters(p: ImageParameters): boolean {
  return p.prompt !== null || p.seed !== null || p.steps !== null || p.model !== null;
}

export const SOURCE_LABEL: Record<'studio' | 'a1111' | 'comfyui', string> = {
  studio: 'FLUX Studio',
  a1111: 'A1111 parameters',
  comfyui: 'ComfyUI workflow',
};
