// One image in the gallery grid: its thumbnail (or a placeholder while it is made, or why it
// is broken), the favourite star and the selection check.
import { memo, useState, type CSSProperties, type ReactElement } from 'react';
import type { GalleryImage } from '@shared/contract';
import { GalleryIcon, ImageOffIcon, StarIcon } from '../../components/Icons';
import { studio } from '../../transport/client';

export const GalleryTile = memo(function GalleryTile(props: {
  index: number;
  image: GalleryImage | undefined;
  style: CSSProperties;
  selected: boolean;
  focused: boolean;
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
  const cls = ['tile', props.selected ? 'is-selected' : '', props.focused ? 'is-focused' : '', broken ? 'is-broken' : ''].filter(Boolean).join(' ');
  const label = image.params.prompt ?? image.fileName;
  return (
    <div
      className={cls}
      style={props.style}
      role="option"
      aria-selected={props.selected}
      aria-label={`${label}${image.favourite ? ', favourite' : ''}${broken ? ', broken' : ''}`}
      title={broken ? `Broken: ${broken}` : label}
      tabIndex={props.focused ? 0 : -1}
      data-index={props.index}
      data-image-id={image.id}
      data-favourite={image.favourite}
      data-testid="gallery-tile"
      onClick={(e) => props.onPointer(props.index, e)}
      onDoubleClick={() => props.onOpen(props.index)}
    >
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
        <span className="tile-fav" aria-hidden="true">
          <StarIcon size={14} filled />
        </span>
      ) : null}
      {props.selected ? <span className="tile-check" aria-hidden="true" /> : null}
    </div>
  );
});
