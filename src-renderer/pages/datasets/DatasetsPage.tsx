// Datasets: the list (counts, warnings), a drop zone that covers the whole page plus file
// and folder pickers, the import form and its report, and the editor of the selected
// dataset (pages/datasets/DatasetView.tsx).
import { useCallback, useEffect, useRef, useState, type DragEvent, type ReactElement } from 'react';
import type { Dataset } from '@shared/contract/datasets';
import { PageHeader } from '../../components/Controls';
import { UploadIcon } from '../../components/Icons';
import { useAppInfo } from '../../stores/app-info';
import { useJobs } from '../../stores/jobs';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { DatasetView } from './DatasetView';
import { ImportForm } from './ImportForm';
import { readDrop, readPicked, type Dropped } from './upload';
import './datasets.css';

export function DatasetsPage(): ReactElement {
  const info = useAppInfo((s) => s.info);
  const [datasets, setDatasets] = useState<Dataset[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const [dropped, setDropped] = useState<Dropped | null>(null);
  const [reportFor, setReportFor] = useState<{ name: string; nonce: number } | null>(null);
  const depth = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const load = useCallback(() => {
    studio.datasets.list().then((list) => {
      setDatasets(list);
      setSelected((cur) => (cur && list.some((d) => d.name === cur) ? cur : (list[0]?.name ?? null)));
    }, reportError);
  }, []);

  useEffect(() => {
    load();
    const offChanged = studio.on('datasets.changed', () => load());
    const offReconnect = studio.onReconnect(() => load());
    return () => {
      offChanged();
      offReconnect();
    };
  }, [load]);

  const onDragEnter = (e: DragEvent) => {
    if (!Array.from(e.dataTransfer.types).includes('Files')) return;
    e.preventDefault();
    depth.current++;
    setOver(true);
  };
  const onDragOver = (e: DragEvent) => {
    if (!Array.from(e.dataTransfer.types).includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDragLeave = () => {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setOver(false);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    depth.current = 0;
    setOver(false);
    void readDrop(e.dataTransfer).then((d) => (d.files.length > 0 || (d.paths?.length ?? 0) > 0 ? setDropped(d) : undefined), reportError);
  };

  const datasetsDir = info ? `${info.dataDir}${info.dataDir.includes('\\') ? '\\' : '/'}datasets` : null;
  const current = datasets?.find((d) => d.name === selected) ?? null;
  const importing = useJobs((s) => s.jobs.some((j) => j.kind === 'datasets.import' && (j.state === 'queued' || j.state === 'running')));

  return (
    <div className={over ? 'page page-wide ds-page is-over' : 'page page-wide ds-page'} data-testid="page-datasets" onDragEnter={onDragEnter} onDragOver={onDragOver} onDragLeave={onDragLeave} onDrop={onDrop}>
      <PageHeader
        title="Datasets"
        description="Folders of training images with same-named .txt captions, in ai-toolkit’s format. Drop images, folders or zips anywhere on this page."
        actions={
          <>
            <button type="button" className="btn" onClick={() => fileInput.current?.click()} data-testid="ds-pick-files">
              <UploadIcon /> Add files…
            </button>
            <button type="button" className="btn" onClick={() => folderInput.current?.click()} data-testid="ds-pick-folder">
              Add folder…
            </button>
          </>
        }
      />
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        accept="image/*,.zip,.txt,.heic,.avif,.tif,.tiff,.bmp"
        data-testid="ds-file-input"
        onChange={(e) => {
          if (e.target.files && e.target.files.length > 0) setDropped(readPicked(e.target.files));
          e.target.value = '';
        }}
      />
      <input
        ref={(el) => {
          folderInput.current = el;
          el?.setAttribute('webkitdirectory', '');
        }}
        type="file"
        multiple
        hidden
        data-testid="ds-folder-input"
        onChange={(e) => {
          if (e.target.files && e.target.files.length > 0) setDropped(readPicked(e.target.files));
          e.target.value = '';
        }}
      />
      {over ? (
        <div className="ds-drop-overlay" aria-hidden="true">
          <UploadIcon size={32} />
          <span>Drop to import</span>
        </div>
      ) : null}
      {dropped ? (
        <ImportForm
          dropped={dropped}
          datasets={datasets ?? []}
          defaultTarget={selected}
          onCancel={() => setDropped(null)}
          onStarted={(name) => {
            setSelected(name);
            load();
          }}
          onFinished={(name) => {
            setDropped(null);
            setSelected(name);
            setReportFor({ name, nonce: Date.now() });
            load();
          }}
        />
      ) : null}
      {datasets === null ? (
        <p className="muted">Loading…</p>
      ) : datasets.length === 0 ? (
        <section className="dropzone" data-testid="datasets-empty" aria-label="Dataset drop zone">
          <div className="empty-icon">
            <UploadIcon size={28} />
          </div>
          <h2 className="empty-title">Drop images, a folder or a zip here to start a dataset</h2>
          <div className="empty-body">
            <p>
              Each image can have a caption in a same-named <code>.txt</code> file (<code>cat_01.jpg</code> + <code>cat_01.txt</code>); captions come along on import. Use{' '}
              <code>[trigger]</code> in captions for the dataset’s trigger word.
            </p>
            {datasetsDir ? (
              <p className="muted">
                Copies live in <code className="path">{datasetsDir}</code>; in the desktop app you can also use a folder where it is.
              </p>
            ) : null}
          </div>
        </section>
      ) : (
        <div className="ds-layout">
          <nav className="ds-list" aria-label="Datasets" data-testid="ds-list">
            {datasets.map((d) => (
              <button
                key={d.name}
                type="button"
                className={d.name === selected ? 'ds-list-item is-selected' : 'ds-list-item'}
                aria-current={d.name === selected ? 'true' : undefined}
                onClick={() => setSelected(d.name)}
                data-testid="ds-list-item"
                data-name={d.name}
              >
                <span className="ds-list-name">{d.name}</span>
                <span className="ds-list-counts muted">
                  {d.counts.images} images · {d.counts.captioned} captioned
                  {d.counts.warnings > 0 ? <span className="ds-warn-count"> · {d.counts.warnings} warnings</span> : null}
                  {!d.present ? <span className="ds-warn-count"> · folder missing</span> : null}
                </span>
              </button>
            ))}
            {importing ? <p className="muted ds-list-note">Importing…</p> : null}
          </nav>
          {current ? <DatasetView key={current.name} dataset={current} showReport={reportFor?.name === current.name ? reportFor.nonce : null} onChanged={() => void load()} /> : null}
        </div>
      )}
    </div>
  );
}
