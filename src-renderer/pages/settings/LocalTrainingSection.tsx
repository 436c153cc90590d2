// Settings → Local training: the ai-toolkit checkout and the Python that runs it (the
// trainingToolkitDir / trainingPython settings the Train page's "This computer" target needs),
// and a Check that runs that Python and reports ai-toolkit's version (training.checkToolkit).
import { useState, type ReactElement } from 'react';
import type { ToolkitCheck } from '@shared/contract';
import { Section } from '../../components/Controls';
import { DisabledReason } from '../../components/DisabledReason';
import { useSettings } from '../../stores/settings';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { SettingInput } from './SettingInput';

const FIELD_LABEL: Record<ToolkitCheck['problems'][number]['field'], string> = {
  toolkitDir: 'ai-toolkit folder',
  python: 'Python',
};

function CheckResult(props: { result: ToolkitCheck }): ReactElement {
  const r = props.result;
  const facts = [
    r.version ? `ai-toolkit ${r.version}` : r.problems.some((p) => p.field === 'toolkitDir') ? null : 'ai-toolkit (no version.py)',
    r.pythonVersion ? `Python ${r.pythonVersion}` : null,
    r.torch ? `torch ${r.torch}` : null,
    r.cuda === null ? null : r.cuda ? 'CUDA available' : 'no CUDA GPU (training would run on the CPU, very slowly)',
  ].filter((f): f is string => f !== null);
  return (
    <div className={r.ok ? 'toolkit-check is-ok' : 'toolkit-check is-bad'} role="status" data-testid="toolkit-check-result" data-ok={r.ok}>
      <strong>{r.ok ? 'Ready to train on this computer.' : 'Not ready yet.'}</strong>
      {facts.length > 0 ? <span data-testid="toolkit-check-facts"> {facts.join(' · ')}</span> : null}
      {r.problems.length > 0 ? (
        <ul className="toolkit-check-problems">
          {r.problems.map((p) => (
            <li key={p.field + p.message} className="field-error" data-testid={`toolkit-check-problem-${p.field}`}>
              <strong>{FIELD_LABEL[p.field]}:</strong> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function LocalTrainingSection(props: { canPick: boolean }): ReactElement {
  const settings = useSettings((s) => s.settings);
  const [checking, setChecking] = useState(false);
  const [result, setResult] = useState<ToolkitCheck | null>(null);
  const title = 'Local training';
  const description = 'Train LoRAs on this computer with an ai-toolkit checkout and the Python of its venv (needs an NVIDIA GPU). Pods install their own.';
  if (!settings) {
    return (
      <Section title={title} description={description} testId="settings-local-training">
        <p className="muted">Loading settings…</p>
      </Section>
    );
  }
  const dir = settings.trainingToolkitDir;
  const python = settings.trainingPython;
  const missing = [dir ? null : 'the ai-toolkit folder', python ? null : 'its Python'].filter((m): m is string => m !== null);
  const check = async () => {
    if (!dir || !python) return;
    setChecking(true);
    setResult(null);
    try {
      setResult(await studio.training.checkToolkit({ toolkitDir: dir, python }));
    } catch (err) {
      reportError(err);
    } finally {
      setChecking(false);
    }
  };
  const stale = result !== null && (result.toolkitDir !== dir || result.python !== python);
  return (
    <Section title={title} description={description} testId="settings-local-training">
      <SettingInput
        settingKey="trainingToolkitDir"
        label="ai-toolkit folder (trainingToolkitDir)"
        description={
          <>
            A checkout of <code>github.com/ostris/ai-toolkit</code>: the folder with <code>run.py</code>.
          </>
        }
        current={dir}
        format={(v) => v ?? ''}
        parse={(t) => ({ value: t.trim() === '' ? null : t.trim() })}
        mono
        stacked
        placeholder="/home/you/ai-toolkit"
        {...(props.canPick ? { browse: { title: 'Choose the ai-toolkit folder (with run.py)', testId: 'settings-toolkit-dir-browse' } } : {})}
        testId="settings-toolkit-dir"
      />
      <SettingInput
        settingKey="trainingPython"
        label="Python (trainingPython)"
        description={
          <>
            The Python that has ai-toolkit’s requirements, usually its venv’s: <code>&lt;ai-toolkit&gt;/venv/bin/python</code>.
          </>
        }
        current={python}
        format={(v) => v ?? ''}
        parse={(t) => ({ value: t.trim() === '' ? null : t.trim() })}
        mono
        stacked
        placeholder={dir ? `${dir}/venv/bin/python` : '/home/you/ai-toolkit/venv/bin/python'}
        testId="settings-training-python"
      />
      <div className="toolkit-check-area">
      <div className="toolkit-check-row">
        <button type="button" className="btn btn-primary" data-testid="toolkit-check" disabled={checking || missing.length > 0} aria-describedby={missing.length > 0 ? 'toolkit-check-why' : undefined} onClick={() => void check()}>
          {checking ? 'Checking…' : 'Check'}
        </button>
        <DisabledReason
          id="toolkit-check-why"
          testId="toolkit-check-why"
          reason={missing.length > 0 ? `Set ${missing.join(' and ')} above, then check.` : null}
          action={
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => document.querySelector<HTMLInputElement>(`[data-testid="${dir ? 'settings-training-python' : 'settings-toolkit-dir'}"]`)?.focus()}>
              Go to the field
            </button>
          }
        />
        {checking ? (
          <span className="muted" role="status" data-testid="toolkit-check-progress">
            Running {python} (importing torch can take a minute the first time)…
          </span>
        ) : null}
      </div>
      {result && !stale ? <CheckResult result={result} /> : null}
      </div>
    </Section>
  );
}
