// Image metadata: A1111 `parameters` + the studio's JSON record, in PNG, JPEG and WebP.
export { formatParameters, parseParameters, type A1111Extras, type A1111Parsed, type FormatInput } from './a1111';
export { parseComfyPrompt } from './comfyui';
export { embedMetadata, outputName, saveImage, type EmbedOptions, type SaveImageOptions } from './embed';
export { NotAnImageError, isNotAnImageError } from './errors';
export { detectFormat, readImageFile, type ImageFormat } from './image-file';
export { registerMetadataCommand, readParametersFromFile } from '../cli/commands/metadata';
export { emptyParameters } from './params';
export { readImageParameters } from './read-parameters';
export { makeStudioRecord, parseStudioRecord, STUDIO_KEY, type StudioRecord } from './studio-record';
