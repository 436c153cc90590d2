import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { CALL_NAMES, calls } from '@shared/contract';
import type { Studio } from '../../src-main/studio';
import { FileSecretStore, plainFileCipher } from '../../src-main/secrets/file-secret-store';
import type { SecretCipher } from '../../src-main/secrets/secret-store';
import { LogSink } from '../../src-main/logging/logger';
import { arbitraryForSchema } from '../helpers/arbitrary-from-schema';
import { FakeAnthropic } from '../helpers/fake-anthropic';
import { makeStudio, tempDir } from '../helpers/studio';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.close();
  studio = null;
});

const silent = new LogSink({ file: null, consoleLevel: 'silent', fileLevel: 'debug', maxBytes: 1e6, maxFiles: 2, redactions: () => [] }).logger('t');

describe('secret store', () => {
  test('the file store writes an owner-only file atomically and reads it back', () => {
    const file = path.join(tempDir(), 'secrets.json');
    const store = new FileSecretStore(file, plainFileCipher, silent);
    store.set('anthropic', 'sk-ant-first');
    store.set('runpod', 'rp-second');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    const fresh = new FileSecretStore(file, plainFileCipher, silent);
    expect(fresh.get('anthropic')).toBe('sk-ant-first');
    fresh.delete('anthropic');
    expect(new FileSecretStore(file, plainFileCipher, silent).get('anthropic')).toBeNull();
    expect(new FileSecretStore(file, plainFileCipher, silent).get('runpod')).toBe('rp-second');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['secrets.json']); // no temp files left
  });

  test('a widened file mode is narrowed back to 0600 on read', () => {
    const file = path.join(tempDir(), 'secrets.json');
    fs.writeFileSync(file, JSON.stringify({ huggingface: 'hf_abc' }), { mode: 0o644 });
    expect(new FileSecretStore(file, plainFileCipher, silent).get('huggingface')).toBe('hf_abc');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
  });

  test('an encrypting cipher keeps plaintext off the disk; an unavailable one refuses to store', () => {
    const file = path.join(tempDir(), 'secrets.safe.json');
    const rot: SecretCipher = {
      backend: 'test cipher',
      unavailableReason: () => null,
      encrypt: (p) => Buffer.from(p).reverse().toString('base64'),
      decrypt: (s) => Buffer.from(s, 'base64').reverse().toString(),
    };
    const store = new FileSecretStore(file, rot, silent);
    store.set('runpod', 'rp-plaintext-value');
    expect(fs.readFileSync(file, 'utf8')).not.toContain('rp-plaintext-value');
    expect(store.get('runpod')).toBe('rp-plaintext-value');
    const refusing = new FileSecretStore(path.join(tempDir(), 's.json'), { ...rot, unavailableReason: () => 'no keyring (basic_text)' }, silent);
    expect(() => refusing.set('runpod', 'x')).toThrow(/basic_text/);
  });

  test('environment variables override the store and are reported as such', async () => {
    studio = await makeStudio({ env: { HF_TOKEN: 'hf_from_environment' } });
    await studio.dispatch('secrets.set', { name: 'huggingface', value: 'hf_stored_value' });
    expect(studio.secrets.get('huggingface')).toBe('hf_from_environment');
    const r = await studio.dispatch('secrets.status', {});
    expect(r).toMatchObject({ ok: true });
    const hf = r.ok ? (r.data as { secrets: { name: string; source: string | null }[] }).secrets.find((s) => s.name === 'huggingface') : null;
    expect(hf).toMatchObject({ set: true, source: 'env' });
  });

  test('an unavailable store gives a typed error the UI can show', async () => {
    studio = await makeStudio({
      cipher: { backend: 'safeStorage (basic_text)', unavailableReason: () => 'Linux has no keyring here (basic_text)', encrypt: (s) => s, decrypt: (s) => s },
    });
    const r = await studio.dispatch('secrets.set', { name: 'anthropic', value: 'sk-ant-nope-123456' });
    expect(r).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('keyring') } });
    expect(await studio.dispatch('secrets.status', {})).toMatchObject({ ok: true, data: { unavailableReason: expect.stringContaining('basic_text') } });
  });
});

