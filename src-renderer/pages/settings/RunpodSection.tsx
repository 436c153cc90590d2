// Settings → RunPod costs: the budget caps, the on-pod idle watchdog, the image new pods run,
// what "Train on RunPod" does with its pod, and the stall guard (docs/architecture.md,
// "Cost, budget and stall guard" and "RunPod: the idle watchdog").
import type { ReactElement } from 'react';
import type { Settings } from '@shared/contract';
import { FieldRow, Section, Segmented, Switch } from '../../components/Controls';
import { useSettings } from '../../stores/settings';
import { reportError } from '../../stores/toasts';
import { parseNumber, type Parsed } from './parse';
import { SettingInput } from './SettingInput';

/** A cap in USD: empty means none. */
function parseCap(max: number): (text: string) => Parsed<number | null> {
  return (text) => {
    const t = text.trim().replace(/^\$/, '');
    if (t === '') return { value: null };
    const n = parseNumber(t, 0, max);
    return 'error' in n ? { error: `${n.error} (USD), or leave it empty for no cap` } : { value: Math.round(n.value * 100) / 100 };
  };
}
const formatCap = (v: number | null) => (v === null ? '' : v.toFixed(2));

const AFTER_TRAINING = [
  { value: 'stop' as const, label: 'Stop', hint: 'Compute billing ends; the volume is kept (and billed) for the next run' },
  { value: 'terminate' as const, label: 'Terminate', hint: 'Nothing is billed any more; the volume and its venv are destroyed' },
  { value: 'keep' as const, label: 'Keep running', hint: 'The idle watchdog still stops it after the idle minutes' },
];

export function RunpodSection(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const update = useSettings((s) => s.update);
  if (!settings) return <Section title="RunPod costs"><p className="muted">Loading settings…</p></Section>;
  const set = (patch: Partial<Settings>) => void update(patch).catch(reportError);
  return (
    <Section
      title="RunPod costs"
      testId="settings-runpod"
      description="Caps and automatic stops for the GPUs the studio rents. The header's spend chip shows what is running and what this session cost."
    >
      <SettingInput
        settingKey="runpodBudgetSessionUsd"
        label="Budget per session (USD)"
        description="At this spend the studio stops running pods after the current image and refuses new RunPod jobs. Empty: no cap."
        current={settings.runpodBudgetSessionUsd}
        format={formatCap}
        parse={parseCap(100_000)}
        inputMode="decimal"
        placeholder="no cap"
        width={120}
        testId="settings-budget-session"
      />
      <SettingInput
        settingKey="runpodBudgetMonthUsd"
        label="Budget per month (USD)"
        description="The same, for everything the studio's pods cost this calendar month (compute and storage)."
        current={settings.runpodBudgetMonthUsd}
        format={formatCap}
        parse={parseCap(1_000_000)}
        inputMode="decimal"
        placeholder="no cap"
        width={120}
        testId="settings-budget-month"
      />
      <SettingInput
        settingKey="runpodIdleStopMinutes"
        label="Idle stop (minutes)"
        description="The watchdog on each rented pod stops it after this many minutes without an image request, a training or the studio preparing it — even when this computer sleeps. A pod with a running training is never stopped."
        current={settings.runpodIdleStopMinutes}
        format={String}
        parse={(t) => parseNumber(t, 1, 24 * 60, { whole: true })}
        inputMode="numeric"
        width={90}
        testId="settings-idle-stop"
      />
      <SettingInput
        settingKey="runpodImage"
        label="Pod image"
        description="The container image new pods run. The default has the CUDA, Python and PyTorch the worker and ai-toolkit need."
        current={settings.runpodImage}
        format={(v) => v}
        parse={(t) => (t.trim() === '' ? { error: 'Enter an image name, e.g. runpod/pytorch:…' } : { value: t.trim() })}
        mono
        stacked
        testId="settings-runpod-image"
      />
      <FieldRow label="After “Train on RunPod”" labelId="after-training-label" description="What happens to the pod when its training ends or fails.">
        <Segmented
          label="After training on RunPod"
          labelledBy="after-training-label"
          value={settings.runpodAfterTraining}
          options={AFTER_TRAINING}
          onChange={(v) => set({ runpodAfterTraining: v })}
          testId="settings-after-training"
        />
      </FieldRow>
      <SettingInput
        settingKey="trainingStallMinutes"
        label="Stalled training (minutes)"
        description="A training whose step has not moved for this long is reported as stalled (sampling and saving a checkpoint take less)."
        current={settings.trainingStallMinutes}
        format={String}
        parse={(t) => parseNumber(t, 1, 24 * 60, { whole: true })}
        inputMode="numeric"
        width={90}
        testId="settings-stall-minutes"
      />
      <FieldRow label="Stop the pod of a stalled training" labelId="stop-on-stall-label" description="Off: you are told and decide. On: the run fails as stalled and its RunPod pod is stopped.">
        <Switch checked={settings.stopPodOnStall} onChange={(v) => set({ stopPodOnStall: v })} labelledBy="stop-on-stall-label" testId="settings-stop-on-stall" />
      </FieldRow>
    </Section>
  );
}
