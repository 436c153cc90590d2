// Settings → Token counting: an optional CLIP tokenizer folder to count prompt tokens with.
import type { ReactElement } from 'react';
import { Section } from '../../components/Controls';
import { useSettings } from '../../stores/settings';
import { SettingInput } from './SettingInput';

export function TokenizerSection(props: { canPick: boolean }): ReactElement {
  const settings = useSettings((s) => s.settings);
  if (!settings) {
    return (
      <Section title="Token counting" testId="settings-tokenizer">
        <p className="muted">Loading settings…</p>
      </Section>
    );
  }
  return (
    <Section title="Token counting" testId="settings-tokenizer">
      <SettingInput
        settingKey="clipTokenizerDir"
        label="CLIP tokenizer folder"
        description={
          <>
            Optional: a model’s <code>tokenizer/</code> folder (<code>vocab.json</code> + <code>merges.txt</code>) to count with. Leave empty to use the
            studio’s own.
          </>
        }
        current={settings.clipTokenizerDir}
        format={(v) => v ?? ''}
        parse={(t) => ({ value: t.trim() === '' ? null : t.trim() })}
        mono
        stacked
        placeholder="Empty: the studio’s own tokenizer data"
        {...(props.canPick ? { browse: { title: 'Choose a CLIP tokenizer folder', testId: 'settings-clip-dir-browse' } } : {})}
        testId="settings-clip-dir"
      />
    </Section>
  );
}
