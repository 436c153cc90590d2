// The selected image in a modal: the picture, every parameter, and what to do with it.
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { GalleryImage } from '@shared/contract';
import { ChevronLeftIcon, ChevronRightIcon, CloseIcon, CopyIcon, FolderIcon, ImageOffIcon, StarIcon, TrashIcon } from '../../components/Icons';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { DetailParams } from './DetailParams';
import { TagsEditor } from './TagsEditor';

export function DetailView(props: {
  image: GalleryImage;
  index: number;
  total: number;
  canReveal: boolean;
  canOpen: boolean;
  onClose(): void;
  onPrev(): void;
  onNext(): void;
  onFavourite(): void;
  onDelete(): void;
  onRemix(): void;
  onRerun(): void;
  onUpdated(image: GalleryImage): void;
}): ReactElement {
  const { image } = props;
  const p = image.params;
  const ref = useRef<HTMLDialogElement>(null);
  // Per-image view state, keyed by the image so prev/next starts fresh without an effect.
  const [view, setView] = useState<{ id: string; fullLoaded: boolean; fullFailed: boolean; copyFallback: boolean; copied: boolean }>({
    id: image.id,
    fullLoaded: false,
    fullFailed: false,
    copyFallback: false,
    copied: false,
  });
  const cur = view.id === image.id ? view : { id: image.id, fullLoaded: false, fullFailed: false, copyFallback: false, copied: false };
  const { fullLoaded, fullFailed, copyFallback, copied } = cur;
  const update = (patch: Partial<typeof cur>) => setView({ ...cur, ...patch });
  const setFullLoaded = (v: boolean) => update({ fullLoaded: v });
  const setFullFailed = (v: boolean) => update({ fullFailed: v });
  const setCopyFallback = (v: boolean) => update({ copyFallback: v });
  const setCopied = (v: boolean) => update({ copied: v });

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) {
      d.showModal();
      // Start in the panel, not on the first button (which would show a focus ring on "previous").
      d.querySelector<HTMLElement>('.detail-side')?.focus();
    }
  }, []);

  // Keys on the window, not the dialog: the focus can leave the dialog's subtree (a button
  // that becomes disabled under it, like "previous" on the first image, drops it on <body>).
  const keys = useRef<(e: globalThis.KeyboardEvent) => void>(() => undefined);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => keys.current(e);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const onKeyDown = (e: globalThis.KeyboardEvent) => {
    if (e.defaultPrevented) return;
    const target = e.target as HTMLElement | null;
    if (target?.closest('input, textarea, select')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'ArrowLeft') {
      e.preventDefault();
      props.onPrev();
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      props.onNext();
    } else if (e.key === 'f' || e.key === 'F') {
      e.preventDefault();
      props.onFavourite();
    } else if (e.key === 'Delete') {
      e.preventDefault();
      props.onDelete();
    }
  };

  useEffect(() => {
    keys.current = onKeyDown;
  });

  const copyPrompt = () => {
    const text = p.prompt ?? '';
    const clip = navigator.clipboard as Clipboard | undefined;
    if (!clip) {
      setCopyFallback(true);
      return;
    }
    clip.writeText(text).then(
      () => setCopied(true),
      () => setCopyFallback(true),
    );
  };

  const full = studio.mediaUrl(image.media.root, image.media.rel);
  const large = image.thumbLarge ? studio.mediaUrl('thumbs', image.thumbLarge) : image.thumbSmall ? studio.mediaUrl('thumbs', image.thumbSmall) : null;
  return (
    <dialog
      ref={ref}
      className="dialog detail-dialog"
      aria-labelledby="detail-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) props.onClose();
      }}
      data-testid="gallery-detail"
      data-image-id={image.id}
    >
      <div className="detail">
        <div className="detail-media">
          {image.broken ? (
            <div className="detail-broken" data-testid="detail-broken">
              <ImageOffIcon size={32} />
              <p>This file can’t be shown as an image.</p>
              <p className="muted small">{image.broken}</p>
            </div>
          ) : fullFailed ? (
            <div className="detail-broken">
              <ImageOffIcon size={32} />
              <p>The image file could not be loaded. It may have been moved or deleted.</p>
            </div>
          ) : (
            <>
              {large && !fullLoaded ? <img className="detail-img is-placeholder" src={large} alt="" aria-hidden="true" /> : null}
              <img
                className={fullLoaded ? 'detail-img' : 'detail-img is-loading'}
                src={full}
                alt={p.prompt ?? image.fileName}
                onLoad={() => setFullLoaded(true)}
                onError={() => setFullFailed(true)}
                data-testid="detail-image"
              />
            </>
          )}
          <button type="button" className="detail-nav is-prev" aria-label="Previous image" disabled={props.index <= 0} onClick={props.onPrev} data-testid="detail-prev">
            <ChevronLeftIcon size={20} />
          </button>
          <button
            type="button"
            className="detail-nav is-next"
            aria-label="Next image"
            disabled={props.index >= props.total - 1}
            onClick={props.onNext}
            data-testid="detail-next"
          >
            <ChevronRightIcon size={20} />
          </button>
        </div>
        <aside className="detail-side" tabIndex={-1}>
          <header className="detail-head">
            <div className="detail-title-wrap">
              <h2 className="dialog-title detail-title" id="detail-title" title={image.fileName}>
                {image.fileName}
              </h2>
              <p className="muted small">
                {props.index + 1} of {props.total.toLocaleString()}
              </p>
            </div>
            <button
              type="button"
              className={image.favourite ? 'icon-btn fav-btn is-on' : 'icon-btn fav-btn'}
              aria-pressed={image.favourite}
              aria-label={image.favourite ? 'Remove from favourites (F)' : 'Add to favourites (F)'}
              title={image.favourite ? 'Remove from favourites (F)' : 'Add to favourites (F)'}
              onClick={props.onFavourite}
              data-testid="detail-favourite"
            >
              <StarIcon size={18} filled={image.favourite} />
            </button>
            <button type="button" className="icon-btn" aria-label="Close (Esc)" title="Close (Esc)" onClick={props.onClose} data-testid="detail-close">
              <CloseIcon size={18} />
            </button>
          </header>

          <div className="detail-actions">
            <button type="button" className="btn btn-primary btn-sm" onClick={props.onRemix} data-testid="detail-remix" title="Load these parameters into Generate">
              Remix
            </button>
            <button type="button" className="btn btn-sm" onClick={props.onRerun} data-testid="detail-rerun" title="Load these parameters with the same seed locked">
              Re-run
            </button>
            {props.canOpen ? (
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => {
                  studio.gallery.open({ id: image.id }).catch(reportError);
                }}
                data-testid="detail-open"
              >
                Open in viewer
              </button>
            ) : null}
            {props.canReveal ? (
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => {
                  studio.app.revealPath({ path: image.path }).catch(reportError);
                }}
                data-testid="detail-reveal"
              >
                <FolderIcon size={14} /> Reveal
              </button>
            ) : null}
            <span className="spacer" />
            <button type="button" className="btn btn-sm btn-danger-text" onClick={props.onDelete} data-testid="detail-delete" title="Move to the trash (Delete)">
              <TrashIcon size={14} /> Delete
            </button>
          </div>

          <section className="detail-prompt">
            <div className="field-label-row spread">
              <span className="field-label">Prompt</span>
              {p.prompt ? (
                <button type="button" className="btn btn-ghost btn-sm" onClick={copyPrompt} data-testid="detail-copy-prompt">
                  <CopyIcon size={14} /> {copied ? 'Copied' : 'Copy'}
                </button>
              ) : null}
            </div>
            {copyFallback ? (
              <div className="copy-fallback" data-testid="detail-copy-fallback">
                <p className="muted small">The clipboard isn’t available here: select the text and copy it yourself.</p>
                <textarea
                  className="textarea mono-sm"
                  readOnly
                  rows={4}
                  value={p.prompt ?? ''}
                  ref={(el) => {
                    el?.select();
                  }}
                />
              </div>
            ) : (
              <p className="prompt-text" data-testid="detail-prompt">
                {p.prompt ?? <span className="muted">No prompt stored with this image.</span>}
              </p>
            )}
            {p.enhancedFrom ? (
              <p className="muted small" data-testid="detail-enhanced-from">
                Enhanced from: “{p.enhancedFrom}”
              </p>
            ) : null}
            {p.negativePrompt ? (
              <p className="muted small" data-testid="detail-negative">
                Negative: {p.negativePrompt}
              </p>
            ) : null}
          </section>

          <DetailParams image={image} />

          <section>
            <div className="field-label">Tags</div>
            <TagsEditor image={image} onSaved={props.onUpdated} />
          </section>
          <p className="muted small detail-keys">← → previous / next · F favourite · Delete · Esc close</p>
        </aside>
      </div>
    </dialog>
  );
}
