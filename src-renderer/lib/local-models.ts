// Local (ONNX) models in words: the label for a model kind, and a size (model folder, process memory).
export const KIND_LABEL: Record<string, string> = { 'flux-dev': 'FLUX.1-dev', 'flux-schnell': 'FLUX.1-schnell', 'sd-turbo': 'SD-Turbo', 'sdxl-turbo': 'SDXL-Turbo' };

/** The one size format, shared with the CLI (src-shared/format-size.ts). */
export { formatSize as formatBytes } from '@shared/format-size';
