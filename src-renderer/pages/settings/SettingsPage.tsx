import { useEffect, useRef, useState, type FormEvent, type ReactElement } from 'react';
import type { Runtime, SecretStatus } from '@shared/contract';
import { FieldRow, PageHeader, ProgressBar, Section, Segmented, StateBadge, Switch } from '../../components/Controls';
import { CheckIcon, ChipIcon, CloudIcon } from '../../components/Icons';
import { useTray } from '../../components/JobsTray';
import { useAppInfo, type AppInfo } from '../../stores/app-info';
import { isActive, useJobs } from '../../stores/jobs';
import { useSecrets } from './secrets-store';
import { useSettings } from '../../stores/settings';
import { notify, reportError } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { EnhanceSection, GenerationDefaultsSection, SettingInput, TokenizerSection } from './GenerationSections';
import { ModelsSection } from './ModelsSection';
import { PodsSection } from './PodsSection';


function useFlash(): [boolean, () => void] {
  const [on, setOn] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return [
    on,
    () => {
      setOn(true);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setOn(false), 2000);
    },
  ];
}

function SavedMark(props: { show: boolean; testId?: string }): ReactElement {
  return (
    <span className={props.show ? 'saved-mark is-shown' : 'saved-mark'} role="status" data-testid={props.testId}>
      {props.show ? 'Saved' : ''}
    </span>
  );
}

/** A Save button's label: "Save", "Saving…", or a short-lived "Saved" with a check. */
function SaveLabel(props: { busy: boolean; saved: boolean; testId?: string }): ReactElement {
  if (props.busy) return <>Saving…</>;
  if (props.saved)
    return (
      <span className="save-done" data-testid={props.testId}>
        <CheckIcon size={14} />
        Saved
      </span>
    );
  return <>Save</>;
}

// ---------- output folder ----------

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

// ---------- general ----------

const RUNTIME_OPTIONS = [
  { value: 'local' as const, label: 'Local GPU', icon: <ChipIcon />, hint: 'ONNX Runtime on this machine' },
  { value: 'remote' as const, label: 'Remote pod', icon: <CloudIcon />, hint: 'A RunPod GPU pod over SSH' },
];

