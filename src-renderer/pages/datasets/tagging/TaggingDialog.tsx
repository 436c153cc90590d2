// Auto-caption a dataset: choose a local WD14 tagger folder or Claude, thresholds or the
// instruction, the mode; see the cost estimate (Claude); run with progress, pause and
// cancel; then review every image's caption before and after and undo one or all.
import { useEffect, useId, useRef, useState, type ReactElement } from 'react';
import type { TaggingMode } from '@shared/contract/tagging';
import { ProgressBar, Segmented, StateBadge, Switch, type SegmentedOption } from '../../../components/Controls';
import { DisabledReason } from '../../../components/DisabledReason';
import { notify } from '../../../stores/toasts';
import { ClaudeFields } from './ClaudeFields';
import { EarlierRuns } from './EarlierRuns';
import { TaggerFields } from './TaggerFields';
import { TaggingReview } from './TaggingReview';
import { useTaggingRun, type Phase } from './use-tagging-run';
import { useTaggingSetup, type SourceKind } from './use-tagging-setup';

const SOURCE_OPTIONS: readonly SegmentedOption<SourceKind>[] = [
  { value: 'tagger', label: 'Local tagger', detail: 'tags, free, offline' },
  { value: 'claude', label: 'Claude', detail: 'sentences, paid API' },
];
const MODE_OPTIONS: readonly SegmentedOption<TaggingMode>[] = [
  { value: 'fill', label: 'Fill empty', hint: 'Only images without a caption' },
  { value: 'overwrite', label: 'Overwrite', hint: 'Replace every caption' },
  { value: 'append', label: 'Append', hint: 'Add after the existing caption' },
];

export interface TaggingDialogProps {
  /** The dataset to caption. */
  dataset: string;
  /** Files selected in the caption grid (dataset-relative; empty = the whole dataset), offered as "only the selection". */
  selection: readonly string[];
  onClose(): void;
  /** Captions changed on disk (a run wrote, or an undo put back): the page reloads its items. */
  onChanged(): void;
}

export function TaggingDialog(props: TaggingDialogProps): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  const ids = useId();
  const [phase, setPhase] = useState<Phase>('setup');

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const setup = useTaggingSetup(props.dataset, props.selection, phase);
  const { kind, setKind, mode, setMode, onlySelection, setOnlySelection, runs, request, invalid, needsConfirm, estimate, confirmed } = setup;
  const run = useTaggingRun({ setPhase, onChanged: props.onChanged });
  const { job, progress, paused, results, busy, finished, formError, start, togglePause, cancel, review, undo } = run;

  const close = () => {
    if (phase === 'running' && job && !finished) {
      notify('The tagging job keeps running; its progress is in the jobs tray.');
    }
    props.onClose();
  };

  const canRun = phase === 'setup' && !busy && invalid === null && (!needsConfirm || confirmed) && !(kind === 'claude' && estimate === null);
  // Why Caption is disabled, beside it (docs/architecture.md, "Users see it"); the fields above are the way out.
  const whyNot = canRun || busy
    ? null
    : (invalid ?? (needsConfirm && !confirmed ? 'Confirm the cost above first.' : kind === 'claude' && estimate === null ? 'Working out the cost estimate…' : null));

  return (
    <dialog
      ref={ref}
      className="dialog tagging-dialog"
      style={{ width: 'min(760px, calc(100vw - 32px))' }}
      aria-labelledby={`${ids}-title`}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
      data-testid="tagging-dialog"
      data-phase={phase}
    >
      <div className="dialog-body">
        <h2 className="dialog-title" id={`${ids}-title`}>
          Auto-caption “{props.dataset}”
        </h2>

        {phase === 'setup' ? (
          <>
            <Segmented<SourceKind> label="Captioner" value={kind} options={SOURCE_OPTIONS} onChange={setKind} testId="tagging-source" />
            {kind === 'tagger' ? <TaggerFields setup={setup} ids={ids} /> : <ClaudeFields setup={setup} ids={ids} />}
            <div className="dialog-field">
              <div className="field-label" id={`${ids}-mode`}>
                Existing captions
              </div>
              <Segmented<TaggingMode> label="Mode" labelledBy={`${ids}-mode`} value={mode} options={MODE_OPTIONS} onChange={setMode} testId="tagging-mode" />
            </div>
            {props.selection.length > 0 ? (
              <label style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
                <Switch checked={onlySelection} onChange={setOnlySelection} label="Only the selected images" testId="tagging-only-selection" /> Only the {props.selection.length} selected
                images
              </label>
            ) : null}
            <p className="muted small">Captions are written as the run goes; you can review every change and undo one or all afterwards.</p>
            {runs.length > 0 ? <EarlierRuns runs={runs} onReview={(jobId) => void review(jobId)} /> : null}
          </>
        ) : null}

        {phase === 'running' && job ? (
          <div className="dialog-field" data-testid="tagging-running">
            <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
              <StateBadge state={job.state} />
              <span className="small" data-testid="tagging-progress-text">
                {paused ? 'Paused — ' : ''}
                {progress?.message ?? 'Starting…'}
              </span>
            </div>
            <ProgressBar fraction={progress?.fraction ?? null} label="Captioning progress" testId="tagging-progress" tone={paused ? 'muted' : 'accent'} />
          </div>
        ) : null}

        {phase === 'review' ? <TaggingReview run={run} /> : null}

        {formError ? (
          <p className="field-error" role="alert" data-testid="tagging-error">
            {formError}
          </p>
        ) : null}

        <div className="dialog-actions">
          {phase === 'setup' ? (
            <>
              <DisabledReason id={`${ids}-why`} testId="tagging-why" reason={whyNot} />
              <span className="spacer" />
              <button type="button" className="btn btn-ghost" onClick={close}>
                Cancel
              </button>
              <button type="button" className="btn btn-primary" disabled={!canRun} aria-describedby={whyNot ? `${ids}-why` : undefined} onClick={() => void start(request)} data-testid="tagging-run">
                Caption
              </button>
            </>
          ) : null}
          {phase === 'running' ? (
            <>
              <span className="spacer" />
              <button type="button" className="btn" onClick={() => void togglePause()} data-testid="tagging-pause">
                {paused ? 'Resume' : 'Pause'}
              </button>
              <button type="button" className="btn btn-danger-text" onClick={() => void cancel()} data-testid="tagging-cancel">
                Stop
              </button>
            </>
          ) : null}
          {phase === 'review' ? (
            <>
              {results && results.counts.written > 0 ? (
                <button type="button" className="btn" disabled={busy} onClick={() => void undo()} data-testid="tagging-undo-all">
                  Undo all ({results.counts.written})
                </button>
              ) : null}
              <span className="spacer" />
              <button type="button" className="btn btn-primary" onClick={props.onClose} data-testid="tagging-done">
                Done
              </button>
            </>
          ) : null}
        </div>
      </div>
    </dialog>
  );
}
