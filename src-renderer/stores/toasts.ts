import { create } from 'zustand';
import { StudioCallError, errorMessage } from '../transport/client';

export type ToastKind = 'error' | 'info' | 'success';
export interface ToastAction {
  label: string;
  run(): void;
  testId?: string;
}
export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  /** One button in the toast (e.g. Undo); pressing it dismisses the toast. */
  action?: ToastAction;
}

interface ToastState {
  toasts: Toast[];
  push(kind: ToastKind, message: string, action?: ToastAction): number;
  dismiss(id: number): void;
}

let nextId = 1;
const LIFETIME_MS: Record<ToastKind, number> = { error: 10_000, info: 5_000, success: 4_000 };

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(kind, message, action) {
    const id = nextId++;
    // The same message twice in a row (a retry loop, a double click) shows once.
    const existing = get().toasts.find((t) => t.message === message && t.kind === kind);
    if (existing && !action) return existing.id;
    set((s) => ({ toasts: [...s.toasts.filter((t) => t.id !== existing?.id).slice(-3), { id, kind, message, ...(action ? { action } : {}) }] }));
    // A toast with an action (Undo) stays longer: there is something to do in it.
    setTimeout(() => get().dismiss(id), action ? 10_000 : LIFETIME_MS[kind]);
    return id;
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
}));

/** Shows a failed call to the user: the message main wrote for them. */
export function reportError(err: unknown): void {
  const message = err instanceof StudioCallError ? err.message : `Something went wrong: ${errorMessage(err)}`;
  useToasts.getState().push('error', message);
}
export function notify(message: string, kind: ToastKind = 'info', action?: ToastAction): void {
  useToasts.getState().push(kind, message, action);
}
