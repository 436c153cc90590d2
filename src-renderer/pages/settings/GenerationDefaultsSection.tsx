// Settings → Generation defaults: what a new Generate draft starts with, JPEG quality, CPU
// offload, and the preset numbers.
import { useEffect, type ReactElement } from 'react';
import type { GuidancePreset, ModelId, QualityPreset, SizePreset } from '@shared/contract';
import { FieldRow, Section, Segmented, Switch, type SegmentedOption } from '../../components/Controls';
import { usePresets } from '../../stores/presets';
import { useSettings } from '../../stores/settings';
import { parseNumber } from './parse';
import { PresetOverridesForm } from './PresetOverridesForm';
import { SettingInput } from './SettingInput';
import { useSaveChoice } from './use-save-choice';

export function GenerationDefaultsSection(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const presets = usePresets((s) => s.view);
  const loadPresets = usePresets((s) => s.load);
  const save = useSaveChoice();
  const overridesKey = JSON.stringify(settings?.presetOverrides ?? null);
  useEffect(() => {
    void loadPresets();
  }, [loadPresets, overridesKey]);

  if (!settings) {
    return (
      <Section title="Generation defaults" testId="settings-generation">
        <p className="muted">Loading settings…</p>
      </Section>
    );
  }
  const modelOptions: SegmentedOption<ModelId>[] = (presets?.models ?? []).map((m) => ({ value: m.id, label: m.label }));
  const qualityOptions: SegmentedOption<QualityPreset>[] = (presets?.quality ?? []).map((q) => ({ value: q.id, label: `${q.label} · ${q.steps}` }));
  const sizeOptions: SegmentedOption<Exclude<SizePreset, 'custom'>>[] = (presets?.sizes ?? [])
    .filter((s): s is typeof s & { id: Exclude<SizePreset, 'custom'> } => s.id !== 'custom')
    .map((s) => ({ value: s.id, label: s.label, hint: `${s.width}×${s.height}` }));
  const guidanceOptions: SegmentedOption<Exclude<GuidancePreset, 'custom'>>[] = (presets?.guidance ?? [])
    .filter((g): g is typeof g & { id: Exclude<GuidancePreset, 'custom'> } => g.id !== 'custom')
    .map((g) => ({ value: g.id, label: `${g.label} · ${g.value.toFixed(1)}` }));

  return (
    <Section
      title="Generation defaults"
      description="What a new draft on the Generate page starts with. Changing them here does not change choices you already made there."
      testId="settings-generation"
    >
      <FieldRow label="Model" labelId="default-model-label">
        <Segmented<ModelId> label="Default model" labelledBy="default-model-label" value={settings.defaultModel} options={modelOptions} onChange={(v) => save({ defaultModel: v })} testId="settings-default-model" />
      </FieldRow>
      <FieldRow label="Quality" labelId="default-quality-label" description="Steps per preset; FLUX.1-schnell always runs 4.">
        <Segmented<QualityPreset> label="Default quality" labelledBy="default-quality-label" value={settings.defaultQuality} options={qualityOptions} onChange={(v) => save({ defaultQuality: v })} testId="settings-default-quality" />
      </FieldRow>
      <FieldRow label="Size" labelId="default-size-label">
        <Segmented label="Default size" labelledBy="default-size-label" value={settings.defaultSize} options={sizeOptions} onChange={(v) => save({ defaultSize: v })} testId="settings-default-size" />
      </FieldRow>
      <FieldRow label="Guidance" labelId="default-guidance-label" description="FLUX.1-dev only.">
        <Segmented label="Default guidance" labelledBy="default-guidance-label" value={settings.defaultGuidance} options={guidanceOptions} onChange={(v) => save({ defaultGuidance: v })} testId="settings-default-guidance" />
      </FieldRow>
      <SettingInput
        settingKey="jpegQuality"
        label="JPEG quality"
        description="1–100; 95 keeps nearly all detail at a third of the size of PNG."
        current={settings.jpegQuality}
        format={String}
        parse={(t) => parseNumber(t, 1, 100, { whole: true })}
        inputMode="numeric"
        width={96}
        testId="settings-jpeg-quality"
      />
      <FieldRow label="CPU offload" labelId="default-offload-label" description="Remote pod: keep parts of the model in CPU RAM so it fits smaller GPUs (slower).">
        <Switch checked={settings.cpuOffload} labelledBy="default-offload-label" describedBy="default-offload-label-desc" onChange={(v) => save({ cpuOffload: v })} testId="settings-cpu-offload" />
      </FieldRow>
      <PresetOverridesForm key={overridesKey} overrides={settings.presetOverrides} />
    </Section>
  );
}
