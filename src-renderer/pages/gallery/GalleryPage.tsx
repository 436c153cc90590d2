// The Gallery: every indexed image in a virtualized grid, searchable and filterable, with a
// detail view (parameters, Remix/Re-run into Generate, favourite, tags, delete with undo)
// and bulk actions on a selection (favourite, delete, export with progress).
import { useCallback, useEffect, useState, type CSSProperties, type ReactElement } from 'react';
import { EmptyState, PageHeader } from '../../components/Controls';
import { SearchIcon } from '../../components/Icons';
import { useAppInfo } from '../../stores/app-info';
import { isActive } from '../../stores/jobs';
import { usePresets } from '../../stores/presets';
import { studio } from '../../transport/client';
import { DetailView } from './DetailView';
import { ExportProgress } from './ExportProgress';
import { GalleryFilters } from './GalleryFilters';
import { GalleryTile, TILE_CAPTION_PX } from './GalleryTile';
import { useTileFit } from './use-tile-fit';
import './gallery.css';
import { GalleryToolbar } from './GalleryToolbar';
import { NoImagesYet } from './NoImagesYet';
import { SelectionBar } from './SelectionBar';
import { SourcesMenu } from './SourcesMenu';
import { useGalleryChanged, useGallerySearch, type Facets } from './use-gallery';
import { useGalleryActions } from './use-gallery-actions';
import { useGalleryExport } from './use-gallery-export';
import { useGalleryFilters } from './use-gallery-filters';
import { useGalleryKeys } from './use-gallery-keys';
import { useGallerySelection } from './use-gallery-selection';
import { VirtualGrid } from './VirtualGrid';

