// The caption grid's bulk operations on the selection (or what is shown, or all): prepend,
// append, insert [trigger], find and replace (regex, match case) and remove a tag.
import { useState, type ReactElement } from 'react';
import type { BulkOp } from '@shared/contract/datasets';

export function BulkCaptionBar(props: { scope: string; trigger: string; error: string | null; onRun(op: BulkOp): void }): ReactElement {
  const { scope } = props;
  const [bulkText, setBulkText] = useState('');
  const [find, setFind] = useState('');
  const [replace, setReplace] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [removeTag, setRemoveTag] = useState('');
  return (
    <div className="ds-bulk" aria-label="Bulk caption operations" data-testid="ds-bulk">
      <span className="ds-bulk-scope" data-testid="ds-bulk-scope">
        Apply to {scope}:
      </span>
      <input className="input input-sm" placeholder="text" aria-label="Text to add" value={bulkText} onChange={(e) => setBulkText(e.target.value)} data-testid="ds-bulk-text" />
      <button type="button" className="btn btn-sm" disabled={bulkText === ''} onClick={() => props.onRun({ kind: 'prepend', text: bulkText })} data-testid="ds-bulk-prepend">
        Prepend
      </button>
      <button type="button" className="btn btn-sm" disabled={bulkText === ''} onClick={() => props.onRun({ kind: 'append', text: bulkText })} data-testid="ds-bulk-append">
        Append
      </button>
      <button type="button" className="btn btn-sm" onClick={() => props.onRun({ kind: 'insertTrigger', position: 'start' })} data-testid="ds-bulk-trigger" title={props.trigger ? `[trigger] = ${props.trigger}` : 'set a trigger word above'}>
        Insert [trigger]
      </button>
      <span className="ds-bulk-group">
        <input className="input input-sm" placeholder="find" aria-label="Find" value={find} onChange={(e) => setFind(e.target.value)} data-testid="ds-bulk-find" />
        <input className="input input-sm" placeholder="replace with" aria-label="Replace with" value={replace} onChange={(e) => setReplace(e.target.value)} data-testid="ds-bulk-replace" />
        <label className="ds-check">
          <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} data-testid="ds-bulk-regex" /> regex
        </label>
        <label className="ds-check">
          <input type="checkbox" checked={caseSensitive} onChange={(e) => setCaseSensitive(e.target.checked)} /> match case
        </label>
        <button type="button" className="btn btn-sm" disabled={find === ''} onClick={() => props.onRun({ kind: 'replace', find, replace, regex, caseSensitive })} data-testid="ds-bulk-replace-go">
          Replace
        </button>
      </span>
      <span className="ds-bulk-group">
        <input className="input input-sm" placeholder="tag" aria-label="Tag to remove" value={removeTag} onChange={(e) => setRemoveTag(e.target.value)} list="ds-tag-list" />
        <button type="button" className="btn btn-sm" disabled={removeTag.trim() === ''} onClick={() => props.onRun({ kind: 'removeTag', tag: removeTag })}>
          Remove tag
        </button>
      </span>
      {props.error ? (
        <span className="field-error" role="alert" data-testid="ds-bulk-error">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}
