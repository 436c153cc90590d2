// The last import report (every input file with its outcome) and, after "Check", the check.
import { useEffect, useState, type ReactElement } from 'react';
import type { CheckReport, ImportReport } from '@shared/contract/datasets';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { WarningList, severityCounts } from './WarningList';

const OUTCOME_LABEL = { accepted: 'Accepted', converted: 'Converted', rejected: 'Rejected', caption: 'Caption', ignored: 'Ignored' } as const;

export function ReportView(props: { dataset: string; check: CheckReport | null; nonce: number | null }): ReactElement {
  const [report, setReport] = useState<ImportReport | null | undefined>(undefined);
  const [onlyProblems, setOnlyProblems] = useState(true);
  useEffect(() => {
    let live = true;
    studio.datasets.report({ name: props.dataset }).then((r) => live && setReport(r), reportError);
    return () => {
      live = false;
    };
  }, [props.dataset, props.nonce]);
  return (
    <div className="ds-report" data-testid="ds-report">
      {props.check ? (
        <section aria-label="Check" data-testid="ds-check-result">
          <h3 className="ds-h3">
            Check: {props.check.accepted.length} images OK, {props.check.rejected.length} rejected, {severityCounts(props.check.warnings)}
          </h3>
          {props.check.rejected.length > 0 ? (
            <ul className="ds-report-list">
              {props.check.rejected.map((r) => (
                <li key={r.file} className="is-rejected">
                  <strong>{r.file}</strong>: {r.reason}
                </li>
              ))}
            </ul>
          ) : null}
          <WarningList warnings={props.check.warnings} testId="ds-check-warnings" />
        </section>
      ) : null}
      {report === undefined ? (
        <p className="muted">Loading…</p>
      ) : report === null ? (
        <p className="muted">No import report yet.</p>
      ) : (
        <section aria-label="Import report">
          <h3 className="ds-h3" data-testid="ds-report-totals">
            Last import: {report.totals.accepted} accepted, {report.totals.converted} converted, {report.totals.rejected} rejected, {report.totals.caption} captions, {report.totals.ignored} ignored ·{' '}
            {severityCounts(report.warnings)}
          </h3>
          <label className="ds-row">
            <input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems(e.target.checked)} /> Only rejected, converted and ignored files
          </label>
          <table className="ds-table ds-report-table">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Outcome</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {report.entries
                .filter((e) => !onlyProblems || (e.outcome !== 'accepted' && e.outcome !== 'caption'))
                .map((e, i) => (
                  <tr key={`${e.source}-${i}`} className={`is-${e.outcome}`} data-testid="ds-report-row">
                    <td>{e.source}</td>
                    <td>{OUTCOME_LABEL[e.outcome]}</td>
                    <td>
                      {e.file && e.file !== e.source ? `→ ${e.file} ` : ''}
                      {e.reason ?? ''}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          {report.warnings.length > 0 ? (
            <>
              <h3 className="ds-h3">Warnings</h3>
              <WarningList warnings={report.warnings} testId="ds-report-warnings" />
            </>
          ) : null}
        </section>
      )}
    </div>
  );
}
