// Generate page: the runtime toggle (Remote pod / Local GPU) with the pod picker and its
// status dot, and the running/finished generation (progress, step, ETA, cancel, the image).
import { useEffect, useState, type ReactElement } from 'react';
import type { GalleryImage, GenerationResult, Job } from '@shared/contract';
import { ProgressBar, Segmented, StateBadge } from '../../components/Controls';
import { useJobs } from '../../stores/jobs';
import { statusText, usePods, wirePodEvents } from '../../stores/pods';
import { hrefFor } from '../../stores/router';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { StatusDot } from '../../components/StatusDot';
import { JobCost } from '../../components/JobCost';

const autoConnected = new Set<string>();

export interface RuntimeTarget {
  ready: boolean;
  runtime: 'remote' | 'local';
  podId: string | null;
  reason: string | null;
}

/** What Generate would run on now (or why it cannot). */
export function useRuntimeTarget(defaultRuntime: 'remote' | 'local'): RuntimeTarget {
  const { pods, runtimes, runtime: chosen, podId, loaded } = usePods();
  useEffect(() => {
    wirePodEvents();
    void usePods.getState().load();
  }, []);
  const localOk = runtimes.some((r) => r.id === 'local' && r.available);
  const runtime = chosen ?? (defaultRuntime === 'local' && localOk ? 'local' : 'remote');
  if (!loaded) return { ready: false, runtime, podId: null, reason: 'Loading runtimes…' };
  if (runtime === 'local') return localOk ? { ready: true, runtime, podId: null, reason: null } : { ready: false, runtime, podId: null, reason: 'The local GPU runtime is not available here.' };
  const pod = pods.find((p) => p.id === podId) ?? null;
  if (!pod) return { ready: false, runtime, podId: null, reason: pods.length === 0 ? 'Add a pod in Settings → Pods first.' : 'Choose a pod.' };
  if (!pod.hostKey) return { ready: false, runtime, podId: pod.id, reason: `Trust ${pod.name}’s host key in Settings → Pods first.` };
  return { ready: true, runtime, podId: pod.id, reason: null };
}

export function RuntimePicker(props: { target: RuntimeTarget }): ReactElement {
  const { pods, runtimes, choose } = usePods();
  const status = usePods((s) => (props.target.podId ? s.status[props.target.podId] : undefined));
  const localOk = runtimes.some((r) => r.id === 'local' && r.available);
  // Connect to the chosen (trusted) pod once, so the dot and the GPU line mean something.
  const podId = props.target.podId;
  const trusted = pods.find((p) => p.id === podId)?.hostKey != null;
  const idle = !status || status.state === 'disconnected';
  useEffect(() => {
    if (podId && trusted && idle && !autoConnected.has(podId)) {
      autoConnected.add(podId);
      studio.pods.connect({ id: podId }).catch(() => undefined);
    }
  }, [podId, trusted, idle]);
  return (
    <div data-testid="runtime-picker" style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap', flex: '1 1 100%', minWidth: 0 }}>
      <Segmented
        label="Runtime"
        value={props.target.runtime}
        options={[
          { value: 'remote', label: 'Remote' },
          { value: 'local', label: localOk ? 'Local' : 'Local (not available)' },
        ]}
        onChange={(v) => choose(v)}
        testId="runtime-toggle"
      />
      {props.target.runtime === 'remote' ? (
        pods.length > 0 ? (
          <>
            <select className="input" style={{ width: 180 }} aria-label="Pod" value={props.target.podId ?? ''} onChange={(e) => choose('remote', e.target.value)} data-testid="pod-picker">
              {pods.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            <StatusDot podId={props.target.podId} testId="generate-pod-dot" />
            <span className="muted small" data-testid="generate-pod-status" style={{ flex: '1 1 100%' }}>
              {props.target.reason ?? statusText(status)}
            </span>
          </>
        ) : (
          <a href={hrefFor('settings')}>Add a pod in Settings</a>
        )
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
    <div className="generation-view" data-testid="generation-view" data-state={job.state} style={{ display: 'flex', flexDirection: 'column', gap: 8, width: '100%' }}>
      {image ? (
        <img src={studio.mediaUrl(image.media.root, image.media.rel)} alt={image.params.prompt ?? 'generated image'} style={{ maxWidth: '100%', borderRadius: 8 }} data-testid="generation-image" />
      ) : null}
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
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
      {result ? (
        <p className="muted small" data-testid="generation-result">
          Seed {result.seed} · {result.width}×{result.height} · {result.generationSeconds.toFixed(1)} s on {result.pod ?? result.device ?? result.runtime}
          {result.recovered ? ' · fetched after the connection came back' : ''}
          <JobCost costUsd={job.costUsd} testId="generation-cost" /> · <code className="path">{result.path}</code>
        </p>
      ) : null}
    </div>
  );
}
