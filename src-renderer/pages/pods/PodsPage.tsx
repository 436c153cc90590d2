// Pods: the GPUs the studio runs on. RunPod pods of the account (create, start, stop,
// terminate, cost, idle watchdog) and SSH pods (any host; RunPod pods linked to one follow
// their address). See docs/architecture.md ("Pods page").
import type { ReactElement } from 'react';
import { PageHeader } from '../../components/Controls';
import './pods.css';
import { RunpodSection } from './runpod/RunpodSection';
import { SshPodsSection } from './ssh/SshPodsSection';

export function PodsPage(): ReactElement {
  return (
    <div className="page pods-page" data-testid="page-pods">
      <PageHeader title="Pods" description="Remote GPUs for Generate and Train: RunPod pods the studio rents for you, and any SSH host with an NVIDIA GPU." />
      <RunpodSection />
      <SshPodsSection />
    </div>
  );
}
