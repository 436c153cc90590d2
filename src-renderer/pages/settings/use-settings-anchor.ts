// #/settings/<anchor> links ("Settings → API keys"): scroll to that section and focus its field.
import { useEffect } from 'react';

/** Links like "Settings → API keys" open #/settings/<anchor>: bring that section into view. */
const ANCHORS: Record<string, { section: string; focus?: string }> = {
  'api-keys': { section: 'settings-secrets', focus: 'secret-anthropic-input' },
  'runpod-key': { section: 'settings-secrets', focus: 'secret-runpod-input' },
  enhance: { section: 'settings-enhance' },
  generation: { section: 'settings-generation' },
  // The Generate page's "Add a pod" / "Add a local model".
  pods: { section: 'settings-pods' },
  models: { section: 'settings-models', focus: 'settings-model-path' },
  'local-training': { section: 'settings-local-training', focus: 'settings-toolkit-dir' },
};

export function useSettingsAnchor(): void {
  useEffect(() => {
    const anchor = ANCHORS[/^#\/settings\/([\w-]+)/.exec(window.location.hash)?.[1] ?? ''];
    if (!anchor) return;
    // After App's page-change handling (focus the heading, scroll to the top), which runs after
    // this effect; the section's fields may still be loading, so look again for a moment.
    let tries = 0;
    let timer: ReturnType<typeof setTimeout>;
    const attempt = () => {
      const section = document.querySelector<HTMLElement>(`[data-testid="${anchor.section}"]`);
      const field = anchor.focus ? document.querySelector<HTMLElement>(`[data-testid="${anchor.focus}"]`) : null;
      if (section && (field || !anchor.focus || tries > 40)) {
        section.scrollIntoView({ block: 'start' });
        field?.focus({ preventScroll: true });
        return;
      }
      tries++;
      timer = setTimeout(attempt, 50);
    };
    timer = setTimeout(attempt, 60);
    return () => clearTimeout(timer);
  }, []);
}
