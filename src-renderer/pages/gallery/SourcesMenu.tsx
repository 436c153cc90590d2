// "Folders": the gallery's sources (the output folder always), add one, remove one, rescan.
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import type { GallerySource } from '@shared/contract';
import { FolderIcon, PlusIcon, TrashIcon } from '../../components/Icons';
import { useAppInfo } from '../../stores/app-info';
import { useJobs } from '../../stores/jobs';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { useGalleryChanged } from './use-gallery';

/** Add a folder: the OS picker on the desktop, else the path typed in `typed`. */
export async function addFolder(typed?: string): Promise<GallerySource | null> {
  const info = useAppInfo.getState().info;
  let path = typed?.trim() ?? '';
  if (!path && info?.canPickFolders) {
    const picked = await studio.app.pickFolder({ title: 'Add a folder of images to the gallery' });
    if (!picked.supported || !picked.path) return null;
    path = picked.path;
  }
  if (!path) return null;
  const source = await studio.gallery.addSource({ path });
  notify(`Added ${source.path}: indexing its images…`, 'success');
  return source;
}

export function AddFolderForm(props: { onAdded?(s: GallerySource): void; autoFocus?: boolean; testId?: string }): ReactElement {
  const canPick = useAppInfo((s) => s.info?.canPickFolders ?? false);
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (typed?: string) => {
    setBusy(true);
    setError(null);
    addFolder(typed)
      .then((s) => {
        if (s) {
          setPath('');
          props.onAdded?.(s);
        }
      })
      .catch((err: unknown) => {
        if (err instanceof StudioCallError && (err.code === 'invalid_input' || err.code === 'not_found' || err.code === 'conflict')) setError(err.fieldMessage);
        else reportError(err);
      })
      .finally(() => setBusy(false));
  };
  if (canPick) {
    return (
      <button type="button" className="btn btn-sm" disabled={busy} onClick={() => submit()} data-testid={props.testId ?? 'gallery-add-folder'}>
        <PlusIcon size={14} /> Add folder…
      </button>
    );
  }
  return (
    <form
      className="add-folder-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit(path);
      }}
    >
      <div className="input-group">
        <input
          className={error ? 'input input-sm mono has-error' : 'input input-sm mono'}
          placeholder="/path/to/a/folder of images"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          aria-label="Folder to add (a full path on the machine running the studio)"
          aria-invalid={error ? true : undefined}
          autoFocus={props.autoFocus}
          data-testid={`${props.testId ?? 'gallery-add-folder'}-path`}
        />
        <button type="submit" className="btn btn-sm" disabled={busy || !path.trim()} data-testid={props.testId ?? 'gallery-add-folder'}>
          <PlusIcon size={14} /> Add folder
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert" data-testid="gallery-add-folder-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}

export function SourcesMenu(): ReactElement {
  const [open, setOpen] = useState(false);
  const [sources, setSources] = useState<GallerySource[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const load = useCallback(() => {
    studio.gallery.sources().then(
      (s) => {
        setSources(s);
        setError(null);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, []);
  useEffect(() => {
    if (open) load();
  }, [open, load]);
  useGalleryChanged(() => {
    if (open) load();
  });
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('pointerdown', onDown);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('pointerdown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="menu-wrap" ref={root}>
      <button type="button" className="btn btn-sm" aria-expanded={open} aria-haspopup="true" onClick={() => setOpen(!open)} data-testid="gallery-folders">
        <FolderIcon size={14} /> Folders
      </button>
      {open ? (
        <div className="menu-pop sources-pop" role="region" aria-label="Gallery folders" data-testid="gallery-folders-menu">
          <div className="menu-title">Folders in the gallery</div>
          {error ? <p className="field-error">{error}</p> : null}
          {sources === null && !error ? <p className="muted small">Loading…</p> : null}
          <ul className="source-list">
            {(sources ?? []).map((s) => (
              <li key={s.id} className="source-row" data-testid="gallery-source">
                <div className="source-text">
                  <code className="path" title={s.path}>
                    {s.path}
                  </code>
                  <span className="muted small">
                    {s.kind === 'output' ? 'Output folder · ' : ''}
                    {s.imageCount.toLocaleString()} image{s.imageCount === 1 ? '' : 's'}
                    {s.watching ? ' · watching' : ''}
                  </span>
                </div>
                {s.kind === 'folder' ? (
                  <button
                    type="button"
                    className="icon-btn"
                    aria-label={`Stop indexing ${s.path}`}
                    title="Stop indexing this folder (its files stay where they are)"
                    onClick={() => {
                      studio.gallery.removeSource({ id: s.id }).then(load, reportError);
                    }}
                    data-testid="gallery-source-remove"
                  >
                    <TrashIcon size={14} />
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
          <AddFolderForm onAdded={load} autoFocus />
          <div className="menu-foot">
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => {
                studio.gallery.rescan().then((job) => {
                  useJobs.getState().merge(job);
                  notify('Rescanning every folder: progress is in the jobs tray.', 'info');
                }, reportError);
              }}
              data-testid="gallery-rescan"
            >
              Rescan all
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
