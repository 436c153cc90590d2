// A secret store in one owner-only (0600) JSON file, written atomically. With the identity
// cipher it is the CLI/serve store; the desktop app passes a safeStorage cipher so the
// file holds OS-encrypted ciphertext instead.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logging/logger';
import { writeFileAtomic } from '../core/atomic-write';
import { SecretStoreUnavailableError, type SecretCipher, type SecretStore } from './secret-store';

export const plainFileCipher: SecretCipher = {
  backend: 'owner-only file (0600)',
  unavailableReason: () => null,
  encrypt: (plain) => plain,
  decrypt: (stored) => stored,
};

export class FileSecretStore implements SecretStore {
  private cache: Record<string, string> | null = null;

  constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher,
    private readonly log: Logger,
  ) {}

  get backend(): string {
    return this.cipher.backend;
  }

  unavailableReason(): string | null {
    return this.cipher.unavailableReason();
  }

  get(name: string): string | null {
    const stored = this.read()[name];
    if (stored === undefined) return null;
    try {
      return this.cipher.decrypt(stored);
    } catch {
      this.log.warn(`stored secret ${name} could not be decrypted; treat it as unset and set it again`);
      return null;
    }
  }

  set(name: string, value: string): void {
    const reason = this.cipher.unavailableReason();
    if (reason) throw new SecretStoreUnavailableError(reason);
    const next = { ...this.read(), [name]: this.cipher.encrypt(value) };
    this.write(next);
  }

  delete(name: string): void {
    const current = this.read();
    if (!(name in current)) return;
    const { [name]: _removed, ...rest } = current;
    this.write(rest);
  }

  values(): string[] {
    return Object.keys(this.read())
      .map((k) => this.get(k))
      .filter((v): v is string => v !== null);
  }

  private read(): Record<string, string> {
    if (this.cache) return this.cache;
    let data: Record<string, string> = {};
    try {
      const st = fs.statSync(this.file);
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
        // Someone widened the permissions: narrow them again before reading.
        fs.chmodSync(this.file, 0o600);
        this.log.warn(`${path.basename(this.file)} was readable by others; reset to owner-only (0600)`);
      }
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') data[k] = v;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn(`secret file ${this.file} is unreadable; starting empty`, (err as Error).message);
      }
      data = {};
    }
    this.cache = data;
    return data;
  }

  private write(data: Record<string, string>): void {
    writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', 0o600);
    this.cache = data;
  }
}
