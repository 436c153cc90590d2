// The form shown after a drop: into a new or an existing dataset, copy or use in place,
// training resolutions; then the import job's progress until it finishes.
import { useEffect, useState, type ReactElement } from 'react';
import type { Dataset } from '@shared/contract/datasets';
import { DEFAULT_RESOLUTIONS } from '@shared/contract/datasets';
import { ProgressBar } from '../../components/Controls';
import { useJobs } from '../../stores/jobs';
import { reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { uploadFiles, type Dropped } from './upload';

function cleanName(s: string): string {
  return s.replace(/[^\p{L}\p{N}_\-.()'+ ]+/gu, ' ').replace(/\s+/g, ' ').trim().replace(/^[. ]+|[. ]+$/g, '').slice(0, 64) || 'dataset';
}

export function ImportForm(props: {
  dropped: Dropped;
  datasets: readonly Dataset[];
  defaultTarget: string | null;
  onCancel(): void;
  onStarted(name: string): void;
  onFinished(name: string): void;
}): ReactElement {
  const { dropped } = props;
  const [mode, setMode] = useState<'new' | 'existing'>(props.datasets.length > 0 && props.defaultTarget ? 'existing' : 'new');
  const [name, setName] = useState(cleanName(dropped.suggestedName));
  const [existing, setExisting] = useState(props.defaultTarget ?? props.datasets[0]?.name ?? '');
  const [inPlace, setInPlace] = useState(false);
  const [resolutions, setResolutions] = useState(DEFAULT_RESOLUTIONS.join(', '));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [uploaded, setUploaded] = useState<number | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJobs((s) => (jobId ? s.jobs.find((j) => j.id === jobId) : undefined));
  const canInPlace = dropped.paths !== null && dropped.paths.length === 1 && mode === 'new';
  const count = dropped.paths ? dropped.paths.length : dropped.files.length;
  const target = mode === 'new' ? name.trim() : existing;

  useEffect(() => {
    if (!job) return;
    if (job.state === 'succeeded') props.onFinished(target);
    else if (job.state === 'failed' || job.state === 'cancelled' || job.state === 'interrupted') setError(job.error?.message ?? `import ${job.state}`);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- react to the job's state only
  }, [job?.state]);

  const start = async () => {
    setError(null);
    const res = resolutions.split(/[ ,]+/).filter((x) => x !== '').map(Number);
    try {
      let uploadId: string | undefined;
      if (!dropped.paths) {
        setBusy('Uploading…');
        uploadId = await uploadFiles(dropped.files, (sent, total) => setUploaded(total > 0 ? sent / total : 1));
      }
      setBusy('Importing…');
      const j = await studio.datasets.import({
        name: target,
        ...(uploadId ? { uploadId } : { sources: dropped.paths ?? [] }),
        ...(canInPlace && inPlace ? { inPlace: true } : {}),
        ...(mode === 'new' ? { resolutions: res } : {}),
      });
      useJobs.getState().merge(j);
      setJobId(j.id);
      props.onStarted(target);
    } catch (err) {
      setBusy(null);
      if (err instanceof StudioCallError) setError(err.fieldMessage);
      else reportError(err);
    }
  };

  const running = job && (job.state === 'queued' || job.state === 'running');
  return (
    <section className="card ds-import" aria-label="Import" data-testid="ds-import-form">
      <h2 className="ds-h2">
        Import {count} {dropped.paths ? (count === 1 ? 'item' : 'items') : count === 1 ? 'file' : 'files'}
      </h2>
      <p className="muted ds-import-list">{(dropped.paths ?? dropped.files.map((f) => f.rel)).slice(0, 6).join(', ')}{count > 6 ? ', …' : ''}</p>
      <div className="ds-row">
        <label className="ds-radio">
          <input type="radio" name="ds-target" checked={mode === 'new'} onChange={() => setMode('new')} /> New dataset
        </label>
        <input className="input" aria-label="New dataset name" value={name} disabled={mode !== 'new'} onChange={(e) => setName(e.target.value)} data-testid="ds-import-name" />
      </div>
      {props.datasets.length > 0 ? (
        <div className="ds-row">
          <label className="ds-radio">
            <input type="radio" name="ds-target" checked={mode === 'existing'} onChange={() => setMode('existing')} /> Add to
          </label>
          <select className="select" aria-label="Existing dataset" value={existing} disabled={mode !== 'existing'} onChange={(e) => setExisting(e.target.value)}>
            {props.datasets.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {mode === 'new' ? (
        <div className="ds-row">
          <label htmlFor="ds-res">Training resolutions</label>
          <input id="ds-res" className="input input-sm" value={resolutions} onChange={(e) => setResolutions(e.target.value)} />
          <span className="muted">multiples of 64; used for size warnings and the bucket preview</span>
        </div>
      ) : null}
      {canInPlace ? (
        <label className="ds-row">
          <input type="checkbox" checked={inPlace} onChange={(e) => setInPlace(e.target.checked)} /> Use the folder where it is (don’t copy; conversions are written beside the originals)
        </label>
      ) : null}
      {error ? (
        <p className="field-error" role="alert" data-testid="ds-import-error">
          {error}
        </p>
      ) : null}
      {busy && !error ? (
        <ProgressBar
          fraction={busy === 'Uploading…' ? uploaded : (job?.progress?.fraction ?? (job?.progress?.total ? job.progress.step / job.progress.total : null))}
          label={busy === 'Uploading…' ? 'Uploading…' : (job?.progress?.message ?? 'Importing…')}
          testId="ds-import-progress"
        />
      ) : null}
      <div className="ds-row ds-actions">
        <button type="button" className="btn btn-primary" disabled={Boolean(busy) && !error} onClick={() => void start()} data-testid="ds-import-start">
          Import
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => (running && jobId ? void studio.jobs.cancel({ id: jobId }).then(props.onCancel, reportError) : props.onCancel())}>
          {running ? 'Cancel import' : 'Close'}
        </button>
      </div>
    </section>
  );
}
