import { create } from 'zustand';
import type { CallRequest, PromptTemplate } from '@shared/contract';
import { studio } from '../../transport/client';

interface TemplatesState {
  templates: PromptTemplate[];
  loaded: boolean;
  error: string | null;
  load(): Promise<void>;
  /** Throws StudioCallError so the dialog can show field errors. */
  save(req: CallRequest<'templates.save'>): Promise<PromptTemplate>;
  /** Throws StudioCallError. */
  remove(id: string): Promise<void>;
}

/** Prompt templates ("styles"): the shipped ones (read-only) and the user's own. */
export const useTemplates = create<TemplatesState>()((set, get) => ({
  templates: [],
  loaded: false,
  error: null,
  async load() {
    try {
      set({ templates: await studio.templates.list(), loaded: true, error: null });
    } catch (err) {
      set({ loaded: true, error: err instanceof Error ? err.message : String(err) });
    }
  },
  async save(req) {
    const saved = await studio.templates.save(req);
    const rest = get().templates.filter((t) => t.id !== saved.id);
    const i = get().templates.findIndex((t) => t.id === saved.id);
    set({ templates: i >= 0 ? get().templates.map((t) => (t.id === saved.id ? saved : t)) : [...rest, saved] });
    void get().load();
    return saved;
  },
  async remove(id) {
    await studio.templates.delete({ id });
    set({ templates: get().templates.filter((t) => t.id !== id) });
    void get().load();
  },
}));