describe('secrets never leave main', () => {
  test('a stored secret appears in no call answer, no event, no log line and not in the log file', async () => {
    const secret = 'sk-ant-api03-SUPERSECRETVALUE-0123456789';
    const envSecret = 'rp_ENVIRONMENTSECRET_987654321';
    const consoleOut: string[] = [];
    // prompt.enhance really sends the stored key — to a local server speaking Anthropic's API,
    // which echoes it back in an error to check that even then it does not come through.
    const anthropic = await FakeAnthropic.start({ apiKey: secret });
    for (let i = 0; i < 200; i++) anthropic.reply(i % 2 === 0 ? { kind: 'message', text: 'a vivid prompt' } : { kind: 'error', status: 400, message: `bad request for key ${secret}` });
    studio = await makeStudio({
      env: { RUNPOD_API_KEY: envSecret, ANTHROPIC_BASE_URL: anthropic.url },
      consoleLevel: 'debug',
      consoleWrite: (t) => consoleOut.push(t),
    });
    const seen: string[] = [];
    studio.events.subscribe((name, payload) => seen.push(JSON.stringify({ name, payload })));

    const set = await studio.dispatch('secrets.set', { name: 'anthropic', value: secret });
    seen.push(JSON.stringify(set));
    expect(set).toMatchObject({ ok: true });
    expect(studio.secrets.get('anthropic')).toBe(secret); // it is really stored…

    // …and something in main logs it by accident (an API client echoing its key, say).
    studio.log.error(`request failed: 401 for key ${secret}`, new Error(`bad key ${envSecret}`));
    studio.log.debug(`debug ${secret}`);

    // Every call, with one known-valid request and generated payloads, several times each.
    const examples: Partial<Record<(typeof CALL_NAMES)[number], unknown>> = {
      'prompt.enhance': { prompt: 'a lighthouse at dusk' },
      'prompt.tokens': { text: 'a lighthouse at dusk, volumetric fog' },
      'generation.resolve': { prompt: 'a lighthouse', size: 'portrait' },
      'templates.apply': { id: 'builtin-photo', prompt: 'a fox' },
      'jobs.list': { limit: 50 },
      'logs.recent': { limit: 1000 },
    };
    for (const name of CALL_NAMES) {
      const samples = fc.sample(arbitraryForSchema(calls[name].request), { numRuns: 8, seed: 7 });
      for (const payload of [examples[name] ?? {}, examples[name] ?? {}, ...samples]) {
        // secrets.set/clear would replace the key under test (set is exercised above).
        if (name === 'secrets.set' || name === 'secrets.clear' || name === 'settings.update' || name === 'settings.reset' || name === 'app.revealPath' || name === 'app.pickFolder') continue;
        seen.push(JSON.stringify(await studio.dispatch(name, payload)));
      }
    }
    seen.push(JSON.stringify(await studio.dispatch('secrets.status', {})));
    seen.push(JSON.stringify(await studio.dispatch('logs.recent', { limit: 1000 })));
    await studio.jobs.whenIdle();

    await anthropic.close();
    // The key did reach the API (so the check below is meaningful)…
    expect(anthropic.requests.some((r) => r.apiKey === secret)).toBe(true);
    const logFile = fs.readFileSync(path.join(studio.info.dataDir, 'logs', 'studio.log'), 'utf8');
    expect(logFile).toContain('[redacted]');
    for (const value of [secret, envSecret]) {
      for (const text of seen) expect(text).not.toContain(value);
      expect(logFile).not.toContain(value);
      expect(consoleOut.join('')).not.toContain(value);
    }
    // The check itself must have had something to look at.
    expect(seen.length).toBeGreaterThan(CALL_NAMES.length * 4);
    expect(seen.some((s) => s.includes('"set":true'))).toBe(true);
  });
});
