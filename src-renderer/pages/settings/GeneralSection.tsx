// Settings → General: the output folder, the default runtime and opening each image when it is done.
import type { ReactElement } from 'react';
import type { Runtime } from '@shared/contract';
import { FieldRow, Section, Segmented, Switch } from '../../components/Controls';
import { ChipIcon, CloudIcon } from '../../components/Icons';
import type { AppInfo } from '../../stores/app-info';
import { useSettings } from '../../stores/settings';
import { reportError } from '../../stores/toasts';
import { SettingInput } from './SettingInput';
import { useFlash } from './use-flash';

function SavedMark(props: { show: boolean; testId?: string }): ReactElement {
  return (
    <span className={props.show ? 'saved-mark is-shown' : 'saved-mark'} role="status" data-testid={props.testId}>
      {props.show ? 'Saved' : ''}
    </span>
  );
}

function OutputFolderField(props: { current: string; canPick: boolean }): ReactElement {
  return (
    <SettingInput
      settingKey="outputDir"
      label="Output folder"
      description="Generated images are saved here in dated sub-folders (YYYY-MM-DD/flux_…jpg). The folder is created if needed."
      current={props.current}
      format={(v) => v}
      parse={(t) => ({ value: t.trim() })}
      mono
      stacked
      {...(props.canPick ? { browse: { title: 'Choose the output folder', testId: 'settings-output-dir-browse' } } : {})}
      testId="settings-output-dir"
    />
  );
}

const RUNTIME_OPTIONS = [
  { value: 'local' as const, label: 'Local GPU', icon: <ChipIcon />, hint: 'ONNX Runtime on this machine' },
  { value: 'remote' as const, label: 'Remote pod', icon: <CloudIcon />, hint: 'A RunPod GPU pod over SSH' },
];

export function GeneralSection(props: { info: AppInfo | null }): ReactElement {
  const settings = useSettings((s) => s.settings);
  const update = useSettings((s) => s.update);
  const [runtimeSaved, flashRuntime] = useFlash();
  const [openSaved, flashOpen] = useFlash();
  if (!settings) return <Section title="General"><p className="muted">Loading settings…</p></Section>;

  const setRuntime = (r: Runtime) => {
    if (r === settings.defaultRuntime) return;
    update({ defaultRuntime: r }).then(flashRuntime, reportError);
  };
  return (
    <Section title="General" testId="settings-general">
      <OutputFolderField current={settings.outputDir} canPick={props.info?.canPickFolders === true} />
      <FieldRow
        label="Default runtime"
        labelId="runtime-label"
        description="Where a new job runs unless you pick another on the Generate page."
      >
        <div className="control-with-mark">
          <SavedMark show={runtimeSaved} />
          <Segmented<Runtime>
            label="Default runtime"
            labelledBy="runtime-label"
            value={settings.defaultRuntime}
            options={RUNTIME_OPTIONS}
            onChange={setRuntime}
            testId="settings-runtime"
          />
        </div>
      </FieldRow>
      <FieldRow
        label="Open image after generation"
        labelId="open-after-label"
        description="Open each finished image in the system image viewer, like the old script did."
      >
        <div className="control-with-mark">
          <SavedMark show={openSaved} />
          <Switch
            checked={settings.openAfterGenerate}
            labelledBy="open-after-label"
            describedBy="open-after-label-desc"
            onChange={(v) => update({ openAfterGenerate: v }).then(flashOpen, reportError)}
            testId="settings-open-after"
          />
        </div>
      </FieldRow>
    </Section>
  );
}
