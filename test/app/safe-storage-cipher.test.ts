import { describe, expect, test } from 'vitest';
import { createSafeStorageCipher, type SafeStorageLike } from '../../src-main/app/safe-storage-cipher';

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/** A reversible stand-in for safeStorage (the real one needs an Electron main process). */
function fakeSafeStorage(opts: { available?: boolean; backend?: Backend } = {}): SafeStorageLike & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    isEncryptionAvailable: () => opts.available ?? true,
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
    encryptString: (plain: string) => {
      calls.push('encrypt');
      return Buffer.from(`enc:${plain}`, 'utf8');
    },
    decryptString: (buf: Buffer) => {
      calls.push('decrypt');
      const text = buf.toString('utf8');
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return text.slice(4);
    },
  };
}

describe('safeStorage cipher', () => {
  test('encrypt stores base64 of safeStorage ciphertext and decrypt reverses it', () => {
    const ss = fakeSafeStorage();
    const cipher = createSafeStorageCipher(ss, 'linux');
    const stored = cipher.encrypt('sk-ant-secret-ünïcode');
    expect(stored).toBe(Buffer.from('enc:sk-ant-secret-ünïcode').toString('base64'));
    expect(stored).not.toContain('sk-ant');
    expect(cipher.decrypt(stored)).toBe('sk-ant-secret-ünïcode');
    expect(cipher.unavailableReason()).toBeNull();
    expect(cipher.backend).toBe('safeStorage (gnome_libsecret)');
  });

  test.each(['basic_text', 'unknown'] as const)('Linux backend %s is refused with a keyring + env-var message', (backend) => {
    const ss = fakeSafeStorage({ backend });
    const cipher = createSafeStorageCipher(ss, 'linux');
    const reason = cipher.unavailableReason();
    expect(reason).toMatch(/keyring/i);
    for (const v of ['ANTHROPIC_API_KEY', 'HF_TOKEN', 'RUNPOD_API_KEY']) expect(reason).toContain(v);
    expect(() => cipher.encrypt('x')).toThrow(/keyring/i);
    expect(ss.calls).not.toContain('encrypt');
  });

  test.each(['linux', 'darwin', 'win32'] as const)('on %s, no encryption available means refusal', (platform) => {
    const cipher = createSafeStorageCipher(fakeSafeStorage({ available: false }), platform);
    const reason = cipher.unavailableReason();
    expect(reason).not.toBeNull();
    expect(reason).toContain('RUNPOD_API_KEY');
    expect(() => cipher.encrypt('x')).toThrow();
  });

  test('basic_text is only a Linux concern; other platforms name their store', () => {
    const mac = createSafeStorageCipher(fakeSafeStorage({ backend: 'basic_text' }), 'darwin');
    expect(mac.unavailableReason()).toBeNull();
    expect(mac.backend).toBe('safeStorage (macOS Keychain)');
    expect(createSafeStorageCipher(fakeSafeStorage(), 'win32').backend).toBe('safeStorage (Windows DPAPI)');
  });

  test('a throwing isEncryptionAvailable (before ready) reads as unavailable', () => {
    const ss = { ...fakeSafeStorage(), isEncryptionAvailable: () => { throw new Error('not ready'); } };
    expect(createSafeStorageCipher(ss, 'darwin').unavailableReason()).not.toBeNull();
  });

  test('garbage on disk fails to decrypt (the store then treats the secret as unset)', () => {
    const cipher = createSafeStorageCipher(fakeSafeStorage(), 'linux');
    expect(() => cipher.decrypt('not base64!')).toThrow();
    expect(() => cipher.decrypt('')).toThrow();
    expect(() => cipher.decrypt(Buffer.from('plain').toString('base64'))).toThrow();
  });
});
