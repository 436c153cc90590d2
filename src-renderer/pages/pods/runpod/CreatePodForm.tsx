// Create a RunPod pod (issue 15): GPU types from the catalog with price and availability, in an
// ordered list of candidates (the next is tried when one has no capacity), secure or community
// cloud, image (the settings' runpodImage by default), container disk, and a new volume, an
// existing network volume (a warm start: venv, models and ai-toolkit survive) or none.
// Creating is a job (runpod.create): the parent shows its progress inline; the tray shows it too.
import { useEffect, useId, useMemo, useState, type FormEvent, type ReactElement } from 'react';
import type { CloudType, GpuOffer, Job, RunpodCreateRequest } from '@shared/contract';
import { DisabledReason } from '../../../components/DisabledReason';
import { Segmented } from '../../../components/Controls';
import { perHour } from '../../../lib/runpod-format';
import { useRunpod } from '../../../stores/runpod';
import { useSettings } from '../../../stores/settings';
import { StudioCallError, studio } from '../../../transport/client';

type StorageKind = 'volume' | 'network' | 'none';
type FieldName = 'name' | 'gpuTypeIds' | 'cloud' | 'image' | 'containerDiskGb' | 'storage';

function price(g: GpuOffer, cloud: CloudType): number | null {
  return cloud === 'SECURE' ? g.securePrice : g.communityPrice;
}
function stock(g: GpuOffer, cloud: CloudType): string | null {
  return cloud === 'SECURE' ? g.secureStock : g.communityStock;
}

/** "RTX 4090 · 24 GB · $0.69/h · stock High" — what the option shows. */
export function offerText(g: GpuOffer, cloud: CloudType): string {
  const p = price(g, cloud);
  const s = stock(g, cloud);
  return `${g.displayName} · ${g.memoryGb} GB · ${p === null ? 'not on this cloud' : perHour(p)} · ${s ? `stock ${s}` : 'none available now'}`;
}

