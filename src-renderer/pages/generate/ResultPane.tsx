// The Generate page's result pane: before a run, the frame the image will fill (its aspect and
// size); during and after, the generation this page started (progress, step, ETA, cancel, then
// the image and what made it). It is the page's right column, sticky, so the finished image is
// where the user looks; in one column (narrow windows) it comes first, and it scrolls itself
// into view when a run starts or ends (docs/architecture.md, "Generate page").
// One component per part, so a line (e.g. the run's cost) slots in without touching the page.
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { GalleryImage, GenerationResult, Job } from '@shared/contract';
import { GalleryIcon } from '../../components/Icons';
import { ProgressBar, StateBadge } from '../../components/Controls';
import { useJobs } from '../../stores/jobs';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';

/** Brings the pane into view unless it is already fully visible. */
function reveal(el: HTMLElement | null): void {
  if (!el) return;
  const r = el.getBoundingClientRect();
  const fits = r.top >= 0 && r.bottom <= window.innerHeight;
  if (!fits) el.scrollIntoView({ block: r.height > window.innerHeight ? 'start' : 'nearest' });
}

export function ResultPane(props: { jobId: string | null; size: { width: number; height: number } | null; outputDir: string | null }): ReactElement {
  const ref = useRef<HTMLElement | null>(null);
  const state = useJobs((s) => (props.jobId ? s.jobs.find((j) => j.id === props.jobId)?.state : undefined));
  const finished = state === 'succeeded' || state === 'failed' || state === 'cancelled';
  // When a run starts and when it ends: where the user looks next.
  useEffect(() => {
    if (props.jobId) reveal(ref.current);
  }, [props.jobId, finished]);
  return (
    <section ref={ref} className={props.jobId ? 'card generate-preview has-run' : 'card generate-preview'} aria-label="Result" data-testid="result-pane">
      {props.jobId ? <GenerationView jobId={props.jobId} /> : <PreviewFrame size={props.size} outputDir={props.outputDir} />}
    </section>
  );
}

/** Before the first run: the frame at the aspect that will be generated. */
function PreviewFrame(props: { size: { width: number; height: number } | null; outputDir: string | null }): ReactElement {
  const { size } = props;
  return (
    <div className="preview-frame">
      <div className={size && size.height > size.width ? 'aspect-box is-tall' : 'aspect-box'} style={size ? { aspectRatio: `${size.width} / ${size.height}` } : undefined} data-testid="preview-aspect">
        <GalleryIcon size={28} />
        <p>Your image will appear here</p>
        {size ? (
          <p className="muted small" data-testid="preview-size">
            {size.width} × {size.height} px
          </p>
        ) : null}
      </div>
      {props.outputDir ? (
        <p className="muted small preview-path">
          Saved to <code className="path">{props.outputDir}</code>
        </p>
      ) : null}
    </div>
  );
}

/** The generation this page started: progress with step and ETA, cancel, then the image. */
export function GenerationView(props: { jobId: string | null }): ReactElement | null {
  const job = useJobs((s) => (props.jobId ? s.jobs.find((j) => j.id === props.jobId) : undefined)) as Job | undefined;
  const [loaded, setLoaded] = useState<GalleryImage | null>(null);
  const result = job?.state === 'succeeded' ? (job.result as GenerationResult) : null;
  const imageId = result?.imageId ?? null;
  useEffect(() => {
    if (!imageId) return;
    let live = true;
    studio.gallery.get({ id: imageId }).then((img) => {
      if (live) setLoaded(img);
    }, reportError);
    return () => {
      live = false;
    };
  }, [imageId]);
  const image = loaded && loaded.id === imageId ? loaded : null;
  if (!job) return null;
  const p = job.progress;
  return (
    <div className="generation-view" data-testid="generation-view" data-state={job.state}>
      {image ? <img className="generation-image" src={studio.mediaUrl(image.media.root, image.media.rel)} alt={image.params.prompt ?? 'generated image'} data-testid="generation-image" /> : null}
      <div className="generation-status">
        <StateBadge state={job.state} testId="generation-state" />
        <span className="muted small" data-testid="generation-message">
          {job.error?.message ?? (job.state === 'succeeded' ? '' : (p?.message ?? ''))}
        </span>
        <span className="spacer" />
        {job.state === 'queued' || job.state === 'running' ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void useJobs.getState().cancel(job.id)} data-testid="generation-cancel">
            Cancel
          </button>
        ) : null}
      </div>
      {job.state === 'running' || job.state === 'queued' ? (
        <ProgressBar fraction={p?.fraction ?? null} label={p?.total ? `Step ${p.step} of ${p.total}` : 'Generating'} testId="generation-progress" />
      ) : null}
      {result ? <ResultFacts result={result} /> : null}
    </div>
  );
}

/** What made the image: seed, size, time, where it ran, where it was saved. */
function ResultFacts(props: { result: GenerationResult }): ReactElement {
  const { result } = props;
  return (
    <p className="muted small" data-testid="generation-result">
      Seed {result.seed} · {result.width}×{result.height} · {result.generationSeconds.toFixed(1)} s on {result.pod ?? result.device ?? result.runtime}
      {result.recovered ? ' · fetched after the connection came back' : ''} · <code className="path">{result.path}</code>
    </p>
  );
}
