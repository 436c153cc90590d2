// The Generate page's offer to a new user with no pod and no local model: download the
// smallest curated model that runs well on this machine's provider, with its size and that
// provider; when it is in, the local runtime becomes the default and Generate works
// (docs/local-runtime.md, "Downloading models").
import { useEffect, useState, type ReactElement } from 'react';
import type { LocalCatalog } from '@shared/contract';
import { ProgressBar } from '../../components/Controls';
import { formatEta, useModelDownloads } from '../../hooks/use-model-downloads';
import { formatBytes } from '../../lib/local-models';
import { usePods } from '../../stores/pods';
import { useSettings } from '../../stores/settings';
import { notify, reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';

const PROVIDER_LABEL: Record<string, string> = { cuda: 'your NVIDIA GPU (CUDA)', dml: 'your GPU (DirectML)', cpu: 'the CPU' };

export function FirstModelOffer(): ReactElement | null {
  const [catalog, setCatalog] = useState<LocalCatalog | null>(null);
  const update = useSettings((s) => s.update);
  const downloads = useModelDownloads((job) => {
    // The job checked the folder, added it and chose it: make local the runtime and go.
    void update({ defaultRuntime: 'local' })
      .then(() => usePods.getState().choose('local'))
      .then(() => usePods.getState().load())
      .catch(reportError);
    notify(`${job.title.replace(/^Download /, '')} is ready: Generate runs on this machine now.`, 'success');
  });
  useEffect(() => {
    studio.local.catalog().then(setCatalog, reportError);
  }, []);
  if (!catalog) return null;
  const rec = catalog.entries.find((e) => e.id === catalog.recommended) ?? null;
  if (!rec) {
    return (
      <p className="muted small" data-testid="first-model-none">
        No model on the curated list fits this machine&apos;s memory; a pod (the Pods page) is the way to generate here.
      </p>
    );
  }
  const running = downloads.active[0] ?? null;
  const failed = downloads.failed[0] ?? null;
  const eta = formatEta(running?.progress?.etaSeconds);
  return (
    <div className="first-model-offer" data-testid="first-model-offer">
      <p>
        Or make a first image on this machine: download <strong>{rec.title}</strong> ({formatBytes(rec.sizeBytes)}); it will run on{' '}
        <strong data-testid="first-model-provider">{PROVIDER_LABEL[catalog.provider] ?? catalog.provider}</strong>.
      </p>
      {running ? (
        <div data-testid="first-model-progress">
          <ProgressBar fraction={running.progress?.fraction ?? null} label={`Downloading ${rec.title}`} />
          <span className="muted small">
            {running.progress?.message ?? 'starting…'}
            {eta ? ` · about ${eta} left` : ''}
          </span>{' '}
          <button type="button" className="btn btn-sm" onClick={() => void downloads.cancel(running.id).catch(reportError)} data-testid="first-model-cancel">
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="btn btn-primary" onClick={() => void downloads.start({ repo: rec.repo, subfolder: rec.subfolder, revision: rec.revision }).catch(reportError)} data-testid="first-model-download">
          Download {formatBytes(rec.sizeBytes)} and use it
        </button>
      )}
      {failed && !running ? (
        <p className="field-error" role="alert" data-testid="first-model-failed">
          {failed.error?.message ?? 'The download failed.'} (Downloading again resumes it.)
        </p>
      ) : null}
    </div>
  );
}
