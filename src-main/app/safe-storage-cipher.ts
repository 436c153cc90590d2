// The desktop SecretCipher: Electron safeStorage (macOS Keychain, Windows DPAPI, Linux
// libsecret/KWallet), stored as base64 ciphertext. On Linux without a keyring Electron
// falls back to "basic_text" (a hard-coded key: obfuscation, not encryption); that, and
// any state where encryption is unavailable, makes the store refuse to write and tells
// the user to use environment variables instead. safeStorage is usable only after the
// app's ready event; main.ts creates this cipher then. Only electron's types are
// imported, so vitest drives it with a fake.
import type { SafeStorage } from 'electron';
import type { SecretCipher } from '../secrets/secret-store';

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

const ENV_HINT =
  'Secrets can instead be provided through the environment variables ANTHROPIC_API_KEY, HF_TOKEN and RUNPOD_API_KEY (set them before starting Flux Studio).';

/** Linux backends that do not protect anything: basic_text (hard-coded key) and unknown (not ready). */
const INSECURE_LINUX_BACKENDS = new Set(['basic_text', 'unknown']);

export function createSafeStorageCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCipher {
  const linuxBackend = (): string => {
    try {
      return safeStorage.getSelectedStorageBackend();
    } catch {
      return 'unknown';
    }
  };
  const backendName = (): string => {
    if (platform === 'linux') return linuxBackend();
    if (platform === 'darwin') return 'macOS Keychain';
    if (platform === 'win32') return 'Windows DPAPI';
    return platform;
  };

  const unavailableReason = (): string | null => {
    let available = false;
    try {
      available = safeStorage.isEncryptionAvailable();
    } catch {
      available = false;
    }
    if (!available) {
      const what =
        platform === 'linux'
          ? 'No OS keyring is available (install and unlock GNOME Keyring/libsecret or KWallet)'
          : 'The OS secure storage is not available';
      return `${what}, so Flux Studio will not store secrets. ${ENV_HINT}`;
    }
    if (platform === 'linux') {
      const backend = linuxBackend();
      if (INSECURE_LINUX_BACKENDS.has(backend)) {
        return (
          `No OS keyring was found (Electron safeStorage backend "${backend}" would keep secrets with a ` +
          'hard-coded key), so Flux Studio will not store secrets. Install and unlock GNOME Keyring/libsecret ' +
          `or KWallet and restart. ${ENV_HINT}`
        );
      }
    }
    return null;
  };

  return {
    get backend(): string {
      return `safeStorage (${backendName()})`;
    },
    unavailableReason,
    encrypt(plain: string): string {
      const reason = unavailableReason();
      if (reason !== null) throw new Error(reason);
      return safeStorage.encryptString(plain).toString('base64');
    },
    decrypt(stored: string): string {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(stored) || stored.length === 0) throw new Error('stored secret is not base64');
      return safeStorage.decryptString(Buffer.from(stored, 'base64'));
    },
  };
}
