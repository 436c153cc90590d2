// Settings → Maintenance: back up the database while the studio runs, and the last backup.
import { useState, type ReactElement } from 'react';
import { FieldRow, ProgressBar, Section, StateBadge } from '../../components/Controls';
import { useTray } from '../../components/JobsTray';
import type { AppInfo } from '../../stores/app-info';
import { isActive, useJobs } from '../../stores/jobs';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';

export function MaintenanceSection(props: { info: AppInfo | null }): ReactElement {
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
