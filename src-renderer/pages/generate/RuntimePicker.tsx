// Generate page: where the image is made. The runtime toggle (Remote pod / Local) with the pod
// picker and its status dot, or the local model's chip, sits in the Generate bar under the
// prompt; the status line (the pod's GPU, the local model's hint) goes under the bar so the
// Generate button never moves between Local and Remote.
import { useEffect, type ReactElement } from 'react';
import { Segmented } from '../../components/Controls';
import { statusText, usePods, wirePodEvents } from '../../stores/pods';
import { studio } from '../../transport/client';
import { StatusDot } from '../../components/StatusDot';
import { LocalModelHint, LocalStatusChip } from './LocalStatusChip';

const autoConnected = new Set<string>();

/** What fixes a target that is not ready: the page shows it as a button next to Generate. */
export type RuntimeFix = 'add-pod' | 'add-local-model' | 'trust-pod' | 'choose-pod';

export interface RuntimeTarget {
  ready: boolean;
  runtime: 'remote' | 'local';
  podId: string | null;
  reason: string | null;
  fix: RuntimeFix | null;
}

/** What Generate would run on now (or why it cannot, and what fixes it). */
export function useRuntimeTarget(defaultRuntime: 'remote' | 'local'): RuntimeTarget {
  const { pods, runtimes, runtime: chosen, podId, loaded } = usePods();
  useEffect(() => {
    wirePodEvents();
    void usePods.getState().load();
  }, []);
  const localOk = runtimes.some((r) => r.id === 'local' && r.available);
  // The toggle's own choice, else the Settings default, unless only the other runtime is set up.
  const fallback = defaultRuntime === 'local' ? (localOk || pods.length === 0 ? 'local' : 'remote') : pods.length === 0 && localOk ? 'local' : 'remote';
  const runtime = chosen ?? fallback;
  if (!loaded) return { ready: false, runtime, podId: null, reason: 'Loading runtimes…', fix: null };
  if (runtime === 'local') {
    return localOk
      ? { ready: true, runtime, podId: null, reason: null, fix: null }
      : { ready: false, runtime, podId: null, reason: pods.length > 0 ? 'No local model yet: add one, or use a pod.' : 'No local model yet: add one, or add a pod.', fix: 'add-local-model' };
  }
  const pod = pods.find((p) => p.id === podId) ?? null;
  if (!pod) {
    return pods.length === 0
      ? { ready: false, runtime, podId: null, reason: localOk ? 'No pod yet: add one, or use this machine.' : 'No pod yet: add one, or add a local model.', fix: 'add-pod' }
      : { ready: false, runtime, podId: null, reason: 'Choose a pod.', fix: 'choose-pod' };
  }
  if (!pod.hostKey) return { ready: false, runtime, podId: pod.id, reason: `Trust ${pod.name}’s host key first (the Pods page shows its fingerprint).`, fix: 'trust-pod' };
  return { ready: true, runtime, podId: pod.id, reason: null, fix: null };
}

/** The toggle and, for Remote, the pod picker with its dot; for Local, the local model's chip. */
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
    <div className="runtime-picker" data-testid="runtime-picker">
      <Segmented
        label="Runs on"
        value={props.target.runtime}
        options={[
          // Short labels: what is missing is said next to the Generate button, with the way out.
          { value: 'remote', label: 'Remote pod', hint: pods.length > 0 ? 'A RunPod pod (or any SSH host) from the Pods page' : 'No pod yet: rent or add one on the Pods page' },
          { value: 'local', label: 'This machine', hint: localOk ? 'ONNX Runtime with the model from Settings → Models' : 'No local model yet: add one in Settings → Models' },
        ]}
        onChange={(v) => choose(v)}
        testId="runtime-toggle"
      />
      {props.target.runtime === 'remote' && pods.length > 0 ? (
        <span className="runtime-pod">
          <select className="input" aria-label="Pod" value={props.target.podId ?? ''} onChange={(e) => choose('remote', e.target.value)} data-testid="pod-picker">
            {props.target.podId ? null : <option value="">Choose a pod…</option>}
            {pods.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <StatusDot podId={props.target.podId} testId="generate-pod-dot" />
        </span>
      ) : null}
      {props.target.runtime === 'local' && localOk ? <LocalStatusChip /> : null}
    </div>
  );
}

/** Under the Generate bar: the chosen pod's connection and GPU, or what suits the local model. */
export function RuntimeStatus(props: { target: RuntimeTarget }): ReactElement | null {
  const status = usePods((s) => (props.target.podId ? s.status[props.target.podId] : undefined));
  if (!props.target.ready) return null;
  if (props.target.runtime === 'local') return <LocalModelHint />;
  return (
    <p className="muted small runtime-status" data-testid="generate-pod-status">
      {statusText(status)}
    </p>
  );
}
