// The caption grid's bulk operations on the selection (or what is shown, or all): prepend,
// append, insert [trigger], find and replace (regex, match case) and remove a tag. One
// operation at a time, in one compact row, so the grid stays on screen below it.
import { useState, type ReactElement } from 'react';
import type { BulkOp } from '@shared/contract/datasets';
import { DisabledReason } from '../../components/DisabledReason';

type Kind = 'prepend' | 'append' | 'insertTrigger' | 'replace' | 'removeTag';
const KINDS: { value: Kind; label: string }[] = [
  { value: 'insertTrigger', label: 'Insert [trigger]' },
  { value: 'prepend', label: 'Prepend text' },
  { value: 'append', label: 'Append text' },
  { value: 'replace', label: 'Find and replace' },
  { value: 'removeTag', label: 'Remove a tag' },
];

export function BulkCaptionBar(props: { scope: string; trigger: string; error: string | null; onRun(op: BulkOp): void }): ReactElement {
  const { scope } = props;
  const [kind, setKind] = useState<Kind>('insertTrigger');
  const [bulkText, setBulkText] = useState('');
  const [find, setFind] = useState('');
  const [replace, setReplace] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [removeTag, setRemoveTag] = useState('');

  const op: BulkOp | null =
    kind === 'insertTrigger'
      ? { kind, position: 'start' }
      : kind === 'prepend' || kind === 'append'
        ? bulkText === ''
          ? null
          : { kind, text: bulkText }
        : kind === 'replace'
          ? find === ''
            ? null
            : { kind, find, replace, regex, caseSensitive }
          : removeTag.trim() === ''
            ? null
            : { kind, tag: removeTag };
  const missing = kind === 'replace' ? 'Type what to find.' : kind === 'removeTag' ? 'Type the tag to remove.' : 'Type the text to add.';

  return (
    <div className="ds-bulk" id="ds-bulk-panel" role="group" aria-label="Bulk caption operations" data-testid="ds-bulk">
      <span className="ds-bulk-scope" data-testid="ds-bulk-scope">
        Apply to {scope}:
      </span>
      <select className="select select-sm" aria-label="Bulk operation" value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid="ds-bulk-kind">
        {KINDS.map((k) => (
          <option key={k.value} value={k.value}>
            {k.label}
          </option>
        ))}
      </select>
      {kind === 'prepend' || kind === 'append' ? (
        <input className="input input-sm" placeholder="text" aria-label="Text to add" value={bulkText} onChange={(e) => setBulkText(e.target.value)} data-testid="ds-bulk-text" />
      ) : null}
      {kind === 'insertTrigger' ? (
        <span className="muted ds-bulk-note">{props.trigger ? `“${props.trigger}” first in each caption` : 'first in each caption'}</span>
      ) : null}
      {kind === 'replace' ? (
        <>
          <input className="input input-sm" placeholder="find" aria-label="Find" value={find} onChange={(e) => setFind(e.target.value)} data-testid="ds-bulk-find" />
          <input className="input input-sm" placeholder="replace with" aria-label="Replace with" value={replace} onChange={(e) => setReplace(e.target.value)} data-testid="ds-bulk-replace" />
          <label className="ds-check">
            <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} data-testid="ds-bulk-regex" /> regex
          </label>
          <label className="ds-check">
            <input type="checkbox" checked={caseSensitive} onChange={(e) => setCaseSensitive(e.target.checked)} /> match case
          </label>
        </>
      ) : null}
      {kind === 'removeTag' ? (
        <input className="input input-sm" placeholder="tag" aria-label="Tag to remove" value={removeTag} onChange={(e) => setRemoveTag(e.target.value)} list="ds-tag-list" data-testid="ds-bulk-tag" />
      ) : null}
      <button type="button" className="btn btn-sm btn-primary" disabled={op === null} aria-describedby={op === null ? 'ds-bulk-why' : undefined} onClick={() => op && props.onRun(op)} data-testid="ds-bulk-apply">
        Apply
      </button>
      <DisabledReason id="ds-bulk-why" testId="ds-bulk-why" reason={op === null ? missing : null} />
      {props.error ? (
        <span className="field-error" role="alert" data-testid="ds-bulk-error">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}
