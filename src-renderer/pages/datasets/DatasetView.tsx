// One dataset: settings (trigger word, resolutions), actions (check, train, auto-caption),
// and tabs for the caption editor, the bucket preview and the last import report.
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import type { CheckReport, Dataset, DatasetItem } from '@shared/contract/datasets';
import { reportError, notify } from '../../stores/toasts';
import { StudioCallError, studio } from '../../transport/client';
import { BucketView } from './BucketView';
import { CaptionGrid } from './CaptionGrid';
import { ReportView } from './ReportView';
import { TaggingDialog } from './tagging/TaggingDialog';
import { openTrainingFor } from '../../handoffs/train';

type Tab = 'captions' | 'buckets' | 'report';

export function DatasetView(props: { dataset: Dataset; showReport: number | null; onChanged(): void }): ReactElement {
  const ds = props.dataset;
  const [tab, setTab] = useState<Tab>(props.showReport ? 'report' : 'captions');
  const [items, setItems] = useState<DatasetItem[] | null>(null);
  const [trigger, setTrigger] = useState(ds.trigger);
  const [resText, setResText] = useState(ds.resolutions.join(', '));
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [check, setCheck] = useState<CheckReport | null>(null);
  const [tagging, setTagging] = useState(false);
  const [selection, setSelection] = useState<readonly string[]>([]);

  const loadItems = useCallback(() => {
    studio.datasets.items({ name: ds.name }).then(setItems, reportError);
  }, [ds.name]);

  useEffect(() => {
    loadItems();
    return studio.on('datasets.changed', (e) => {
      if (e.name === ds.name) loadItems();
    });
  }, [ds.name, loadItems]);
  // A finished import shows its report (the page passes a new nonce each time).
  const [seenReport, setSeenReport] = useState(props.showReport);
  if (props.showReport !== seenReport) {
    setSeenReport(props.showReport);
    if (props.showReport) setTab('report');
  }

  const saveSettings = async () => {
    setFieldError(null);
    const resolutions = resText.split(/[ ,]+/).filter((x) => x !== '').map(Number);
    if (trigger === ds.trigger && resolutions.join(',') === ds.resolutions.join(',')) return;
    try {
      await studio.datasets.update({ name: ds.name, trigger, resolutions });
      props.onChanged();
    } catch (err) {
      if (err instanceof StudioCallError) setFieldError(err.fieldMessage);
      else reportError(err);
    }
  };

  const runCheck = async () => {
    try {
      const r = await studio.datasets.check({ name: ds.name });
      setCheck(r);
      setTab('report');
      props.onChanged();
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <section className="ds-view" aria-label={`Dataset ${ds.name}`} data-testid="ds-view">
      <header className="ds-view-head">
        <div>
          <h2 className="ds-h2" data-testid="ds-title">
            {ds.name}
          </h2>
          <p className="muted ds-path" title={ds.dir}>
            {ds.counts.images} images · {ds.counts.captioned} captioned · {ds.counts.uncaptioned} without caption{ds.inPlace ? ' · in place' : ''} · <code>{ds.dir}</code>
          </p>
        </div>
        <div className="ds-view-actions" data-testid="ds-view-actions">
          <button type="button" className="btn" onClick={() => void runCheck()} data-testid="ds-check">
            Check
          </button>
          <button type="button" className="btn" onClick={() => setTagging(true)} data-testid="ds-autocaption">
            Auto-caption…
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => {
              const question = ds.inPlace
                ? `Forget the dataset “${ds.name}”? Its folder ${ds.dir} stays as it is.`
                : `Delete the dataset “${ds.name}” and its folder (${ds.counts.images} images and their captions)?`;
              if (!window.confirm(question)) return;
              studio.datasets.delete({ name: ds.name, deleteFiles: !ds.inPlace }).then(() => props.onChanged(), reportError);
            }}
            data-testid="ds-delete"
          >
            {ds.inPlace ? 'Forget' : 'Delete'}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => openTrainingFor(ds.name)} data-testid="ds-train">
            Train LoRA
          </button>
        </div>
      </header>
      <div className="ds-settings">
        <div className="ds-field">
          <label htmlFor="ds-trigger">Trigger word</label>
          <input
          id="ds-trigger"
          className="input input-sm"
          value={trigger}
          placeholder="e.g. sks"
          onChange={(e) => setTrigger(e.target.value)}
          onBlur={() => void saveSettings()}
          onKeyDown={(e) => e.key === 'Enter' && void saveSettings()}
          data-testid="ds-trigger"
            aria-describedby="ds-trigger-help"
          />
          <span className="muted ds-field-help" id="ds-trigger-help" data-testid="ds-trigger-help">
            fills in [trigger]
          </span>
        </div>
        <div className="ds-field">
          <label htmlFor="ds-res-edit">Resolutions</label>
          <input id="ds-res-edit" className="input input-sm" value={resText} aria-describedby="ds-res-help" onChange={(e) => setResText(e.target.value)} onBlur={() => void saveSettings()} onKeyDown={(e) => e.key === 'Enter' && void saveSettings()} />
          <span className="muted ds-field-help" id="ds-res-help">
            px, multiples of 64
          </span>
        </div>
        {fieldError ? (
          <span className="field-error" role="alert">
            {fieldError}
          </span>
        ) : null}
      </div>
      <div className="ds-tabs" role="tablist" aria-label="Dataset views">
        {(['captions', 'buckets', 'report'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'ds-tab is-on' : 'ds-tab'} onClick={() => setTab(t)} data-testid={`ds-tab-${t}`}>
            {t === 'captions' ? 'Captions' : t === 'buckets' ? 'Buckets' : 'Import report'}
          </button>
        ))}
      </div>
      {tab === 'captions' ? (
        items === null ? (
          <p className="muted">Loading images…</p>
        ) : (
          <CaptionGrid dataset={ds} items={items} onReload={() => void loadItems()} onSelectionChange={setSelection} />
        )
      ) : tab === 'buckets' ? (
        <BucketView dataset={ds} />
      ) : (
        <ReportView dataset={ds.name} check={check} nonce={props.showReport} />
      )}
      {tagging ? (
        // Mount point for the auto-captioning dialog (owned by the tagging module).
        <TaggingDialog
          dataset={ds.name}
          selection={selection}
          onClose={() => setTagging(false)}
          onChanged={() => {
            loadItems();
            notify('Captions updated');
          }}
        />
      ) : null}
    </section>
  );
}
