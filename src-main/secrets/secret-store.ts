// Where secrets live. Main is the only process that ever holds a value; the renderer can
// set or clear one and learn only whether it is set.
export interface SecretStore {
  /** A short name for the UI, e.g. "owner-only file" or "safeStorage (gnome_libsecret)". */
  readonly backend: string;
  /** null when the store can keep secrets; otherwise the reason it refuses to. */
  unavailableReason(): string | null;
  get(name: string): string | null;
  set(name: string, value: string): void;
  delete(name: string): void;
  /** Every stored value, for the log redactor. */
  values(): string[];
}

/** Turns plaintext into what is written to disk and back. */
export interface SecretCipher {
  readonly backend: string;
  /** null when encryption can be used; otherwise why not (the store then refuses to write). */
  unavailableReason(): string | null;
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

export class SecretStoreUnavailableError extends Error {}
