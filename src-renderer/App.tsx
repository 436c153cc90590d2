import { useEffect, useRef, useState, type ReactElement } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner';
import { JobsPanel } from './components/JobsTray';
import { Sidebar } from './components/Sidebar';
import { SpendChip } from './components/SpendChip';
import { Toasts } from './components/Toasts';
import { DatasetsPage } from './pages/datasets/DatasetsPage';
import { GalleryPage } from './pages/gallery/GalleryPage';
import { GeneratePage } from './pages/generate/GeneratePage';
import { PodsPage } from './pages/pods/PodsPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { TrainPage } from './pages/train/TrainPage';
import { useAppInfo } from './stores/app-info';
import { useJobs, wireJobEvents } from './stores/jobs';
import { navigate, PAGES, useRoute, type PageId } from './stores/router';
import { useSettings, wireSettingsEvents } from './stores/settings';
import { StudioCallError, studio } from './transport/client';
import { LogoMark } from './components/Icons';

const TITLES: Record<PageId, string> = {
  generate: 'Generate',
  gallery: 'Gallery',
  datasets: 'Datasets',
  train: 'Train',
  pods: 'Pods',
  settings: 'Settings',
};

function Page(props: { id: PageId }): ReactElement {
  switch (props.id) {
    case 'generate':
      return <GeneratePage />;
    case 'gallery':
      return <GalleryPage />;
    case 'datasets':
      return <DatasetsPage />;
    case 'train':
      return <TrainPage />;
    case 'pods':
      return <PodsPage />;
    case 'settings':
      return <SettingsPage />;
  }
}

/** Alt+1..6 switch pages from anywhere (by physical key, so it works on any layout and on macOS). */
function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
      const page = m ? PAGES[Number(m[1]) - 1] : undefined;
      if (!page) return;
      e.preventDefault();
      navigate(page);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

type Boot = { state: 'loading' } | { state: 'ready' } | { state: 'forbidden'; message: string } | { state: 'failed'; message: string };

function useBoot(): Boot {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  useEffect(() => {
    wireSettingsEvents();
    wireJobEvents();
    let cancelled = false;
    studio.app
      .info()
      .then((info) => {
        if (cancelled) return;
        useAppInfo.setState({ info });
        setBoot({ state: 'ready' });
        void useSettings.getState().load();
        void useJobs.getState().load();
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        const message = err instanceof Error ? err.message : String(err);
        setBoot(err instanceof StudioCallError && err.code === 'forbidden' ? { state: 'forbidden', message } : { state: 'failed', message });
      });
    return () => {
      cancelled = true;
    };
  }, []);
  return boot;
}

function BootScreen(props: { title: string; message: string; testId: string; retry?: boolean }): ReactElement {
  return (
    <main className="boot-screen" data-testid={props.testId}>
      <div className="boot-card">
        <LogoMark size={32} />
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        {props.retry ? (
          <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
            Try again
          </button>
        ) : null}
      </div>
    </main>
  );
}

export function App(): ReactElement {
  const route = useRoute();
  const boot = useBoot();
  const mainRef = useRef<HTMLElement>(null);
  const firstRoute = useRef(true);
  useShortcuts();

  useEffect(() => {
    document.title = `${TITLES[route]} · FLUX Studio`;
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    // Moving between pages: put focus on the new page's heading so screen readers and Tab start there.
    const heading = mainRef.current?.querySelector<HTMLElement>('[data-page-heading]');
    heading?.focus({ preventScroll: true });
    window.scrollTo({ top: 0 });
  }, [route]);

  if (boot.state === 'forbidden') return <BootScreen title="Access token needed" message={boot.message} testId="boot-forbidden" />;
  if (boot.state === 'failed')
    return <BootScreen title="Can’t reach the studio" message={boot.message} testId="boot-failed" retry />;

  return (
    <div className="app" data-testid="app" data-ready={boot.state === 'ready'}>
      <a className="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        mainRef.current?.querySelector<HTMLElement>('[data-page-heading]')?.focus();
      }}>
        Skip to content
      </a>
      <Sidebar current={route} />
      <main id="main" className="main" ref={mainRef}>
        <ConnectionBanner />
        {boot.state === 'ready' ? (
          <div className="app-header">
            <SpendChip />
          </div>
        ) : null}
        {boot.state === 'loading' ? <div className="page-loading" aria-busy="true" /> : <Page id={route} />}
      </main>
      <JobsPanel />
      <Toasts />
    </div>
  );
}
