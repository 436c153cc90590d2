import type { ReactElement } from 'react';
import { EmptyState, PageHeader } from '../components/controls';
import { ArrowRightIcon, GalleryIcon } from '../components/icons';
import { useSettings } from '../stores/settings';
import { useAppInfo } from '../stores/app-info';
import { navigate } from '../stores/router';
import { studio } from '../transport/client';
import { reportError } from '../stores/toasts';

export function GalleryPage(): ReactElement {
  const settings = useSettings((s) => s.settings);
  const info = useAppInfo((s) => s.info);
  const canReveal = info?.transport === 'electron';
  return (
    <div className="page" data-testid="page-gallery">
      <PageHeader title="Gallery" description="Every image the studio makes, with the prompt and settings that made it." />
      <EmptyState
        icon={<GalleryIcon size={28} />}
        title="No images yet"
        testId="gallery-empty"
        actions={
          <>
            <button type="button" className="btn btn-primary" onClick={() => navigate('generate')}>
              Go to Generate <ArrowRightIcon />
            </button>
            {canReveal && settings ? (
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
        <p>Generate one on the Generate page. Images saved to</p>
        <p>
          <code className="path" data-testid="gallery-output-dir">
            {settings?.outputDir ?? '…'}
          </code>
        </p>
        <p>appear here, newest first, searchable by prompt.</p>
      </EmptyState>
    </div>
  );
}
