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

type KeyPair = { private: string; public: string };
const generateEd25519 = (): KeyPair => utils.generateKeyPairSync('ed25519', { comment: 'flux-studio' });

/** Both halves parse (ssh2 itself reads the private half when it connects). */
function parses(pair: KeyPair): boolean {
  return !(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error);
}

/**
 * A key pair ssh2 can use. ssh2's generator makes a key its own parser refuses about once in
 * 256 (mscdex/ssh2 issues 1390 and 1513; seen here as key_unreadable), so a pair is kept only
 * when both halves parse.
 */
export function generateUsableKeyPair(generate: () => KeyPair = generateEd25519, attempts = 16): KeyPair {
  for (let i = 0; i < attempts; i++) {
    const pair = generate();
    if (parses(pair)) return pair;
  }
  throw new Error(`could not generate an SSH key that parses (${attempts} attempts)`);
}

export function ensureStudioKey(dir: string, generate?: () => KeyPair): StudioKey {
  const privateKeyPath = path.join(dir, 'id_ed25519');
  const pubPath = `${privateKeyPath}.pub`;
  const usable = fs.existsSync(privateKeyPath) && fs.existsSync(pubPath) && parses({ private: fs.readFileSync(privateKeyPath, 'utf8'), public: fs.readFileSync(pubPath, 'utf8') });
  if (!usable) {
    // Missing, or made by an earlier version that kept an unparseable pair: a new one
    // (registerStudioKey adds it to the account; pods made with the old one keep it).
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generateUsableKeyPair(generate);
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
