// A virtualized grid of square tiles: fixed-size rows, only the rows in view (± overscan)
// exist in the DOM, columns follow the width (ResizeObserver), positions are transforms
// computed from the index — no measuring of tiles, so no layout thrash at 100,000 items.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';

export interface GridLayout {
  cols: number;
  tile: number;
  rowHeight: number;
}

export function gridLayout(width: number, minTile: number, gap: number): GridLayout {
  const cols = Math.max(1, Math.floor((width + gap) / (minTile + gap)));
  const tile = Math.max(1, (width - gap * (cols - 1)) / cols);
  return { cols, tile, rowHeight: tile + gap };
}

export function VirtualGrid(props: {
  count: number;
  minTile?: number;
  gap?: number;
  overscanRows?: number;
  /** The tile at `index`, absolutely positioned with `style`. */
  renderTile(index: number, style: CSSProperties): ReactNode;
  /** The index range in view (with overscan), to fetch those pages. */
  onRange(from: number, to: number): void;
  /** The keyboard focus: kept in view, and focused when the grid has the focus. */
  focusIndex: number;
  onKeyDown?(e: KeyboardEvent<HTMLDivElement>, layout: GridLayout & { rowsInView: number }): void;
  label: string;
  testId?: string;
  /** Changes when the data under the tiles changes (re-render without re-measuring). */
  version: number;
}) {
  const { count, minTile = 172, gap = 8, overscanRows = 3, onRange, focusIndex } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [scrollTop, setScrollTop] = useState(0);
  const frame = useRef<number | null>(null);
  const pendingFocus = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      if (scroller.current) setScrollTop(scroller.current.scrollTop);
    });
  }, []);
  useEffect(() => () => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
  }, []);

  const layout = gridLayout(size.width, minTile, gap);
  const rows = Math.ceil(count / layout.cols);
  const totalHeight = Math.max(0, rows * layout.rowHeight - gap);
  const firstRow = Math.max(0, Math.floor(scrollTop / layout.rowHeight) - overscanRows);
  const lastRow = Math.min(rows - 1, Math.ceil((scrollTop + size.height) / layout.rowHeight) + overscanRows);
  const from = firstRow * layout.cols;
  const to = Math.min(count, (lastRow + 1) * layout.cols);

  useEffect(() => {
    if (size.width > 0) onRange(from, Math.max(from + 1, to));
  }, [from, to, onRange, size.width]);

  // Keep the focused tile in view; focus it once it is rendered (keyboard moves only).
  useEffect(() => {
    const el = scroller.current;
    if (!el || size.width === 0 || focusIndex < 0) return;
    const row = Math.floor(focusIndex / layout.cols);
    const top = row * layout.rowHeight;
    const bottom = top + layout.tile;
    let next = el.scrollTop;
    if (top < el.scrollTop) next = top;
    else if (bottom > el.scrollTop + el.clientHeight) next = bottom - el.clientHeight;
    // The scroll event that follows renders the rows now in view.
    if (next !== el.scrollTop) el.scrollTop = next;
    if (el.contains(document.activeElement)) pendingFocus.current = focusIndex;
  }, [focusIndex, layout.cols, layout.rowHeight, layout.tile, size.width]);
  useLayoutEffect(() => {
    if (pendingFocus.current === null) return;
    const tile = scroller.current?.querySelector<HTMLElement>(`[data-index="${pendingFocus.current}"]`);
    if (tile) {
      tile.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
  });

  const tiles: ReactNode[] = [];
  if (size.width > 0) {
    for (let i = from; i < to; i++) {
      const r = Math.floor(i / layout.cols);
      const c = i % layout.cols;
      tiles.push(
        props.renderTile(i, {
          position: 'absolute',
          top: 0,
          left: 0,
          width: layout.tile,
          height: layout.tile,
          transform: `translate(${c * (layout.tile + gap)}px, ${r * layout.rowHeight}px)`,
        }),
      );
    }
  }

  return (
    <div
      ref={scroller}
      className="vgrid"
      role="listbox"
      aria-multiselectable="true"
      aria-label={props.label}
      data-testid={props.testId}
      data-cols={layout.cols}
      data-rendered={tiles.length}
      onScroll={onScroll}
      onKeyDown={(e) => props.onKeyDown?.(e, { ...layout, rowsInView: Math.max(1, Math.floor(size.height / layout.rowHeight)) })}
    >
      <div className="vgrid-inner" role="presentation" style={{ height: totalHeight }}>
        {tiles}
      </div>
    </div>
  );
}
