import type { ReactElement, ReactNode } from 'react';
import { hrefFor, type PageId } from '../stores/router';
import { useAppInfo } from '../stores/app-info';
import { ChipIcon, FolderIcon, GalleryIcon, LogoMark, SettingsIcon, SparkIcon, TrainIcon } from './Icons';
import { Kbd } from './Controls';
import { JobsTrayButton } from './JobsTray';

export const NAV: readonly { id: PageId; label: string; icon: ReactNode }[] = [
  { id: 'generate', label: 'Generate', icon: <SparkIcon /> },
  { id: 'gallery', label: 'Gallery', icon: <GalleryIcon /> },
  { id: 'datasets', label: 'Datasets', icon: <FolderIcon /> },
  { id: 'train', label: 'Train', icon: <TrainIcon /> },
  { id: 'pods', label: 'Pods', icon: <ChipIcon /> },
  { id: 'settings', label: 'Settings', icon: <SettingsIcon /> },
];

export function Sidebar(props: { current: PageId }): ReactElement {
  const info = useAppInfo((s) => s.info);
  return (
    <div className="sidebar-rail">
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <LogoMark size={24} />
        <span className="brand-name">FLUX Studio</span>
      </div>
      <ul className="nav-list">
        {NAV.map((item, i) => {
          const current = item.id === props.current;
          return (
            <li key={item.id}>
              <a
                href={hrefFor(item.id)}
                className={current ? 'nav-item is-current' : 'nav-item'}
                aria-current={current ? 'page' : undefined}
                aria-keyshortcuts={`Alt+${i + 1}`}
                title={`${item.label} (Alt+${i + 1})`}
                data-testid={`nav-${item.id}`}
              >
                <span className="nav-icon">{item.icon}</span>
                <span className="nav-label">{item.label}</span>
                <span className="nav-shortcut" aria-hidden="true">
                  <Kbd>Alt</Kbd>
                  <Kbd>{i + 1}</Kbd>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      <div className="sidebar-footer">
        <JobsTrayButton />
        <div className="sidebar-meta" data-testid="sidebar-version">
          {info ? `v${info.version} · ${info.transport === 'electron' ? 'desktop' : 'browser'}` : '\u00a0'}
        </div>
      </div>
    </nav>
    </div>
  );
}
