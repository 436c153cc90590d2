// Pods page → SSH pods: add or edit a pod by pasting its SSH command, check and trust its host
// key (fingerprint dialog), connect (GPU and VRAM), prepare it with a streamed log, remove it.
// RunPod pods the studio created or linked appear here too (their address follows the pod).
import { useEffect, useState, type ReactElement } from 'react';
import type { PodProfile } from '@shared/contract';
import { Section } from '../../../components/Controls';
import { usePods, wirePodEvents } from '../../../stores/pods';
import { PodEditor } from './PodEditor';
import { PodRow } from './PodRow';

export function SshPodsSection(): ReactElement {
  const pods = usePods((s) => s.pods);
  const [editing, setEditing] = useState<PodProfile | 'new' | null>(null);
  useEffect(() => {
    wirePodEvents();
    void usePods.getState().load();
  }, []);
  return (
    <Section
      title="SSH pods"
      description="What Generate and Train run on: any Linux box with an NVIDIA GPU reached over SSH, including RunPod pods (linked ones follow their pod’s address)."
      testId="ssh-pods"
    >
      <div className="pod-list">
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
