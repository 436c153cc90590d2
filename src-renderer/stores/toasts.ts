import { create } from 'zustand';
import { StudioCallError, errorMessage } from '../transport/client';

export type ToastKind = 'error' | 'info' | 'success';
export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

interface ToastState {
  toasts: Toast[];
  push(kind: ToastKind, message: string): number;
  dismiss(id: number): void;
}

let nextId = 1;
const LIFETIME_MS: Record<ToastKind, number> = { error: 10_000, info: 5_000, success: 4_000 };

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(kind, message) {
    const id = nextId++;
    // The same message twice in a row (a retry loop, a double click) shows once.
    const existing = get().toasts.find((t) => t.message === message && t.kind === kind);
    if (existing) return existing.id;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, kind, message }] }));
    setTimeout(() => get().dismiss(id), LIFETIME_MS[kind]);
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
export function notify(message: string, kind: ToastKind = 'info'): void {
  useToasts.getState().push(kind, message);
}
