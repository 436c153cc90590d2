// An image's tags in the detail view: remove one with its ×, add one with Enter, comma or leaving the field.
import { useState, type ReactElement } from 'react';
import type { GalleryImage } from '@shared/contract';
import { CloseIcon } from '../../components/Icons';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';

export function TagsEditor(props: { image: GalleryImage; onSaved(image: GalleryImage): void }): ReactElement {
  const [text, setText] = useState('');
  const save = (tags: string[]) => {
    studio.gallery.setTags({ id: props.image.id, tags }).then(props.onSaved, reportError);
  };
  const add = () => {
    const t = text.trim();
    if (!t) return;
    setText('');
    if (props.image.tags.includes(t)) return;
    save([...props.image.tags, t]);
  };
  return (
    <div className="tags-editor" data-testid="detail-tags">
      {props.image.tags.map((t) => (
        <span key={t} className="tag tag-removable" data-testid="detail-tag">
          {t}
          <button type="button" className="tag-x" aria-label={`Remove tag ${t}`} onClick={() => save(props.image.tags.filter((x) => x !== t))}>
            <CloseIcon size={11} />
          </button>
        </span>
      ))}
      <input
        className="input input-sm tag-input"
        placeholder="Add a tag…"
        value={text}
        maxLength={100}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ',') {
            e.preventDefault();
            add();
          }
        }}
        onBlur={add}
        aria-label="Add a tag"
        data-testid="detail-tag-input"
      />
    </div>
  );
}
