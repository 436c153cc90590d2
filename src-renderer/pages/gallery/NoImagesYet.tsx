// The gallery's empty state before any image exists: where images are saved, the way to
// Generate, and adding a folder of images made elsewhere.
import type { ReactElement } from 'react';
import { EmptyState } from '../../components/Controls';
import { ArrowRightIcon, GalleryIcon } from '../../components/Icons';
import { useAppInfo } from '../../stores/app-info';
import { navigate } from '../../stores/router';
import { useSettings } from '../../stores/settings';
import { reportError } from '../../stores/toasts';
import { studio } from '../../transport/client';
import { AddFolderForm } from './SourcesMenu';

export function NoImagesYet(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const isElectron = useAppInfo((s) => s.info?.transport === 'electron');
  return (
    <EmptyState
      icon={<GalleryIcon size={28} />}
      title="No images yet"
      testId="gallery-empty"
      actions={
        <>
          <button type="button" className="btn btn-primary" onClick={() => navigate('generate')}>
            Go to Generate <ArrowRightIcon />
          </button>
          {isElectron && settings ? (
            <button
              type="button"
              className="btn"
              onClick={() => {
                studio.app.revealPath({ path: settings.outputDir }).catch(reportError);
              }}
            >
              Show output folder
            </button>
          ) : null}
          <button type="button" className="btn btn-ghost" onClick={() => navigate('settings')}>
            Change output folder
          </button>
        </>
      }
    >
      <p>Images you generate are saved to</p>
      <p>
        <code className="path" data-testid="gallery-output-dir">
          {settings?.outputDir ?? '…'}
        </code>
      </p>
      <p>and appear here, newest first, searchable by prompt. Already have images from another tool? Add their folder: they are indexed with the parameters found inside them.</p>
      <div className="empty-add-folder">
        <AddFolderForm testId="gallery-empty-add-folder" />
      </div>
    </EmptyState>
  );
}
