// Local (ONNX) models in words: the label for a model kind, and a size (model folder, process memory).
export const KIND_LABEL: Record<string, string> = { 'flux-dev': 'FLUX.1-dev', 'flux-schnell': 'FLUX.1-schnell', 'sd-turbo': 'SD-Turbo', 'sdxl-turbo': 'SDXL-Turbo' };

export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(0)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}
