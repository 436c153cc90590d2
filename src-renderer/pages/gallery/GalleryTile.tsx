// One image in the gallery grid: its thumbnail (cropped to a square or fitted whole, as the
// toolbar says; a placeholder while it is made, or why it is broken), the favourite star, the
// selection check, an Open button, and under it the prompt with model and size.
import { memo, useState, type CSSProperties, type ReactElement } from 'react';
import type { GalleryImage } from '@shared/contract';
import { GalleryIcon, ImageOffIcon, StarIcon } from '../../components/Icons';
import { studio } from '../../transport/client';

/** Height of the caption under each tile (VirtualGrid's `below`). */
export const TILE_CAPTION_PX = 44;

export type TileFit = 'crop' | 'fit';

function details(image: GalleryImage): string {
  const p = image.params;
  const w = p.width ?? image.width;
  const h = p.height ?? image.height;
  return [p.model, w && h ? `${w}×${h}` : null].filter(Boolean).join(' · ');
}

export const GalleryTile = memo(function GalleryTile(props: {
  index: number;
  image: GalleryImage | undefined;
  style: CSSProperties;
  selected: boolean;
  focused: boolean;
  fit: TileFit;
  onPointer(index: number, e: React.MouseEvent): void;
  onOpen(index: number): void;
}): ReactElement {
  const { image } = props;
  const [failedThumb, setFailedThumb] = useState<string | null>(null);
  const thumbFailed = image?.thumbSmall != null && failedThumb === image.thumbSmall;
  if (!image) {
    return <div className="tile is-loading" style={props.style} data-index={props.index} role="option" aria-selected={false} aria-busy="true" tabIndex={-1} />;
  }
  const broken = image.broken ?? (thumbFailed ? 'The thumbnail could not be loaded' : null);
  const cls = ['tile', props.selected ? 'is-selected' : '', props.focused ? 'is-focused' : '', broken ? 'is-broken' : '', props.fit === 'fit' ? 'is-fit' : ''].filter(Boolean).join(' ');
  const label = image.params.prompt ?? image.fileName;
  const info = details(image);
  return (
    <div
      className={cls}
      style={props.style}
      role="option"
      aria-selected={props.selected}
      title={broken ? `Broken: ${broken}` : `${label}${info ? `\n${info}` : ''}\nDouble-click or Enter opens`}
      tabIndex={props.focused ? 0 : -1}
      data-index={props.index}
      data-image-id={image.id}
      data-favourite={image.favourite}
      data-testid="gallery-tile"
      onClick={(e) => props.onPointer(props.index, e)}
      onDoubleClick={() => props.onOpen(props.index)}
    >
      <div className="tile-media">
        {broken ? (
          <div className="tile-broken" data-testid="gallery-tile-broken">
            <ImageOffIcon size={22} />
            <span>Can’t show this image</span>
          </div>
        ) : image.thumbSmall ? (
          <img src={studio.mediaUrl('thumbs', image.thumbSmall)} alt="" draggable={false} decoding="async" onError={() => setFailedThumb(image.thumbSmall)} />
        ) : (
          <div className="tile-placeholder" data-testid="gallery-tile-placeholder">
            <GalleryIcon size={22} />
            <span>Making thumbnail…</span>
          </div>
        )}
        {image.favourite ? (
          <span className="tile-fav" role="img" aria-label="favourite">
            <StarIcon size={14} filled />
          </span>
        ) : null}
        {props.selected ? <span className="tile-check" aria-hidden="true" /> : null}
        {/* For the mouse only: the tile itself is the keyboard's control (Enter opens it), and an
            option may not hold another control, so this is not a button to assistive tech. */}
        <span
          className="btn btn-sm tile-open"
          aria-hidden="true"
          data-testid="tile-open"
          onClick={(e) => {
            e.stopPropagation();
            props.onOpen(props.index);
          }}
          onDoubleClick={(e) => e.stopPropagation()}
        >
          Open
        </span>
      </div>
      <div className="tile-caption" data-testid="tile-caption">
        <span className="tile-prompt">{image.params.prompt ?? image.fileName}</span>
        <span className="tile-details">{info || image.fileName}</span>
      </div>
    </div>
  );
});
