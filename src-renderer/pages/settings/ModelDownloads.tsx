// Settings → Models → Download: the curated list (size, what it runs well on, the one that
// suits this machine), any Hugging Face repo id, and the running downloads with progress,
// ETA and cancel. Files go to the Hugging Face cache; the finished folder is checked and added
// in main (docs/local-runtime.md, "Downloading models").
import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import type { Job, LocalCatalog } from '@shared/contract';
import { DisabledReason } from '../../components/DisabledReason';
import { FieldRow, ProgressBar } from '../../components/Controls';
import { formatEta, useModelDownloads } from '../../hooks/use-model-downloads';
import { KIND_LABEL, formatBytes } from '../../lib/local-models';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';

const PROVIDER_LABEL: Record<string, string> = { cuda: 'CUDA', dml: 'DirectML', cpu: 'CPU' };

function DownloadRow(props: { job: Job; onCancel: () => void }): ReactElement {
  const p = props.job.progress;
  const eta = formatEta(p?.etaSeconds);
  return (
    <li className="model-row" data-testid="model-download-row">
      <div className="model-main">
        <strong>{props.job.title}</strong>
        <ProgressBar fraction={p?.fraction ?? null} label={props.job.title} testId="model-download-progress" />
        <div className="muted small" data-testid="model-download-status">
          {props.job.state === 'queued' ? 'waiting for the download before it' : (p?.message ?? 'starting…')}
          {eta ? ` · about ${eta} left` : ''}
        </div>
      </div>
      <div className="model-actions">
        <button type="button" className="btn btn-sm" onClick={props.onCancel} data-testid="model-download-cancel">
          Cancel
        </button>
      </div>
    </li>
  );
}

export function ModelDownloads(props: { onAdded: () => void }): ReactElement {
  const [catalog, setCatalog] = useState<LocalCatalog | null>(null);
  const [repo, setRepo] = useState('');
  const [subfolder, setSubfolder] = useState('');
  const [revision, setRevision] = useState('');
  const [error, setError] = useState<string | null>(null);
  const downloads = useModelDownloads((job) => {
    const r = job.result as { name?: string; kind?: string | null } | null;
    notify(`Downloaded ${r?.name ?? job.title}${r?.kind ? ` (${KIND_LABEL[r.kind] ?? r.kind})` : ''}; it is in your models.`, 'success');
    props.onAdded();
  });

  useEffect(() => {
    studio.local.catalog().then(setCatalog, reportError);
  }, []);

  async function start(req: { repo: string; subfolder?: string | null; revision?: string | null }): Promise<void> {
    setError(null);
    try {
      await downloads.start(req);
    } catch (err) {
      if (err instanceof StudioCallError && err.field) setError(err.fieldMessage);
      else reportError(err);
    }
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (repo.trim()) void start({ repo: repo.trim(), subfolder: subfolder.trim() || null, revision: revision.trim() || null });
  };

  return (
    <div className="model-downloads" data-testid="model-downloads">
      <h3 className="subsection-title">Download</h3>
      <p className="muted small">
        From the Hugging Face Hub into its cache{catalog ? <> (<span className="mono">{catalog.cacheDir}</span>)</> : null}, shared with other tools. A stopped
        download resumes where it left off; gated models use the Hugging Face token from Secrets.
        {catalog ? <> This machine will most likely run models on <strong>{PROVIDER_LABEL[catalog.provider] ?? catalog.provider}</strong>.</> : null}
      </p>
      {downloads.active.length > 0 ? (
        <ul className="model-list" data-testid="model-downloads-active">
          {downloads.active.map((j) => (
            <DownloadRow key={j.id} job={j} onCancel={() => void downloads.cancel(j.id).catch(reportError)} />
          ))}
        </ul>
      ) : null}
      {downloads.failed.map((j) => (
        <p key={j.id} className="field-error" role="alert" data-testid="model-download-failed">
          {j.title}: {j.error?.message ?? 'failed'}
        </p>
      ))}
      {catalog ? (
        <ul className="model-list" data-testid="model-catalog">
          {catalog.entries.map((e) => (
            <li key={e.id} className="model-row" data-testid="model-catalog-row">
              <div className="model-main">
                <strong>{e.title}</strong>
                <span className="muted"> · {KIND_LABEL[e.kind] ?? e.kind}</span>
                <span className="muted"> · {formatBytes(e.sizeBytes)}</span>
                <span className="muted"> · runs well on {e.runsWellOn.map((p) => PROVIDER_LABEL[p] ?? p).join(', ')}</span>
                {catalog.recommended === e.id ? <span className="badge"> suits this machine</span> : null}
                <div className="mono muted small">
                  {e.repo}
                  {e.subfolder ? `/${e.subfolder}` : ''}@{e.revision}
                </div>
                {e.note ? <div className="muted small">{e.note}</div> : null}
              </div>
              <div className="model-actions">
                <button type="button" className="btn btn-sm" onClick={() => void start({ repo: e.repo, subfolder: e.subfolder, revision: e.revision })} data-testid="model-catalog-download">
                  Download
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      <FieldRow label="Any Hugging Face repo" htmlFor="model-download-repo" labelId="model-download-label" description="A repo with a diffusers-layout ONNX export (optimum-cli's); only the ONNX files, configs and tokenizers are fetched." stacked>
        <form className="input-group" onSubmit={onSubmit} noValidate>
          <input id="model-download-repo" className={error ? 'input mono has-error' : 'input mono'} type="text" spellCheck={false} placeholder="org/name" value={repo} onChange={(e) => { setRepo(e.target.value); setError(null); }} data-testid="model-download-repo" />
          <input className="input mono" type="text" spellCheck={false} placeholder="subfolder (optional)" aria-label="Subfolder" value={subfolder} onChange={(e) => setSubfolder(e.target.value)} data-testid="model-download-subfolder" />
          <input className="input mono" type="text" spellCheck={false} placeholder="revision (main)" aria-label="Revision" value={revision} onChange={(e) => setRevision(e.target.value)} data-testid="model-download-revision" />
          <button type="submit" className="btn btn-primary" disabled={!repo.trim()} aria-describedby={repo.trim() ? undefined : 'model-download-why'} data-testid="model-download-start">
            Download
          </button>
        </form>
        <DisabledReason id="model-download-why" testId="model-download-why" reason={repo.trim() ? null : 'Type a Hugging Face repo (org/name) to download it, or pick one above.'} />
        {error ? (
          <p className="field-error" role="alert" data-testid="model-download-error">
            {error}
          </p>
        ) : null}
      </FieldRow>
    </div>
  );
}
