// "What made this image": the studio's JSON record, else A1111 `parameters`, else a ComfyUI
// `prompt` graph, else nothing (all null, source null). Width/height come from the image
// header when the metadata lacks them. Bad bytes → NotAnImageError, never anything else.
import type { ImageParameters } from '@shared/contract';
import { parseParameters } from './a1111';
import { parseComfyPrompt } from './comfyui';
import { readImageFile, type ImageMetadataTexts } from './image-file';
import { emptyParameters } from './params';
import { parseStudioRecord, STUDIO_KEY } from './studio-record';

export { NotAnImageError } from './errors';

function fromTexts(t: ImageMetadataTexts): ImageParameters {
  const parametersText = t.pngTexts.get('parameters') ?? t.exif.userComment ?? null;
  const studioJson = t.pngTexts.get(STUDIO_KEY) ?? t.exif.studioJson ?? null;
  if (studioJson !== null) {
    const s = parseStudioRecord(studioJson);
    if (s) {
      const { record: _record, ...p } = s;
      return { ...p, parametersText };
    }
  }
  if (parametersText !== null && parametersText.trim() !== '') {
    const { fields: _fields, ...p } = parseParameters(parametersText);
    return p;
  }
  const comfy = t.pngTexts.get('prompt');
  if (comfy !== undefined) {
    const p = parseComfyPrompt(comfy);
    if (p) return p;
  }
  return emptyParameters();
}

/** Parameters from a PNG, JPEG or WebP file's bytes. Throws only NotAnImageError (with `.reason`). */
export function readImageParameters(bytes: Buffer): ImageParameters {
  const t = readImageFile(bytes);
  const p = fromTexts(t);
  return { ...p, width: p.width ?? t.width, height: p.height ?? t.height };
}