export function GalleryPage(): ReactElement {
  const info = useAppInfo((s) => s.info);
  const presets = usePresets((s) => s.view);
  const loadPresets = usePresets((s) => s.load);
  const isElectron = info?.transport === 'electron';

  const { text, setText, settledText, searching, filters, setFilters, sort, setSortChoice, query, active, clearFilters } = useGalleryFilters();
  const data = useGallerySearch(query);
  const total = data.total ?? 0;

  const [facets, setFacets] = useState<Facets | null>(null);
  const loadFacets = useCallback(() => {
    studio.gallery.facets().then(setFacets, () => undefined);
  }, []);
  useEffect(() => {
    loadFacets();
    void loadPresets();
  }, [loadFacets, loadPresets]);
  useGalleryChanged(() => {
    data.refresh();
    loadFacets();
  });

  const { selected, setSelected, focusIndex, setFocusIndex, openIndex, setOpenIndex, onPointer, toggleFocused, selectAll, moveFocus } = useGallerySelection(
    data,
    JSON.stringify(query),
  );
  const { targetIds, setFavourite, toggleFavourite, deleteImages, remix } = useGalleryActions({
    data,
    total,
    presets,
    selected,
    focusIndex,
    setSelected,
    setOpenIndex,
    loadFacets,
  });
  const { exportJob, setExportJobId, exportPath, setExportPath, startExport } = useGalleryExport(selected, info);
  const onGridKey = useGalleryKeys({
    data,
    total,
    focusIndex,
    selected,
    setSelected,
    setOpenIndex,
    toggleFocused,
    selectAll,
    moveFocus,
    targetIds,
    deleteImages,
    toggleFavourite,
  });

  const [fit, setFit] = useTileFit();
  const renderTile = useCallback(
    (index: number, style: CSSProperties) => {
      const img = data.at(index);
      return (
        <GalleryTile
          // By position: the element stays when its page arrives (an id key remounted it).
          key={index}
          index={index}
          image={img}
          style={style}
          selected={img ? selected.has(img.id) : false}
          focused={index === focusIndex}
          fit={fit}
          onPointer={onPointer}
          onOpen={setOpenIndex}
        />
      );
    },
    // data.version: re-render tiles when pages arrive or an image changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data, data.version, selected, focusIndex, onPointer, fit],
  );

  const openImage = openIndex !== null ? data.at(openIndex) : undefined;
  useEffect(() => {
    if (openIndex !== null && !openImage) data.ensure(openIndex, openIndex + 1);
  }, [openIndex, openImage, data]);
  const moveOpen = (delta: number) => {
    if (openIndex === null) return;
    const n = Math.max(0, Math.min(total - 1, openIndex + delta));
    setOpenIndex(n);
    setFocusIndex(n);
  };
  const closeDetail = () => {
    setOpenIndex(null);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`.vgrid [data-index="${focusIndex}"]`)?.focus({ preventScroll: true }));
  };

  const noImagesYet = data.total === 0 && !active && !data.error;
  const noResults = data.total === 0 && active;
  const selectedImages = selected.size;
  const exportRunning = exportJob && isActive(exportJob);

  return (
    <div className="page page-gallery" data-testid="page-gallery">
      <PageHeader
        title="Gallery"
        description="Every image the studio makes, with the prompt and settings that made it."
        actions={<SourcesMenu />}
      />

      {noImagesYet ? null : (
        <>
          <GalleryToolbar text={text} setText={setText} sort={sort} setSort={setSortChoice} searching={searching} total={data.total} focusIndex={focusIndex} fit={fit} setFit={setFit} />
          <GalleryFilters filters={filters} setFilters={setFilters} facets={facets} active={active} onClear={clearFilters} />
        </>
      )}

      {selectedImages > 0 || exportPath !== null ? (
        <SelectionBar
          count={selectedImages}
          exportPath={exportPath}
          setExportPath={setExportPath}
          onExport={startExport}
          onFavourite={() => toggleFavourite([...selected])}
          onDelete={() => deleteImages([...selected])}
          onClear={() => setSelected(new Set())}
        />
      ) : null}

      {exportJob && (exportRunning || exportJob.state !== 'succeeded') ? <ExportProgress job={exportJob} onHide={() => setExportJobId(null)} /> : null}

      {data.error ? (
        <div className="callout is-danger" role="alert" data-testid="gallery-error">
          <div>
            <div className="callout-title">Can’t read the gallery</div>
            <p>{data.error}</p>
            <button type="button" className="btn btn-sm" onClick={() => data.refresh()}>
              Try again
            </button>
          </div>
        </div>
      ) : null}

      {noImagesYet || (data.error && data.total === null) ? (
        <NoImagesYet />
      ) : noResults ? (
        <EmptyState
          icon={<SearchIcon size={28} />}
          title="No images match"
          testId="gallery-no-results"
          actions={
            <button type="button" className="btn btn-primary" onClick={clearFilters} data-testid="gallery-no-results-clear">
              Clear search and filters
            </button>
          }
        >
          <p>{settledText.trim() ? `Nothing matches “${settledText.trim()}” with the filters chosen.` : 'Nothing matches the filters chosen.'}</p>
        </EmptyState>
      ) : data.total === null ? (
        <div className="vgrid-loading" aria-busy="true" data-testid="gallery-loading" />
      ) : (
        <VirtualGrid
          count={total}
          renderTile={renderTile}
          onRange={data.ensure}
          focusIndex={focusIndex}
          onKeyDown={onGridKey}
          label="Images"
          testId="gallery-grid"
          version={data.version}
          below={TILE_CAPTION_PX}
        />
      )}
      {total > 0 ? (
        <p className="muted small gallery-keys">
          Click to select · Shift/Ctrl-click for more · Open (or double-click, Enter) shows it large · arrows move · F favourite · Delete · Space toggles
        </p>
      ) : null}

      {openIndex !== null && openImage ? (
        <DetailView
          key="detail"
          image={openImage}
          index={openIndex}
          total={total}
          canReveal={isElectron}
          canOpen={isElectron}
          onClose={closeDetail}
          onPrev={() => moveOpen(-1)}
          onNext={() => moveOpen(1)}
          onFavourite={() => setFavourite([openImage], !openImage.favourite)}
          onDelete={() => deleteImages([openImage.id])}
          onRemix={() => remix(openImage, false)}
          onRerun={() => remix(openImage, true)}
          onUpdated={(img) => {
            data.patch(img);
            loadFacets();
          }}
        />
      ) : null}
    </div>
  );
}
