// Settings → Pods: add or edit a pod by pasting its SSH command, check and trust its host key
// (fingerprint dialog), connect (GPU and VRAM), prepare it with a streamed log, remove it.
import { useEffect, useState, type ReactElement } from 'react';
import type { PodProfile } from '@shared/contract';
import { Section } from '../../../components/Controls';
import { usePods, wirePodEvents } from '../../../stores/pods';
import { PodEditor } from './PodEditor';
import { PodRow } from './PodRow';

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
