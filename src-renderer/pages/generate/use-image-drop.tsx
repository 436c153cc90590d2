// "Load parameters from image": drop an image anywhere on the Generate page; main reads its
// parameters (this studio's, A1111 `parameters`, ComfyUI `prompt`) from the bytes and the
// draft is filled like Remix does.
import { useCallback, useRef, useState, type DragEvent, type ReactElement } from 'react';
import { UploadIcon } from '../../components/Icons';
import { usePresets } from '../../stores/presets';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { applyToDraft, hasParameters, SOURCE_LABEL } from '../../handoffs/remix';

const MAX_BYTES = 64 * 1024 * 1024;

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer.types).includes('Files');
}

export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}

export async function loadParametersFrom(file: File): Promise<void> {
  if (file.size > MAX_BYTES) {
    notify(`${file.name} is too large to read (64 MB at most).`, 'error');
    return;
  }
  if (file.type && !file.type.startsWith('image/')) {
    notify(`${file.name} is not an image: drop a PNG, JPEG or WebP to load its parameters.`, 'error');
    return;
  }
  let params;
  try {
    params = await studio.metadata.read({ dataBase64: await fileToBase64(file) });
  } catch (err) {
    if (err instanceof StudioCallError && err.code !== 'internal') notify(`Can’t read parameters from ${file.name}: ${err.fieldMessage}`, 'error');
    else reportError(err);
    return;
  }
  if (!hasParameters(params)) {
    notify(`${file.name} has no generation parameters in it (no FLUX Studio, A1111 or ComfyUI metadata).`, 'error');
    return;
  }
  await usePresets.getState().load();
  const { loaded, notes } = applyToDraft(params, usePresets.getState().view);
  const from = params.source ? SOURCE_LABEL[params.source] : 'the image';
  notify(`Loaded ${loaded.join(', ')} from ${file.name} (${from})${notes.length ? ` — ${notes.join('; ')}` : ''}.`, 'success');
}

/** Drag-and-drop handlers for the page and the overlay shown while an image is over it. */
export function useImageDrop(): { handlers: Record<'onDragEnter' | 'onDragOver' | 'onDragLeave' | 'onDrop', (e: DragEvent<HTMLElement>) => void>; overlay: ReactElement | null } {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const onDragEnter = useCallback((e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth.current++;
    setOver(true);
  }, []);
  const onDragOver = useCallback((e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);
  const onDragLeave = useCallback((e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setOver(false);
  }, []);
  const onDrop = useCallback((e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth.current = 0;
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) void loadParametersFrom(file);
  }, []);
  const overlay = over ? (
    <div className="drop-overlay" data-testid="generate-drop-overlay" aria-hidden="true">
      <div className="drop-card">
        <UploadIcon size={28} />
        <p>Drop an image to load its prompt and settings</p>
        <p className="muted small">FLUX Studio, A1111 and ComfyUI images</p>
      </div>
    </div>
  ) : null;
  return { handlers: { onDragEnter, onDragOver, onDragLeave, onDrop }, overlay };
}
