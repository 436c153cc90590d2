// The studio's named secrets: a store underneath, environment variables on top
// (ANTHROPIC_API_KEY, HF_TOKEN, RUNPOD_API_KEY override whatever is stored).
import { SECRET_NAMES, type SecretName, type SecretsOverview } from '@shared/contract';
import { StudioError } from '../core/studio-error';
import { SecretStoreUnavailableError, type SecretStore } from './secret-store';

export const SECRET_INFO: Record<SecretName, { label: string; envVar: string }> = {
  anthropic: { label: 'Anthropic API key (prompt enhancement, captions)', envVar: 'ANTHROPIC_API_KEY' },
  huggingface: { label: 'Hugging Face token (gated models such as FLUX.1-dev)', envVar: 'HF_TOKEN' },
  runpod: { label: 'RunPod API key (pod start/stop)', envVar: 'RUNPOD_API_KEY' },
};

/** Derived secret names: `<kind>.<id>.<what>`, never one of the named secrets. */
const NAMED = /^[a-z]+\.[A-Za-z0-9_-]{1,64}\.[a-z]+$/;
function checkNamed(name: string): void {
  if (!NAMED.test(name)) throw new Error(`bad secret name ${name}`);
}

export class SecretsService {
  constructor(
    private readonly store: SecretStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The value in effect, for main-side code that talks to an API. Never send it to the renderer. */
  get(name: SecretName): string | null {
    const fromEnv = this.env[SECRET_INFO[name].envVar];
    if (fromEnv && fromEnv.length > 0) return fromEnv;
    return this.store.get(name);
  }

  overview(): SecretsOverview {
    return {
      backend: this.store.backend,
      unavailableReason: this.store.unavailableReason(),
      secrets: SECRET_NAMES.map((name) => {
        const info = SECRET_INFO[name];
        const env = this.env[info.envVar];
        const source = env && env.length > 0 ? 'env' : this.store.get(name) !== null ? 'store' : null;
        return { name, label: info.label, envVar: info.envVar, set: source !== null, source };
      }),
    };
  }

  set(name: SecretName, value: string): SecretsOverview {
    try {
      this.store.set(name, value);
    } catch (err) {
      if (err instanceof SecretStoreUnavailableError) throw new StudioError('unavailable', err.message);
      throw err;
    }
    return this.overview();
  }

  clear(name: SecretName): SecretsOverview {
    this.store.delete(name);
    return this.overview();
  }

  // ---------- per-object secrets (e.g. "pod.<id>.passphrase"): store only, never in the overview ----------

  /** A secret under a derived name, for main-side code only. */
  getNamed(name: string): string | null {
    checkNamed(name);
    return this.store.get(name);
  }

  setNamed(name: string, value: string): void {
    checkNamed(name);
    try {
      this.store.set(name, value);
    } catch (err) {
      if (err instanceof SecretStoreUnavailableError) throw new StudioError('unavailable', err.message);
      throw err;
    }
  }

  clearNamed(name: string): void {
    checkNamed(name);
    this.store.delete(name);
  }

  /** Every secret value in effect (env and stored), for the log redactor. */
  values(): string[] {
    const out = new Set(this.store.values());
    for (const name of SECRET_NAMES) {
      const v = this.env[SECRET_INFO[name].envVar];
      if (v) out.add(v);
    }
    return [...out];
  }
}
