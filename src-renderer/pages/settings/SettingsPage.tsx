// Settings: one section per file beside this page, in this order.
import type { ReactElement } from 'react';
import { PageHeader } from '../../components/Controls';
import { useAppInfo } from '../../stores/app-info';
import { AboutSection } from './AboutSection';
import { EnhanceSection } from './EnhanceSection';
import { GeneralSection } from './GeneralSection';
import { GenerationDefaultsSection } from './GenerationDefaultsSection';
import { LocalTrainingSection } from './LocalTrainingSection';
import { MaintenanceSection } from './MaintenanceSection';
import { ModelsSection } from './ModelsSection';
import { PodsPointerSection } from './PodsPointerSection';
import { RunpodSection } from './RunpodSection';
import { SecretsSection } from './SecretsSection';
import { StorageSection } from './StorageSection';
import { TokenizerSection } from './TokenizerSection';
import { useSettingsAnchor } from './use-settings-anchor';
import './settings.css';

export function SettingsPage(): ReactElement {
  const info = useAppInfo((s) => s.info);
  useSettingsAnchor();
  return (
    <div className="page page-narrow" data-testid="page-settings">
      <PageHeader title="Settings" description="Where images go, which GPU runs by default, generation defaults, and the keys the studio uses." />
      <GeneralSection info={info} />
      <PodsPointerSection />
      <RunpodSection />
      <GenerationDefaultsSection />
      <EnhanceSection />
      <TokenizerSection canPick={info?.canPickFolders === true} />
      <ModelsSection canPick={info?.canPickFolders === true} />
      <LocalTrainingSection canPick={info?.canPickFolders === true} />
      <SecretsSection />
      <StorageSection info={info} />
      <MaintenanceSection info={info} />
      <AboutSection info={info} />
    </div>
  );
}