export function CreatePodForm(props: { pending: boolean; onCreated(job: Job, name: string): void; onCancel(): void }): ReactElement {
  const gpus = useRunpod((s) => s.gpus);
  const volumes = useRunpod((s) => s.volumes);
  const defaultImage = useSettings((s) => s.settings?.runpodImage ?? '');
  const [name, setName] = useState('');
  const [cloud, setCloud] = useState<CloudType>('SECURE');
  const [candidates, setCandidates] = useState<string[]>([]);
  const [pick, setPick] = useState('');
  const [image, setImage] = useState<string | null>(null);
  const [disk, setDisk] = useState('50');
  const [storageKind, setStorageKind] = useState<StorageKind>('volume');
  const [volumeGb, setVolumeGb] = useState('50');
  const [networkId, setNetworkId] = useState('');
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { name: useId(), pick: useId(), image: useId(), disk: useId(), volume: useId(), network: useId(), reason: useId(), cloud: useId() };

  useEffect(() => {
    void useRunpod.getState().loadCatalog();
  }, []);

  const byId = useMemo(() => new Map((gpus ?? []).map((g) => [g.id, g])), [gpus]);
  const offered = useMemo(() => (gpus ?? []).filter((g) => price(g, cloud) !== null), [gpus, cloud]);
  useEffect(() => {
    // The picker offers what is not chosen yet, available first.
    const next = offered.find((g) => !candidates.includes(g.id) && stock(g, cloud)) ?? offered.find((g) => !candidates.includes(g.id));
    if (!pick || candidates.includes(pick) || !offered.some((g) => g.id === pick)) setPick(next?.id ?? '');
  }, [offered, candidates, pick, cloud]);
  useEffect(() => {
    if (storageKind === 'network' && !networkId && volumes?.[0]) setNetworkId(volumes[0].id);
  }, [storageKind, networkId, volumes]);

  const move = (i: number, by: -1 | 1) =>
    setCandidates((cur) => {
      const next = [...cur];
      const j = i + by;
      if (j < 0 || j >= next.length) return cur;
      [next[i], next[j]] = [next[j] as string, next[i] as string];
      return next;
    });

  const first = candidates[0] ? byId.get(candidates[0]) : undefined;
  const firstPrice = first ? price(first, cloud) : null;
  const reason = props.pending
    ? 'Creating the pod: its progress is shown above and in the jobs tray.'
    : name.trim() === '' ? 'Give the pod a name.' : candidates.length === 0 ? 'Add at least one GPU type to try.' : storageKind === 'network' && !networkId ? 'Pick a network volume, or choose another storage.' : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (reason) return;
    setBusy(true);
    setErrors({});
    setError(null);
    const req: RunpodCreateRequest = {
      name: name.trim(),
      gpuTypeIds: candidates,
      cloud,
      image: image === null || image.trim() === '' || image.trim() === defaultImage ? null : image.trim(),
      containerDiskGb: Number(disk),
      storage: storageKind === 'volume' ? { kind: 'volume', sizeGb: Number(volumeGb) } : storageKind === 'network' ? { kind: 'network', volumeId: networkId } : { kind: 'none' },
    };
    try {
      const job = await studio.runpod.create(req);
      props.onCreated(job, req.name);
    } catch (err) {
      const top = err instanceof StudioCallError ? (err.field?.split('.')[0] as FieldName | undefined) : undefined;
      if (err instanceof StudioCallError && top && ['name', 'gpuTypeIds', 'cloud', 'image', 'containerDiskGb', 'storage'].includes(top)) setErrors({ [top]: err.fieldMessage });
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (f: FieldName) =>
    errors[f] ? (
      <span className="field-error" id={`create-${f}-error`} role="alert" data-testid={`create-${f}-error`}>
        {errors[f]}
      </span>
    ) : null;
  const invalid = (f: FieldName) => (errors[f] ? { 'aria-invalid': true, 'aria-describedby': `create-${f}-error` } : {});

  return (
    <form className="card create-pod" onSubmit={(e) => void submit(e)} data-testid="runpod-create-form" aria-label="Create a pod">
      <div className="create-pod-grid">
        <label className="dialog-field" htmlFor={ids.name}>
          <span className="field-label">Name</span>
          <input id={ids.name} className={errors.name ? 'input has-error' : 'input'} value={name} onChange={(e) => setName(e.target.value)} placeholder="flux-4090" data-testid="create-name" {...invalid('name')} />
          {fieldError('name')}
        </label>
        <div className="dialog-field">
          <span className="field-label" id={ids.cloud}>
            Cloud
          </span>
          <Segmented<CloudType>
            label="Cloud"
            labelledBy={ids.cloud}
            value={cloud}
            onChange={setCloud}
            options={[
              { value: 'SECURE', label: 'Secure', hint: 'RunPod’s data centers: steadier, a little dearer' },
              { value: 'COMMUNITY', label: 'Community', hint: 'Hosts run by others: cheaper, can be less available' },
            ]}
            testId="create-cloud"
          />
        </div>
      </div>

      <div className="dialog-field">
        <label className="field-label" htmlFor={ids.pick}>
          GPU types, in the order to try
        </label>
        <span className="field-description">When RunPod has no capacity for the first, the next is tried.</span>
        {candidates.length > 0 ? (
          <ol className="gpu-candidates" data-testid="create-candidates">
            {candidates.map((id, i) => {
              const g = byId.get(id);
              return (
                <li key={id} data-testid="create-candidate" data-gpu={id}>
                  <span className="gpu-candidate-text">{g ? offerText(g, cloud) : id}</span>
                  <button type="button" className="btn btn-ghost btn-sm" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move ${g?.displayName ?? id} up`}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-ghost btn-sm" disabled={i === candidates.length - 1} onClick={() => move(i, 1)} aria-label={`Move ${g?.displayName ?? id} down`}>
                    ↓
                  </button>
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => setCandidates((cur) => cur.filter((c) => c !== id))} aria-label={`Remove ${g?.displayName ?? id}`}>
                    Remove
                  </button>
                </li>
              );
            })}
          </ol>
        ) : null}
        <div className="input-group">
          <select id={ids.pick} className="input" value={pick} onChange={(e) => setPick(e.target.value)} disabled={gpus === null} data-testid="create-gpu-pick" {...invalid('gpuTypeIds')}>
            {gpus === null ? <option value="">Loading the GPU catalog…</option> : null}
            {offered
              .filter((g) => !candidates.includes(g.id))
              .map((g) => (
                <option key={g.id} value={g.id}>
                  {offerText(g, cloud)}
                </option>
              ))}
          </select>
          <button type="button" className="btn btn-sm" disabled={!pick} onClick={() => setCandidates((cur) => [...cur, pick])} data-testid="create-gpu-add">
            Add
          </button>
        </div>
        {fieldError('gpuTypeIds')}
      </div>

      <div className="create-pod-grid">
        <label className="dialog-field" htmlFor={ids.image}>
          <span className="field-label">Image</span>
          <input id={ids.image} className={errors.image ? 'input mono has-error' : 'input mono'} value={image ?? defaultImage} onChange={(e) => setImage(e.target.value)} data-testid="create-image" {...invalid('image')} />
          <span className="field-description">The default (Settings) fits the worker and ai-toolkit.</span>
          {fieldError('image')}
        </label>
        <label className="dialog-field" htmlFor={ids.disk}>
          <span className="field-label">Container disk (GB)</span>
          <input id={ids.disk} className={errors.containerDiskGb ? 'input has-error' : 'input'} type="number" min={10} value={disk} onChange={(e) => setDisk(e.target.value)} data-testid="create-disk" {...invalid('containerDiskGb')} />
          <span className="field-description">Lost when the pod stops: keep models on a volume.</span>
          {fieldError('containerDiskGb')}
        </label>
      </div>

      <fieldset className="create-storage">
        <legend className="field-label">Storage at /workspace (kept when the pod stops)</legend>
        <label className="radio-line">
          <input type="radio" name="storage" checked={storageKind === 'volume'} onChange={() => setStorageKind('volume')} data-testid="create-storage-volume" />
          A volume of{' '}
          <input
            className={errors.storage ? 'input input-inline has-error' : 'input input-inline'}
            type="number"
            min={10}
            value={volumeGb}
            onChange={(e) => setVolumeGb(e.target.value)}
            disabled={storageKind !== 'volume'}
            aria-label="Volume size (GB)"
            data-testid="create-volume-gb"
            {...invalid('storage')}
          />{' '}
          GB (destroyed with the pod)
        </label>
        <label className="radio-line">
          <input type="radio" name="storage" checked={storageKind === 'network'} onChange={() => setStorageKind('network')} disabled={volumes !== null && volumes.length === 0} data-testid="create-storage-network" />
          An existing network volume{volumes !== null && volumes.length === 0 ? ' (the account has none)' : ''}{' '}
          {storageKind === 'network' ? (
            <select className="input input-inline" value={networkId} onChange={(e) => setNetworkId(e.target.value)} aria-label="Network volume" data-testid="create-network-volume">
              {(volumes ?? []).map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name} · {v.sizeGb} GB{v.dataCenterId ? ` · ${v.dataCenterId}` : ''}
                </option>
              ))}
            </select>
          ) : null}
        </label>
        <label className="radio-line">
          <input type="radio" name="storage" checked={storageKind === 'none'} onChange={() => setStorageKind('none')} data-testid="create-storage-none" />
          None (everything is lost when the pod stops)
        </label>
        {fieldError('storage')}
      </fieldset>

      {error ? (
        <p className="callout is-danger" role="alert" data-testid="create-error">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="submit" className="btn btn-primary" disabled={reason !== null || busy} aria-describedby={reason ? ids.reason : undefined} data-testid="create-submit">
          {busy ? 'Creating…' : firstPrice !== null ? `Create pod · from ${perHour(firstPrice)}` : 'Create pod'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      <DisabledReason id={ids.reason} testId="create-reason" reason={reason} />
    </form>
  );
}
