// The studio's own SSH key for the pods it rents: ed25519, made once in the data dir
// (<dataDir>/runpod/id_ed25519, 0600), its public half registered with the RunPod account.
// Registering reads the account's keys and writes them back with ours added: PUT replaces
// the whole set, so the keys a user registered on the website are kept.
import fs from 'node:fs';
import path from 'node:path';
import { utils } from 'ssh2';
import { unwrap, type RunpodApi } from './runpod-client';

export interface StudioKey {
  privateKeyPath: string;
  /** authorized_keys line: `ssh-ed25519 AAAA… flux-studio`. */
  publicKey: string;
}

export function ensureStudioKey(dir: string): StudioKey {
  const privateKeyPath = path.join(dir, 'id_ed25519');
  const pubPath = `${privateKeyPath}.pub`;
  if (!fs.existsSync(privateKeyPath) || !fs.existsSync(pubPath)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = utils.generateKeyPairSync('ed25519', { comment: 'flux-studio' });
    fs.writeFileSync(privateKeyPath, pair.private, { mode: 0o600 });
    fs.writeFileSync(pubPath, `${pair.public.trim()}\n`, { mode: 0o644 });
  }
  fs.chmodSync(privateKeyPath, 0o600);
  return { privateKeyPath, publicKey: fs.readFileSync(pubPath, 'utf8').trim() };
}

/** `<type> <base64>`: what identifies a key whatever its comment. */
const keyId = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');

/** Adds the studio's key to the account's keys unless it is there; answers whether it wrote. */
export async function registerStudioKey(api: RunpodApi, key: StudioKey, signal?: AbortSignal): Promise<boolean> {
  const current = unwrap(await api.GET('/v2/account/ssh-keys', { signal }), 'read the account\'s SSH keys');
  const keys = current.keys ?? [];
  if (keys.some((k) => keyId(k) === keyId(key.publicKey))) return false;
  unwrap(await api.PUT('/v2/account/ssh-keys', { body: { keys: [...keys, key.publicKey] }, signal }), 'register the studio\'s SSH key');
  return true;
}
