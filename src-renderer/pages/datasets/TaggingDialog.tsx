// Auto-caption a dataset: choose a local WD14 tagger folder or Claude, thresholds or the
// instruction, the mode; see the cost estimate (Claude); run with progress, pause and
// cancel; then review every image's caption before and after and undo one or all.
import { useEffect, useId, useMemo, useRef, useState, type ReactElement } from 'react';
import type { Job, JobProgress } from '@shared/contract';
import type { CostEstimate, TaggingDefaults, TaggingItem, TaggingMode, TaggingRequest, TaggingResults, TaggingRun } from '@shared/contract/tagging';
import { ProgressBar, Segmented, StateBadge, Switch, type SegmentedOption } from '../../components/Controls';
import { useAppInfo } from '../../stores/app-info';
import { notify, reportError } from '../../stores/toasts';
import { errorMessage, studio } from '../../transport/client';

type SourceKind = 'tagger' | 'claude';
type Phase = 'setup' | 'running' | 'review';

const SOURCE_OPTIONS: readonly SegmentedOption<SourceKind>[] = [
  { value: 'tagger', label: 'Local tagger', detail: 'tags, free, offline' },
  { value: 'claude', label: 'Claude', detail: 'sentences, paid API' },
];
const MODE_OPTIONS: readonly SegmentedOption<TaggingMode>[] = [
  { value: 'fill', label: 'Fill empty', hint: 'Only images without a caption' },
  { value: 'overwrite', label: 'Overwrite', hint: 'Replace every caption' },
  { value: 'append', label: 'Append', hint: 'Add after the existing caption' },
];
const STATUS_LABEL: Record<TaggingItem['status'], string> = {
  written: 'Written',
  unchanged: 'Unchanged',
  skipped: 'Skipped',
  failed: 'Failed',
  undone: 'Undone',
  pending: 'Not done',
};

export interface TaggingDialogProps {
  /** The dataset to caption. */
  dataset: string;
  /** Files selected in the caption grid (dataset-relative; empty = the whole dataset), offered as "only the selection". */
  selection: readonly string[];
  onClose(): void;
  /** Captions changed on disk (a run wrote, or an undo put back): the page reloads its items. */
  onChanged(): void;
}

function usd(value: number | null): string {
  if (value === null) return 'unknown (no price for this model)';
  return value < 0.01 ? `< $0.01 ($${value.toFixed(4)})` : `$${value.toFixed(2)}`;
}