function GeneralSection(props: { info: AppInfo | null }): ReactElement {
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

// ---------- secrets ----------

function secretStatusText(s: SecretStatus): string {
  if (!s.set) return 'Not set';
  return s.source === 'env' ? `Set by $${s.envVar}` : 'Set (stored)';
}

function SecretRow(props: { secret: SecretStatus; unavailable: boolean; unavailableReason: string | null }): ReactElement {
  const { secret } = props;
  const setSecret = useSecrets((s) => s.set);
  const clearSecret = useSecrets((s) => s.clear);
  // Uncontrolled on purpose: React would mirror a controlled value into the DOM attribute.
  const inputRef = useRef<HTMLInputElement>(null);
  const [hasValue, setHasValue] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, flashSaved] = useFlash();
  const inputId = `secret-${secret.name}-input`;
  const errorId = `secret-${secret.name}-error`;
  // With an environment variable in effect we cannot tell whether a value is also stored; allow clearing it.
  const clearable = secret.set;

  async function save(e: FormEvent): Promise<void> {
    e.preventDefault();
    const input = inputRef.current;
    if (!input || input.value === '' || props.unavailable) return;
    setBusy(true);
    setError(null);
    try {
      await setSecret(secret.name, input.value);
      input.value = '';
      setHasValue(false);
      flashSaved();
    } catch (err) {
      if (err instanceof StudioCallError && (err.field === 'value' || err.code === 'unavailable')) setError(err.fieldMessage);
      else reportError(err);
    } finally {
      setBusy(false);
    }
  }

  async function clear(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await clearSecret(secret.name);
      notify(`${shortLabel(secret.label)} removed from the studio’s store.`, 'success');
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  }

  const statusClass = !secret.set ? 'status-pill' : secret.source === 'env' ? 'status-pill is-env' : 'status-pill is-set';
  return (
    <div className="secret-row" data-testid={`secret-${secret.name}`} data-set={secret.set} data-source={secret.source ?? 'none'}>
      <div className="secret-head">
        <div className="secret-text">
          <label className="field-label" htmlFor={inputId}>
            {secret.label}
          </label>
          <div className="field-description">
            Environment variable <code>{secret.envVar}</code>
            {secret.source === 'env' ? ' is set and overrides any stored value.' : ' overrides a stored value when set.'}
          </div>
        </div>
        <span className={statusClass} data-testid={`secret-${secret.name}-status`}>
          <span className="status-dot" aria-hidden="true" />
          {secretStatusText(secret)}
        </span>
      </div>
      <form className="input-group" onSubmit={(e) => void save(e)} noValidate>
        <input
          ref={inputRef}
          id={inputId}
          className={error ? 'input mono has-error' : 'input mono'}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={secret.set ? 'Enter a new value to replace it' : 'Paste the key'}
          disabled={props.unavailable || busy}
          title={props.unavailable ? (props.unavailableReason ?? undefined) : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => {
            setHasValue(e.target.value !== '');
            setError(null);
          }}
          data-testid={`secret-${secret.name}-input`}
        />
        <button
          type="submit"
          className="btn btn-primary"
          disabled={props.unavailable || busy || !hasValue}
          title={props.unavailable ? (props.unavailableReason ?? undefined) : hasValue ? undefined : 'Type a value to save it'}
          data-testid={`secret-${secret.name}-save`}
        >
          <SaveLabel busy={busy} saved={saved && !hasValue} testId={`secret-${secret.name}-saved`} />
        </button>
        <button
          type="button"
          className="btn"
          disabled={busy || !clearable}
          title={
            !clearable
              ? 'Nothing stored to clear'
              : secret.source === 'env'
                ? `Delete any stored value ($${secret.envVar} still applies until you unset it)`
                : 'Delete the stored value'
          }
          onClick={() => void clear()}
          data-testid={`secret-${secret.name}-clear`}
        >
          Clear
        </button>
      </form>
      {error ? (
        <p id={errorId} className="field-error" role="alert" data-testid={`secret-${secret.name}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function shortLabel(label: string): string {
  return label.replace(/\s*\(.*\)\s*$/, '');
}

function SecretsSection(): ReactElement {
  const overview = useSecrets((s) => s.overview);
  const load = useSecrets((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  const unavailable = overview?.unavailableReason != null;
  return (
    <Section
      title="API keys"
      testId="settings-secrets"
      description={
        overview ? (
          <>
            Kept by the studio in its {overview.backend}. Values never come back to this window — only whether each one is set.
          </>
        ) : (
          'Loading…'
        )
      }
    >
      {overview?.unavailableReason ? (
        <div className="callout is-warning" role="note" data-testid="secrets-unavailable">
          <div>
            <div className="callout-title">Secrets can’t be stored here</div>
            <p>{overview.unavailableReason}</p>
          </div>
        </div>
      ) : null}
      {overview?.secrets.map((s) => (
        <SecretRow key={s.name} secret={s} unavailable={unavailable} unavailableReason={overview.unavailableReason} />
      ))}
    </Section>
  );
}

// ---------- storage / maintenance / about ----------

const SOURCE_TEXT: Record<AppInfo['dataDirSource'], string> = {
  flag: 'from --data-dir',
  env: 'from FLUX_STUDIO_DATA_DIR',
  default: 'default location',
};

function PathValue(props: { path: string; testId: string; canReveal: boolean }): ReactElement {
  const canCopy = typeof navigator !== 'undefined' && navigator.clipboard !== undefined;
  return (
    <div className="path-value">
      <code className="path" data-testid={props.testId} title={props.path}>
        {props.path || '—'}
      </code>
      {canCopy && props.path ? (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => {
            navigator.clipboard.writeText(props.path).then(
              () => notify('Path copied to the clipboard.', 'success'),
              () => notify('The browser did not allow copying; select the path and copy it by hand.', 'error'),
            );
          }}
        >
          Copy
        </button>
      ) : null}
      {props.canReveal && props.path ? (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => {
            studio.app.revealPath({ path: props.path }).catch(reportError);
          }}
        >
          Show
        </button>
      ) : null}
    </div>
  );
}

function StorageSection(props: { info: AppInfo | null }): ReactElement {
  const { info } = props;
  const canReveal = info?.transport === 'electron';
  return (
    <Section title="Storage" testId="settings-storage">
      <FieldRow
        label="Data folder"
        badge={
          <span className="tag" data-testid="settings-data-dir-source">
            {info ? SOURCE_TEXT[info.dataDirSource] : '…'}
          </span>
        }
        stacked
        description={
          <>
            Holds the database, thumbnails, datasets and trainings. Set with <code>--data-dir</code> or{' '}
            <code>FLUX_STUDIO_DATA_DIR</code> when starting the studio.
          </>
        }
      >
        <PathValue path={info?.dataDir ?? ''} testId="settings-data-dir" canReveal={canReveal} />
      </FieldRow>
      <FieldRow label="Log file" stacked description="Redacted: secrets never appear in the log.">
        <PathValue path={info?.logFile ?? ''} testId="settings-log-file" canReveal={canReveal} />
      </FieldRow>
    </Section>
  );
}

function MaintenanceSection(props: { info: AppInfo | null }): ReactElement {
  const jobs = useJobs((s) => s.jobs);
  const merge = useJobs((s) => s.merge);
  const setTrayOpen = useTray((s) => s.setOpen);
  const [starting, setStarting] = useState(false);
  const last = jobs.find((j) => j.kind === 'maintenance.backup');
  const running = last ? isActive(last) : false;

  async function backup(): Promise<void> {
    setStarting(true);
    try {
      const job = await studio.maintenance.backup();
      merge(job);
    } catch (err) {
      reportError(err);
    } finally {
      setStarting(false);
    }
  }

  const backups = props.info ? `${props.info.dataDir}${props.info.dataDir.includes('\\') ? '\\' : '/'}backups` : 'backups';
  return (
    <Section title="Maintenance" testId="settings-maintenance">
      <FieldRow
        label="Back up database"
        description={
          <>
            Copies <code>studio.db</code> into <code className="path">{backups}</code> while the studio keeps running.
          </>
        }
      >
        <button
          type="button"
          className="btn"
          disabled={starting || running}
          title={running ? 'A backup is already running' : undefined}
          onClick={() => void backup()}
          data-testid="settings-backup"
        >
          {running ? 'Backing up…' : 'Back up now'}
        </button>
      </FieldRow>
      {last ? (
        <div className="last-job" data-testid="settings-backup-last">
          <StateBadge state={last.state} />
          {running ? (
            <ProgressBar fraction={last.progress?.fraction ?? null} label="Backup progress" />
          ) : (
            <span className="muted last-job-text">
              {last.state === 'succeeded' && typeof last.result === 'object' && last.result !== null && 'file' in last.result
                ? `Saved ${String((last.result as { file: unknown }).file)}`
                : (last.error?.message ?? last.title)}
            </span>
          )}
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setTrayOpen(true)}>
            View in Jobs
          </button>
        </div>
      ) : null}
    </Section>
  );
}

function AboutSection(props: { info: AppInfo | null }): ReactElement {
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

/** Links like "Settings → API keys" open #/settings/<anchor>: bring that section into view. */
const ANCHORS: Record<string, { section: string; focus?: string }> = {
  'api-keys': { section: 'settings-secrets', focus: 'secret-anthropic-input' },
  enhance: { section: 'settings-enhance' },
  generation: { section: 'settings-generation' },
};

function useAnchor(): void {
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

export function SettingsPage(): ReactElement {
  const info = useAppInfo((s) => s.info);
  useAnchor();
  return (
    <div className="page page-narrow" data-testid="page-settings">
      <PageHeader title="Settings" description="Where images go, which GPU runs by default, generation defaults, and the keys the studio uses." />
      <GeneralSection info={info} />
      <PodsSection />
      <GenerationDefaultsSection />
      <EnhanceSection />
      <TokenizerSection canPick={info?.canPickFolders === true} />
      <ModelsSection canPick={info?.canPickFolders === true} />
      <SecretsSection />
      <StorageSection info={info} />
      <MaintenanceSection info={info} />
      <AboutSection info={info} />
    </div>
  );
}
