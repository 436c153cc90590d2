import { useState, type DragEvent, type ReactElement } from 'react';
import { PageHeader } from '../components/controls';
import { UploadIcon } from '../components/icons';
import { useAppInfo } from '../stores/app-info';
import { notify } from '../stores/toasts';

export function DatasetsPage(): ReactElement {
  const info = useAppInfo((s) => s.info);
  const [over, setOver] = useState(false);
  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent) => {
    // Keep the browser from navigating to the dropped file; say plainly that nothing happened.
    e.preventDefault();
    setOver(false);
    notify('Importing datasets is not available yet — nothing was copied. It arrives with the next update.');
  };
  const datasetsDir = info ? `${info.dataDir}${info.dataDir.includes('\\') ? '\\' : '/'}datasets` : null;
  return (
    <div className="page" data-testid="page-datasets">
      <PageHeader
        title="Datasets"
        description="Folders of training images with same-named .txt captions, in ai-toolkit’s format."
      />
      <section
        className={over ? 'dropzone is-over' : 'dropzone'}
        data-testid="datasets-empty"
        aria-label="Dataset drop zone"
        onDragOver={onDragOver}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <div className="empty-icon">
          <UploadIcon size={28} />
        </div>
        <h2 className="empty-title">Drop a folder of images here to start a dataset</h2>
        <div className="empty-body">
          <p>
            Each image can have a caption in a same-named <code>.txt</code> file (<code>cat_01.jpg</code> +{' '}
            <code>cat_01.txt</code>). Use a trigger word such as <code>[trigger]</code> in captions to teach the LoRA a new concept.
          </p>
          <p className="muted">
            Importing and auto-captioning arrive in the next update; dropping a folder here does nothing yet.
            {datasetsDir ? (
              <>
                {' '}
                Datasets will live in <code className="path">{datasetsDir}</code>.
              </>
            ) : null}
          </p>
        </div>
      </section>
      <ol className="steps" aria-label="How a dataset is made">
        <li>
          <span className="step-num">1</span>
          <div>
            <div className="step-title">Collect 10–30 images</div>
            <p className="muted">Varied angles and lighting of one subject or style; 1024px or larger works best.</p>
          </div>
        </li>
        <li>
          <span className="step-num">2</span>
          <div>
            <div className="step-title">Caption them</div>
            <p className="muted">Write captions by hand, or let the tagger draft them for you to edit.</p>
          </div>
        </li>
        <li>
          <span className="step-num">3</span>
          <div>
            <div className="step-title">Train a LoRA</div>
            <p className="muted">Pick the dataset on the Train page and start a run on your pod.</p>
          </div>
        </li>
      </ol>
    </div>
  );
}
