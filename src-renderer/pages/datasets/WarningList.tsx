// Dataset warnings grouped by kind (severity first, a count per kind) or by file (each file
// once, its warnings together): used by the import report and the check.
import { useState, type ReactElement } from 'react';
import { WARNING_CODES, WARNING_KIND_LABEL, WARNING_SEVERITIES, WARNING_SEVERITY, type DatasetWarning, type WarningCode, type WarningSeverity } from '@shared/contract/datasets';

const SEVERITY_LABEL: Record<WarningSeverity, string> = { error: 'Error', warning: 'Warning', info: 'Info' };
/** Long groups show this many files until "Show all". */
const FIRST = 8;

const bySeverityThenKind = (a: WarningCode, b: WarningCode) =>
  WARNING_SEVERITIES.indexOf(WARNING_SEVERITY[a]) - WARNING_SEVERITIES.indexOf(WARNING_SEVERITY[b]) || WARNING_CODES.indexOf(a) - WARNING_CODES.indexOf(b);

function SeverityBadge(props: { severity: WarningSeverity }): ReactElement {
  return <span className={`ds-sev is-${props.severity}`}>{SEVERITY_LABEL[props.severity]}</span>;
}

/** "3 errors · 12 warnings · 2 info" */
export function severityCounts(warnings: readonly DatasetWarning[]): string {
  const n = (s: WarningSeverity) => warnings.filter((w) => WARNING_SEVERITY[w.code] === s).length;
  const parts = [
    n('error') ? `${n('error')} ${n('error') === 1 ? 'error' : 'errors'}` : null,
    n('warning') ? `${n('warning')} ${n('warning') === 1 ? 'warning' : 'warnings'}` : null,
    n('info') ? `${n('info')} info` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'no warnings';
}

function KindGroup(props: { code: WarningCode; items: DatasetWarning[] }): ReactElement {
  const [all, setAll] = useState(false);
  const shown = all ? props.items : props.items.slice(0, FIRST);
  const severity = WARNING_SEVERITY[props.code];
  return (
    <li className={`ds-warn-group is-${severity}`} data-testid="ds-warn-kind" data-kind={props.code} data-severity={severity} data-count={props.items.length}>
      <div className="ds-warn-group-head">
        <SeverityBadge severity={severity} />
        <strong>{WARNING_KIND_LABEL[props.code]}</strong>
        <span className="ds-warn-n" data-testid="ds-warn-kind-count">
          {props.items.length}
        </span>
      </div>
      <ul className="ds-warn-items">
        {shown.map((w) => (
          <li key={w.file} data-testid="ds-report-warning">
            <span className="ds-warn-file">{w.file}</span>: {w.message}
          </li>
        ))}
      </ul>
      {props.items.length > FIRST ? (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${props.items.length}`}
        </button>
      ) : null}
    </li>
  );
}

export function WarningList(props: { warnings: readonly DatasetWarning[]; testId?: string }): ReactElement | null {
  const [view, setView] = useState<'kind' | 'file'>('kind');
  if (props.warnings.length === 0) return null;
  const kinds = [...new Set(props.warnings.map((w) => w.code))].sort(bySeverityThenKind);
  const files = new Map<string, DatasetWarning[]>();
  for (const w of props.warnings) files.set(w.file, [...(files.get(w.file) ?? []), w]);
  const worst = (ws: DatasetWarning[]) => Math.min(...ws.map((w) => WARNING_SEVERITIES.indexOf(WARNING_SEVERITY[w.code])));
  const fileRows = [...files.entries()].sort(([fa, a], [fb, b]) => worst(a) - worst(b) || (fa < fb ? -1 : fa > fb ? 1 : 0));
  return (
    <div className="ds-warnings" data-testid={props.testId ?? 'ds-warnings'}>
      <div className="ds-warnings-head">
        <span className="ds-warn-summary" data-testid="ds-warn-summary">
          {props.warnings.length} {props.warnings.length === 1 ? 'warning' : 'warnings'} in {files.size} {files.size === 1 ? 'file' : 'files'}: {severityCounts(props.warnings)}
        </span>
        <div className="ds-seg" role="group" aria-label="Group warnings">
          <button type="button" className={view === 'kind' ? 'btn btn-sm is-on' : 'btn btn-sm btn-ghost'} aria-pressed={view === 'kind'} onClick={() => setView('kind')} data-testid="ds-warn-by-kind">
            By kind
          </button>
          <button type="button" className={view === 'file' ? 'btn btn-sm is-on' : 'btn btn-sm btn-ghost'} aria-pressed={view === 'file'} onClick={() => setView('file')} data-testid="ds-warn-by-file">
            By file
          </button>
        </div>
      </div>
      {view === 'kind' ? (
        <ul className="ds-warn-groups">
          {kinds.map((k) => (
            <KindGroup key={k} code={k} items={props.warnings.filter((w) => w.code === k)} />
          ))}
        </ul>
      ) : (
        <ul className="ds-warn-groups">
          {fileRows.map(([file, ws]) => (
            <li key={file} className="ds-warn-group" data-testid="ds-warn-file" data-file={file}>
              <div className="ds-warn-group-head">
                <strong className="ds-warn-file">{file}</strong>
              </div>
              <ul className="ds-warn-items">
                {[...ws]
                  .sort((a, b) => bySeverityThenKind(a.code, b.code))
                  .map((w) => (
                    <li key={w.code}>
                      <SeverityBadge severity={WARNING_SEVERITY[w.code]} /> <strong>{WARNING_KIND_LABEL[w.code]}</strong>: {w.message}
                    </li>
                  ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
