// Settings → Storage: the data folder (and where it was set) and the log file, to copy or show.
import type { ReactElement } from 'react';
import { FieldRow, Section } from '../../components/Controls';
import type { AppInfo } from '../../stores/app-info';
import { notify, reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';

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

export function StorageSection(props: { info: AppInfo | null }): ReactElement {
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
