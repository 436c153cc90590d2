// Execution providers: which to ask for on this platform, and which one actually ran.
// onnxruntime-node either throws when a provider's libraries are missing (the CUDA EP
// without its shared libraries) or quietly places nodes on the CPU; so the studio tries
// the preferred chain, falls back one provider at a time with the reason kept, and then
// reads the provider of each node from an ORT profile of the first run.
import fs from 'node:fs';

export const PROVIDER_PREFERENCES = ['auto', 'cuda', 'dml', 'cpu'] as const;
export type ProviderPreference = (typeof PROVIDER_PREFERENCES)[number];
export type ProviderName = 'cuda' | 'dml' | 'cpu';

/** Providers to try, best first, for a platform and the user's preference. */
export function providerChain(pref: ProviderPreference, platform: string = process.platform, arch: string = process.arch): ProviderName[] {
  const available: ProviderName[] = [];
  if (platform === 'linux' && arch === 'x64') available.push('cuda');
  if (platform === 'win32') available.push('dml');
  available.push('cpu');
  if (pref === 'auto') return available;
  if (pref === 'cpu') return ['cpu'];
  return available.includes(pref) ? [pref, 'cpu'] : ['cpu'];
}

/** The ORT provider name a profile reports → ours. */
export function shortProvider(ortName: string): ProviderName | string {
  if (ortName === 'CUDAExecutionProvider') return 'cuda';
  if (ortName === 'DmlExecutionProvider') return 'dml';
  if (ortName === 'CPUExecutionProvider') return 'cpu';
  return ortName.replace(/ExecutionProvider$/, '').toLowerCase();
}

/**
 * The provider that did the work in an ORT profile (JSON array of trace events): the one
 * with the most kernel time over the graph's nodes. Null when the profile names none.
 */
export function providerFromProfile(file: string): { provider: string; share: number; byProvider: Record<string, number> } | null {
  let events: unknown;
  try {
    events = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(events)) return null;
  const byProvider: Record<string, number> = {};
  for (const e of events as { cat?: unknown; dur?: unknown; args?: { provider?: unknown } }[]) {
    if (e?.cat !== 'Node' || typeof e.args?.provider !== 'string') continue;
    const p = shortProvider(e.args.provider);
    byProvider[p] = (byProvider[p] ?? 0) + (typeof e.dur === 'number' ? e.dur : 0) + 1e-9;
  }
  const entries = Object.entries(byProvider).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return null;
  const total = entries.reduce((s, [, v]) => s + v, 0);
  return { provider: entries[0]![0], share: entries[0]![1] / total, byProvider };
}
