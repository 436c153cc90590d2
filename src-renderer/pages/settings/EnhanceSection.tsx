// Settings → Prompt enhancement: the Anthropic model, temperature, max tokens, trimming to
// the CLIP limit, and showing the first-use notice again.
import type { ReactElement } from 'react';
import { FieldRow, Section, Switch } from '../../components/Controls';
import { useSettings } from '../../stores/settings';
import { parseNumber } from './parse';
import { SettingInput } from './SettingInput';
import { useSaveChoice } from './use-save-choice';

export function EnhanceSection(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const save = useSaveChoice();
  if (!settings) {
    return (
      <Section title="Prompt enhancement" testId="settings-enhance">
        <p className="muted">Loading settings…</p>
      </Section>
    );
  }
  return (
    <Section
      title="Prompt enhancement"
      description={
        <>
          “Enhance with Claude” on the Generate page sends the prompt to Anthropic with your key (see API keys below) and the instructions in{' '}
          <code>configs/prompts/enhance.txt</code>.
        </>
      }
      testId="settings-enhance"
    >
      <SettingInput
        settingKey="enhanceModel"
        label="Model"
        description="An Anthropic model id."
        current={settings.enhanceModel}
        format={String}
        parse={(t) => (t.trim() === '' ? { error: 'Enter a model id' } : { value: t.trim() })}
        mono
        width={240}
        testId="settings-enhance-model"
      />
      <SettingInput
        settingKey="enhanceTemperature"
        label="Temperature"
        description="0–1: lower is more literal, higher more inventive."
        current={settings.enhanceTemperature}
        format={String}
        parse={(t) => parseNumber(t, 0, 1)}
        inputMode="decimal"
        width={96}
        testId="settings-enhance-temperature"
      />
      <SettingInput
        settingKey="enhanceMaxTokens"
        label="Max tokens"
        description="16–1024: the longest answer Claude may give."
        current={settings.enhanceMaxTokens}
        format={String}
        parse={(t) => parseNumber(t, 16, 1024, { whole: true })}
        inputMode="numeric"
        width={96}
        testId="settings-enhance-max-tokens"
      />
      <FieldRow label="Trim to the CLIP limit" labelId="enhance-trim-label" description="Cut the answer to 75 CLIP tokens by default (you can switch it per prompt).">
        <Switch checked={settings.enhanceTrimToClip} labelledBy="enhance-trim-label" describedBy="enhance-trim-label-desc" onChange={(v) => save({ enhanceTrimToClip: v })} testId="settings-enhance-trim" />
      </FieldRow>
      <FieldRow
        label="First-use notice"
        description={settings.enhanceNoticeAccepted ? 'Seen: Enhance goes straight to Claude.' : 'Shown before the first enhancement.'}
      >
        <button
          type="button"
          className="btn"
          disabled={!settings.enhanceNoticeAccepted}
          title={settings.enhanceNoticeAccepted ? undefined : 'The notice will already be shown'}
          onClick={() => save({ enhanceNoticeAccepted: false })}
          data-testid="settings-enhance-notice-reset"
        >
          Show it again
        </button>
      </FieldRow>
    </Section>
  );
}