export function TaggingDialog(props: TaggingDialogProps): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  const ids = useId();
  const info = useAppInfo((s) => s.info);
  const [defaults, setDefaults] = useState<TaggingDefaults | null>(null);
  const [phase, setPhase] = useState<Phase>('setup');
  const [kind, setKind] = useState<SourceKind>('tagger');
  const [mode, setMode] = useState<TaggingMode>('fill');
  const [onlySelection, setOnlySelection] = useState(props.selection.length > 0);
  const [trigger, setTrigger] = useState('');
  const [taggerDir, setTaggerDir] = useState('');
  const [general, setGeneral] = useState('0.35');
  const [character, setCharacter] = useState('0.85');
  const [includeRating, setIncludeRating] = useState(false);
  const [underscores, setUnderscores] = useState(true);
  const [mcut, setMcut] = useState(false);
  const [blacklist, setBlacklist] = useState('');
  const [instruction, setInstruction] = useState('');
  const [model, setModel] = useState('');
  const [estimate, setEstimate] = useState<CostEstimate | null>(null);
  const [estimateError, setEstimateError] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<JobProgress | null>(null);
  const [paused, setPaused] = useState(false);
  const [results, setResults] = useState<TaggingResults | null>(null);
  const [conflicts, setConflicts] = useState<Array<{ file: string; reason: string }>>([]);
  const [busy, setBusy] = useState(false);
  const [runs, setRuns] = useState<TaggingRun[]>([]);
  /** The run under review: the one just made, or an earlier one picked from the list. */
  const [reviewId, setReviewId] = useState<string | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  useEffect(() => {
    studio.datasets.get({ name: props.dataset }).then(
      (d) => setTrigger(d.trigger),
      () => undefined,
    );
  }, [props.dataset]);

  useEffect(() => {
    studio.tagging.runs({ dataset: props.dataset, limit: 5 }).then(setRuns, () => undefined);
  }, [props.dataset]);

  useEffect(() => {
    studio.tagging.defaults().then(
      (d) => {
        setDefaults(d);
        setGeneral(String(d.tagger.generalThreshold));
        setCharacter(String(d.tagger.characterThreshold));
        setIncludeRating(d.tagger.includeRating);
        setUnderscores(d.tagger.underscoresToSpaces);
        setInstruction(d.claude.instruction);
        setModel(d.claude.model);
      },
      (err: unknown) => reportError(err),
    );
  }, []);

  const request = useMemo((): TaggingRequest | string => {
    const files = onlySelection && props.selection.length > 0 ? { files: [...props.selection] } : {};
    if (kind === 'tagger') {
      const g = Number(general);
      const c = Number(character);
      if (taggerDir.trim() === '') return 'Choose the tagger folder (model.onnx + selected_tags.csv).';
      if (!(g >= 0 && g <= 1) || general.trim() === '') return 'The general threshold must be a number from 0 to 1.';
      if (!(c >= 0 && c <= 1) || character.trim() === '') return 'The character threshold must be a number from 0 to 1.';
      return {
        dataset: props.dataset,
        mode,
        ...files,
        source: {
          kind: 'tagger',
          dir: taggerDir.trim(),
          generalThreshold: g,
          characterThreshold: c,
          includeRating,
          underscoresToSpaces: underscores,
          blacklist: blacklist.split(',').map((t) => t.trim()).filter((t) => t !== ''),
          maxTags: null,
          mcut,
        },
      };
    }
    if (instruction.trim() === '') return 'Write an instruction for Claude.';
    return { dataset: props.dataset, mode, ...files, source: { kind: 'claude', instruction: instruction.trim(), ...(model.trim() ? { model: model.trim() } : {}) } };
  }, [kind, mode, onlySelection, props.selection, props.dataset, taggerDir, general, character, includeRating, underscores, mcut, blacklist, instruction, model]);

  // The cost estimate follows the Claude settings (debounced).
  useEffect(() => {
    setConfirmed(false);
    if (kind !== 'claude' || typeof request === 'string' || phase !== 'setup') {
      setEstimate(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      studio.tagging.estimate(request).then(
        (e) => {
          if (!live) return;
          setEstimate(e);
          setEstimateError(null);
        },
        (err: unknown) => {
          if (!live) return;
          setEstimate(null);
          setEstimateError(errorMessage(err));
        },
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [kind, request, phase]);

  // Progress and the end of the job.
  useEffect(() => {
    if (!job) return;
    const offProgress = studio.on('job.progress', ({ jobId, progress: p }) => {
      if (jobId === job.id) setProgress(p);
    });
    const offUpdated = studio.on('job.updated', (j) => {
      if (j.id !== job.id) return;
      setJob(j);
    });
    // A short run can finish before these subscriptions exist: read the row once.
    let live = true;
    studio.jobs.get({ id: job.id }).then(
      (j) => {
        if (live && !['queued', 'running'].includes(j.state)) setJob(j);
      },
      () => undefined,
    );
    return () => {
      live = false;
      offProgress();
      offUpdated();
    };
  }, [job?.id]); // eslint-disable-line react-hooks/exhaustive-deps -- resubscribe per job only

  const finished = job !== null && !['queued', 'running'].includes(job.state);
  useEffect(() => {
    if (!job || !finished) return;
    studio.tagging.results({ jobId: job.id }).then(
      (r) => {
        setResults(r);
        setReviewId(job.id);
        setPhase('review');
        if (r.counts.written > 0) props.onChanged();
      },
      (err: unknown) => {
        setPhase('review');
        setFormError(job.error?.message ?? errorMessage(err));
      },
    );
  }, [finished, job?.id]); // eslint-disable-line react-hooks/exhaustive-deps -- once per finished job

  const pickFolder = async () => {
    try {
      const r = await studio.app.pickFolder({ title: 'Choose a WD14 tagger folder (model.onnx + selected_tags.csv)' });
      if (r.path) setTaggerDir(r.path);
    } catch (err) {
      reportError(err);
    }
  };

  const start = async () => {
    if (typeof request === 'string') {
      setFormError(request);
      return;
    }
    setFormError(null);
    setBusy(true);
    try {
      const j = await studio.tagging.start(request);
      setJob(j);
      setProgress(j.progress);
      setPhase('running');
    } catch (err) {
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const togglePause = async () => {
    if (!job) return;
    try {
      const r = paused ? await studio.tagging.resume({ jobId: job.id }) : await studio.tagging.pause({ jobId: job.id });
      setPaused(r.paused);
    } catch (err) {
      reportError(err);
    }
  };

  const cancel = async () => {
    if (!job) return;
    try {
      await studio.jobs.cancel({ id: job.id });
    } catch (err) {
      reportError(err);
    }
  };

  const review = async (jobId: string) => {
    try {
      setResults(await studio.tagging.results({ jobId }));
      setReviewId(jobId);
      setConflicts([]);
      setPhase('review');
    } catch (err) {
      reportError(err);
    }
  };

  const undo = async (file?: string, force = false) => {
    if (!reviewId) return;
    setBusy(true);
    try {
      const r = await studio.tagging.undo({ jobId: reviewId, ...(file ? { file } : {}), ...(force ? { force: true } : {}) });
      setResults(r.results);
      setConflicts(r.conflicts);
      if (r.undone > 0) {
        notify(`${r.undone} caption${r.undone === 1 ? '' : 's'} put back.`, 'success');
        props.onChanged();
      }
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    if (phase === 'running' && job && !finished) {
      notify('The tagging job keeps running; its progress is in the jobs tray.');
    }
    props.onClose();
  };

  const invalid = typeof request === 'string' ? request : null;
  const needsConfirm = kind === 'claude' && estimate !== null && estimate.needsConfirmation;
  const canRun = phase === 'setup' && !busy && invalid === null && (!needsConfirm || confirmed) && !(kind === 'claude' && estimate === null);

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
            {kind === 'tagger' ? (
              <>
                <div className="dialog-field">
                  <label className="field-label" htmlFor={`${ids}-dir`}>
                    Tagger folder
                  </label>
                  <div className="input-group">
                    <input
                      id={`${ids}-dir`}
                      className="input mono"
                      value={taggerDir}
                      placeholder="/models/wd-swinv2-tagger-v3"
                      onChange={(e) => setTaggerDir(e.target.value)}
                      data-testid="tagging-tagger-dir"
                      spellCheck={false}
                    />
                    {info?.canPickFolders ? (
                      <button type="button" className="btn" onClick={() => void pickFolder()}>
                        Choose…
                      </button>
                    ) : null}
                  </div>
                  <p className="field-hint muted small">A WD14 / wd-v3 tagger: a folder with model.onnx and selected_tags.csv (e.g. SmilingWolf/wd-swinv2-tagger-v3).</p>
                </div>
                <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
                  <div className="dialog-field">
                    <label className="field-label" htmlFor={`${ids}-general`}>
                      General threshold
                    </label>
                    <input id={`${ids}-general`} className="input input-sm" type="number" min={0} max={1} step={0.01} value={general} onChange={(e) => setGeneral(e.target.value)} data-testid="tagging-general" />
                  </div>
                  <div className="dialog-field">
                    <label className="field-label" htmlFor={`${ids}-character`}>
                      Character threshold
                    </label>
                    <input id={`${ids}-character`} className="input input-sm" type="number" min={0} max={1} step={0.01} value={character} onChange={(e) => setCharacter(e.target.value)} data-testid="tagging-character" />
                  </div>
                </div>
                <div style={{ display: 'flex', gap: 24, flexWrap: 'wrap', alignItems: 'center' }}>
                  <label style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
                    <Switch checked={includeRating} onChange={setIncludeRating} label="Add the rating tag" testId="tagging-rating" /> Add the rating tag
                  </label>
                  <label style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
                    <Switch checked={underscores} onChange={setUnderscores} label="Underscores to spaces" testId="tagging-underscores" /> Underscores to spaces
                  </label>
                  <label style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }} title="Per image, cut at the largest gap between tag probabilities instead of the thresholds">
                    <Switch checked={mcut} onChange={setMcut} label="MCut thresholds" testId="tagging-mcut" /> MCut (per-image thresholds)
                  </label>
                </div>
                <div className="dialog-field">
                  <label className="field-label" htmlFor={`${ids}-blacklist`}>
                    Never write these tags
                  </label>
                  <input id={`${ids}-blacklist`} className="input" value={blacklist} placeholder="simple background, watermark" onChange={(e) => setBlacklist(e.target.value)} data-testid="tagging-blacklist" />
                </div>
              </>
            ) : (
              <>
                <div className="dialog-field">
                  <label className="field-label" htmlFor={`${ids}-instruction`}>
                    Instruction for each image
                  </label>
                  <textarea id={`${ids}-instruction`} className="textarea" rows={5} value={instruction} onChange={(e) => setInstruction(e.target.value)} data-testid="tagging-instruction" />
                  <p className="field-hint muted small">
                    <code>[trigger]</code> becomes the trigger word{trigger ? (
                      <>
                        {' '}
                        (<code>{trigger}</code>)
                      </>
                    ) : (
                      ' (this dataset has none: “the main subject” is used)'
                    )}
                    . Each image is sent to Anthropic, downscaled to {defaults?.claude.longSide ?? 768} px.
                  </p>
                </div>
                <div className="dialog-field">
                  <label className="field-label" htmlFor={`${ids}-model`}>
                    Model
                  </label>
                  <input id={`${ids}-model`} className="input input-sm mono" value={model} list={`${ids}-models`} onChange={(e) => setModel(e.target.value)} data-testid="tagging-model" />
                  <datalist id={`${ids}-models`}>
                    {(defaults?.pricedModels ?? []).map((m) => (
                      <option key={m} value={m} />
                    ))}
                  </datalist>
                </div>
                <div className="callout" data-testid="tagging-estimate" aria-live="polite">
                  {estimate ? (
                    <p>
                      {estimate.images} image{estimate.images === 1 ? '' : 's'} to caption{estimate.skipped ? ` (${estimate.skipped} skipped)` : ''}:{' '}
                      {(estimate.imageTokens + estimate.textTokens).toLocaleString()} input tokens, up to {estimate.outputTokens.toLocaleString()} output tokens —{' '}
                      <strong>{usd(estimate.usd)}</strong> at most.
                    </p>
                  ) : (
                    <p className="muted">{estimateError ?? 'Estimating the cost…'}</p>
                  )}
                  {needsConfirm ? (
                    <label style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
                      <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="tagging-confirm-cost" /> I accept this cost
                    </label>
                  ) : null}
                </div>
              </>
            )}
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
            {runs.length > 0 ? (
              <div className="dialog-field" data-testid="tagging-runs">
                <div className="field-label">Earlier runs</div>
                <ul style={{ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: 4 }}>
                  {runs.map((r) => (
                    <li key={r.jobId} className="small" style={{ display: 'flex', gap: 8, alignItems: 'center' }} data-testid="tagging-run-item" data-job={r.jobId}>
                      <span className="muted">{new Date(r.startedAt).toLocaleString()}</span>
                      <span style={{ flex: 1 }}>
                        {r.source === 'claude' ? `Claude ${r.sourceDetail}` : 'tagger'} · {r.mode} · {r.counts.written} written{r.counts.undone ? `, ${r.counts.undone} undone` : ''}
                      </span>
                      <button type="button" className="btn btn-sm btn-ghost" onClick={() => void review(r.jobId)} data-testid="tagging-run-review">
                        Review
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
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

        {phase === 'review' ? (
          <div className="dialog-field" data-testid="tagging-review">
            {job ? (
              <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
                <StateBadge state={job.state} />
                {job.error ? <span className="small">{job.error.message}</span> : null}
              </div>
            ) : null}
            {results ? (
              <>
                <p data-testid="tagging-summary">
                  {results.counts.written} written, {results.counts.unchanged} unchanged, {results.counts.skipped} skipped, {results.counts.failed} failed
                  {results.counts.undone ? `, ${results.counts.undone} undone` : ''}
                  {results.counts.pending ? `, ${results.counts.pending} not done` : ''}
                  {results.usage && results.usage.usd !== null ? ` · cost ${usd(results.usage.usd)}` : ''}
                </p>
                {conflicts.length > 0 ? (
                  <div className="callout is-warning" data-testid="tagging-conflicts">
                    <p>
                      {conflicts.length} caption{conflicts.length === 1 ? ' was' : 's were'} edited after the run and left as {conflicts.length === 1 ? 'it is' : 'they are'}.
                    </p>
                    <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void Promise.all(conflicts.map((c) => undo(c.file, true)))}>
                      Undo anyway
                    </button>
                  </div>
                ) : null}
                <ul style={{ listStyle: 'none', margin: 0, padding: 0, maxHeight: 360, overflow: 'auto', display: 'flex', flexDirection: 'column', gap: 8 }} data-testid="tagging-items">
                  {results.items
                    .filter((i) => i.status !== 'skipped')
                    .map((item) => (
                      <li key={item.file} data-testid="tagging-item" data-file={item.file} data-status={item.status} style={{ borderTop: '1px solid var(--border)', paddingTop: 8 }}>
                        <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
                          <code className="small" style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis' }} title={item.file}>
                            {item.file}
                          </code>
                          <span className="tag">{STATUS_LABEL[item.status]}</span>
                          {item.status === 'written' ? (
                            <button type="button" className="btn btn-sm btn-ghost" disabled={busy} onClick={() => void undo(item.file)} data-testid="tagging-undo-one">
                              Undo
                            </button>
                          ) : null}
                        </div>
                        {item.error ? <p className="small" style={{ color: 'var(--danger)' }}>{item.error}</p> : null}
                        {item.status === 'written' || item.status === 'undone' || item.status === 'unchanged' ? (
                          <div className="small" style={{ display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '2px 8px' }}>
                            <span className="muted">Before</span>
                            <span data-testid="tagging-before">{item.before === null || item.before.trim() === '' ? <em className="muted">(none)</em> : item.before}</span>
                            <span className="muted">After</span>
                            <span data-testid="tagging-after">{item.after ?? item.generated ?? ''}</span>
                          </div>
                        ) : null}
                      </li>
                    ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : null}

        {formError ? (
          <p className="field-error" role="alert" data-testid="tagging-error">
            {formError}
          </p>
        ) : null}

        <div className="dialog-actions">
          {phase === 'setup' ? (
            <>
              {invalid ? <span className="muted small">{invalid}</span> : null}
              <span className="spacer" />
              <button type="button" className="btn btn-ghost" onClick={close}>
                Cancel
              </button>
              <button type="button" className="btn btn-primary" disabled={!canRun} onClick={() => void start()} data-testid="tagging-run">
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
