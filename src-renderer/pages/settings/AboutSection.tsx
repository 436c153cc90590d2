// Settings → About: version, platform and how this window is connected.
import type { ReactElement } from 'react';
import { Section } from '../../components/Controls';
import type { AppInfo } from '../../stores/app-info';

export function AboutSection(props: { info: AppInfo | null }): ReactElement {
  const { info } = props;
  return (
    <Section title="About" testId="settings-about">
      <dl className="about-grid">
        <dt>Version</dt>
        <dd data-testid="settings-version">{info ? `${info.name} ${info.version}` : '…'}</dd>
        <dt>Platform</dt>
        <dd>{info?.platform ?? '…'}</dd>
        <dt>Connected via</dt>
        <dd data-testid="settings-transport">
          {info ? (info.transport === 'electron' ? 'Desktop app' : 'Browser (flux-studio serve)') : '…'}
        </dd>
      </dl>
    </Section>
  );
}
