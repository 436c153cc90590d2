// Settings → Pods: add or edit a pod by pasting its SSH command, check and trust its host key
// (fingerprint dialog), connect (GPU and VRAM), prepare it with a streamed log, remove it.
import { useEffect, useRef, useState, type FormEvent, type ReactElement } from 'react';
import type { HostKeyScan, Job, LogLine, PodDraft, PodProfile } from '@shared/contract';
import { ProgressBar, Section } from '../../components/Controls';
import { useJobs } from '../../stores/jobs';
import { StatusDot } from '../../components/StatusDot';
import { statusText, usePods, wirePodEvents } from '../../stores/pods';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';

interface EditorValues {
  name: string;
  host: string;
  port: string;
  user: string;
  keyPath: string;
  workspace: string;
  python: string;
  pipeline: 'diffusers' | 'standin';
}

const EMPTY: EditorValues = { name: '', host: '', port: '22', user: 'root', keyPath: '', workspace: '/workspace', python: '', pipeline: 'diffusers' };

function PodEditor(props: { pod: PodProfile | null; onDone(): void }): ReactElement {
  const p = props.pod;
  const [v, setV] = useState<EditorValues>(
    p ? { name: p.name, host: p.host, port: String(p.port), user: p.user, keyPath: p.keyPath ?? '', workspace: p.workspace, python: p.python ?? '', pipeline: p.pipeline } : EMPTY,
  );
  const [paste, setPaste] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [warnings, setWarnings] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof EditorValues) => (e: { target: { value: string } }) => setV((cur) => ({ ...cur, [k]: e.target.value }));

  const fill = async () => {
    setError(null);
    try {
      const parsed = await studio.pods.parseCommand({ command: paste });
      setV((cur) => ({ ...cur, host: parsed.host, port: String(parsed.port), user: parsed.user, keyPath: parsed.keyPath ?? cur.keyPath }));
      setWarnings(parsed.warnings);
    } catch (err) {
      setError(err instanceof StudioCallError ? err.fieldMessage : String(err));
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const draft: PodDraft & { id?: string } = {
      ...(p ? { id: p.id } : {}),
      name: v.name,
      host: v.host,
      port: Number(v.port),
      user: v.user,
      keyPath: v.keyPath.trim() === '' ? null : v.keyPath.trim(),
      workspace: v.workspace,
      python: v.python.trim() === '' ? null : v.python.trim(),
      pipeline: v.pipeline,
    };
    try {
      const saved = await studio.pods.save(draft);
      // The passphrase goes to main's secret store only; it never comes back.
      if (passphrase !== '') await studio.pods.setPassphrase({ id: saved.id, passphrase });
      await usePods.getState().load();
      notify(`Saved pod ${v.name}`, 'success');
      props.onDone();
    } catch (err) {
      setError(err instanceof StudioCallError ? `${err.field ? `${err.field}: ` : ''}${err.fieldMessage}` : String(err));
    }
  };

  const field = (k: keyof EditorValues, label: string, extra: { placeholder?: string; mono?: boolean } = {}) => (
    <label className="dialog-field">
      <span className="field-label">{label}</span>
      <input className={extra.mono ? 'input mono' : 'input'} value={v[k]} onChange={set(k)} placeholder={extra.placeholder} data-testid={`pod-${k}`} />
    </label>
  );

  return (
    <form className="card" style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 12 }} onSubmit={(e) => void save(e)} data-testid="pod-editor">
      <label className="dialog-field">
        <span className="field-label">Paste the pod’s SSH command</span>
        <span className="field-description">RunPod → Connect → “SSH over exposed TCP”, e.g. ssh root@1.2.3.4 -p 12345 -i ~/.ssh/id_ed25519. IP and port change on every restart: paste the new one here.</span>
        <div className="input-group">
          <input className="input mono" value={paste} onChange={(e) => setPaste(e.target.value)} placeholder="ssh root@… -p … -i …" data-testid="pod-paste" />
          <button type="button" className="btn btn-sm" onClick={() => void fill()} disabled={paste.trim() === ''} data-testid="pod-paste-fill">
            Fill in
          </button>
        </div>
      </label>
      {warnings.map((w) => (
        <p key={w} className="callout is-warning" role="status">
          {w}
        </p>
      ))}
      {field('name', 'Name', { placeholder: 'my-4090' })}
      <div style={{ display: 'grid', gridTemplateColumns: '2fr 1fr 1fr', gap: 8 }}>
        {field('host', 'Host', { mono: true })}
        {field('port', 'Port', { mono: true })}
        {field('user', 'User', { mono: true })}
      </div>
      {field('keyPath', 'Private key file (empty: SSH agent)', { mono: true, placeholder: '/home/me/.ssh/id_ed25519' })}
      <label className="dialog-field">
        <span className="field-label">Key passphrase{p?.hasPassphrase ? ' (stored; type a new one to replace it)' : ' (only if the key has one)'}</span>
        <input className="input" type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} data-testid="pod-passphrase" />
      </label>
      <details>
        <summary>Advanced</summary>
        <div style={{ display: 'flex', flexDirection: 'column', gap: 8, marginTop: 8 }}>
          {field('workspace', 'Workspace on the pod', { mono: true })}
          {field('python', 'Python of the pod venv (empty: <workspace>/.venv/bin/python)', { mono: true })}
          <label className="dialog-field">
            <span className="field-label">Worker pipeline</span>
            <select className="input" value={v.pipeline} onChange={(e) => setV((cur) => ({ ...cur, pipeline: e.target.value === 'standin' ? 'standin' : 'diffusers' }))} data-testid="pod-pipeline">
              <option value="diffusers">diffusers (FLUX)</option>
              <option value="standin">stand-in (tests)</option>
            </select>
          </label>
        </div>
      </details>
      {error ? (
        <p className="callout is-danger" role="alert" data-testid="pod-editor-error">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="submit" className="btn btn-primary btn-sm" data-testid="pod-save">
          Save pod
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Shows the fingerprint the pod presents; trusting pins exactly that one. */
function FingerprintDialog(props: { pod: PodProfile; scan: HostKeyScan; onClose(): void }): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const changed = props.scan.verdict === 'changed';
  const trust = async () => {
    try {
      await studio.pods.trust({ id: props.pod.id, fingerprint: props.scan.fingerprint });
      await usePods.getState().load();
      notify(`Trusted the host key of ${props.pod.name}`, 'success');
      props.onClose();
    } catch (err) {
      reportError(err);
    }
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="fp-title" onCancel={(e) => (e.preventDefault(), props.onClose())} data-testid="fingerprint-dialog">
      <div className="dialog-body">
        <div className="dialog-title" id="fp-title">
          {changed ? `The host key of ${props.pod.name} CHANGED` : props.scan.verdict === 'match' ? `${props.pod.name} is trusted` : `Trust ${props.pod.name}?`}
        </div>
        {changed ? (
          <p className="callout is-danger" role="alert">
            The pod presents a different key than the one pinned ({props.scan.pinned}). RunPod makes new host keys when a pod restarts; if you did not restart or re-create it, someone may be intercepting the connection.
          </p>
        ) : null}
        <p>
          {props.scan.keyType} host key fingerprint (as <code>ssh-keygen -lf</code> prints it):
        </p>
        <code className="path" data-testid="fingerprint-value">
          {props.scan.fingerprint}
        </code>
        <div className="dialog-actions">
          {props.scan.verdict !== 'match' ? (
            <button type="button" className={changed ? 'btn btn-danger' : 'btn btn-primary'} onClick={() => void trust()} data-testid="fingerprint-trust">
              {changed ? 'Trust the new key' : 'Trust this key'}
            </button>
          ) : null}
          <span className="spacer" />
          <button type="button" className="btn btn-ghost" onClick={props.onClose}>
            Close
          </button>
        </div>
      </div>
    </dialog>
  );
}

function PrepareLog(props: { job: Job }): ReactElement {
  const live = useJobs((s) => s.jobs.find((j) => j.id === props.job.id)) ?? props.job;
  const [lines, setLines] = useState<string[]>([]);
  useEffect(() => {
    const tag = `${props.job.kind}:${props.job.id.slice(0, 8)}`;
    return studio.on('log.line', (l: LogLine) => {
      if (l.scope.includes(tag)) setLines((cur) => [...cur.slice(-200), `${l.level === 'info' ? '' : `${l.level}: `}${l.message}`]);
    });
  }, [props.job]);
  const msg = live.progress?.message;
  return (
    <div data-testid="prepare-log" style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
      <ProgressBar fraction={live.state === 'succeeded' ? 1 : (live.progress?.fraction ?? null)} label="Preparing the pod" tone={live.state === 'failed' ? 'danger' : live.state === 'succeeded' ? 'success' : 'accent'} />
      <p className="muted small" data-testid="prepare-state">
        {live.state}
        {msg ? ` · ${msg}` : ''}
        {live.error ? ` · ${live.error.message}` : ''}
      </p>
      {lines.length > 0 ? <pre style={{ maxHeight: 200, overflow: 'auto', fontSize: 12, margin: 0 }}>{lines.join('\n')}</pre> : null}
    </div>
  );
}

function PodRow(props: { pod: PodProfile; onEdit(): void }): ReactElement {
  const pod = props.pod;
  const status = usePods((s) => s.status[pod.id]);
  const [scan, setScan] = useState<HostKeyScan | null>(null);
  const [prepare, setPrepare] = useState<Job | null>(null);
  const [model, setModel] = useState<'flux-dev' | 'flux-schnell' | 'none'>('flux-dev');
  const run = (fn: () => Promise<unknown>) => () => void fn().catch(reportError);
  return (
    <div className="card" style={{ padding: 12, display: 'flex', flexDirection: 'column', gap: 8 }} data-testid="pod-row" data-pod={pod.name}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
        <StatusDot podId={pod.id} testId="pod-status-dot" />
        <strong>{pod.name}</strong>
        <code className="muted small">
          {pod.user}@{pod.host}:{pod.port}
        </code>
        <span className="muted small" data-testid="pod-status-text">
          {pod.hostKey ? statusText(status) : 'host key not trusted yet'}
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-sm" onClick={run(async () => setScan(await studio.pods.scanHostKey({ id: pod.id })))} data-testid="pod-check-key">
          {pod.hostKey ? 'Host key' : 'Check host key'}
        </button>
        <button type="button" className="btn btn-sm" disabled={!pod.hostKey} onClick={run(() => studio.pods.connect({ id: pod.id }))} data-testid="pod-connect">
          Connect
        </button>
        <button type="button" className="btn btn-sm" onClick={props.onEdit} data-testid="pod-edit">
          Edit
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={run(async () => {
            if (!window.confirm(`Remove the pod ${pod.name}? Its images stay on disk.`)) return;
            await studio.pods.remove({ id: pod.id });
            await usePods.getState().load();
          })}
        >
          Remove
        </button>
      </div>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <select className="input" style={{ width: 180 }} value={model} onChange={(e) => setModel(e.target.value as typeof model)} aria-label="Model to download">
          <option value="flux-dev">FLUX.1-dev</option>
          <option value="flux-schnell">FLUX.1-schnell</option>
          <option value="none">no model</option>
        </select>
        <button type="button" className="btn btn-sm" disabled={!pod.hostKey} onClick={run(async () => setPrepare(await studio.pods.prepare({ id: pod.id, model })))} data-testid="pod-prepare">
          Prepare pod
        </button>
        <span className="muted small">Uploads the worker, creates the venv, installs pinned packages and downloads the model (once).</span>
      </div>
      {prepare ? <PrepareLog job={prepare} /> : null}
      {scan ? <FingerprintDialog pod={pod} scan={scan} onClose={() => setScan(null)} /> : null}
    </div>
  );
}

export function PodsSection(): ReactElement {
  const pods = usePods((s) => s.pods);
  const [editing, setEditing] = useState<PodProfile | 'new' | null>(null);
  useEffect(() => {
    wirePodEvents();
    void usePods.getState().load();
  }, []);
  return (
    <Section title="Pods" description="Remote GPUs reached over SSH (RunPod or any Linux box with an NVIDIA GPU)." testId="settings-pods">
      <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
        {pods.map((p) => (editing !== 'new' && editing?.id === p.id ? <PodEditor key={p.id} pod={p} onDone={() => setEditing(null)} /> : <PodRow key={p.id} pod={p} onEdit={() => setEditing(p)} />))}
        {editing === 'new' ? (
          <PodEditor pod={null} onDone={() => setEditing(null)} />
        ) : (
          <div>
            <button type="button" className="btn btn-sm" onClick={() => setEditing('new')} data-testid="pod-add">
              Add pod
            </button>
          </div>
        )}
      </div>
    </Section>
  );
}
