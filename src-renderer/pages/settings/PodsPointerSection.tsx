// Settings → Pods: the pods moved to their own page (issue 15); this says where they are.
import type { ReactElement } from 'react';
import { Section } from '../../components/Controls';
import { hrefFor } from '../../stores/router';

export function PodsPointerSection(): ReactElement {
  return (
    <Section title="Pods" description="Remote GPUs: RunPod pods and SSH hosts." testId="settings-pods">
      <p>
        Pods have their own page: create, start, stop and terminate RunPod pods, see what they cost, and add SSH pods.{' '}
        <a href={hrefFor('pods')} data-testid="settings-pods-link">
          Open Pods
        </a>
      </p>
    </Section>
  );
}
