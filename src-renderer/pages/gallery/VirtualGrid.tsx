// A virtualized grid of square tiles: fixed-size rows, only the rows in view (± overscan)
// exist in the DOM, columns follow the width (ResizeObserver), positions are transforms
// computed from the index — no measuring of tiles, so no layout thrash at 100,000 items.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';

export interface GridLayout {
  cols: number;
  tile: number;
  rowHeight: number;
}

/** `below`: a fixed strip under each square tile (the gallery's caption), part of its row. */
export function gridLayout(width: number, minTile: number, gap: number, below = 0): GridLayout {
  const cols = Math.max(1, Math.floor((width + gap) / (minTile + gap)));
  const tile = Math.max(1, (width - gap * (cols - 1)) / cols);
  return { cols, tile, rowHeight: tile + below + gap };
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
  /** Height of a strip under each square (a caption); 0: square tiles. */
  below?: number;
}) {
  const { count, minTile = 172, gap = 8, overscanRows = 3, onRange, focusIndex, below = 0 } = props;
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

  const layout = gridLayout(size.width, minTile, gap, below);
  // Scrolling within a row changes nothing rendered: keep the scroll position as the first
  // row in view, so React re-renders only when a row enters or leaves.
  const rowHeightRef = useRef(layout.rowHeight);
  useLayoutEffect(() => {
    rowHeightRef.current = layout.rowHeight;
  }, [layout.rowHeight]);
  const onScroll = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const el = scroller.current;
      if (el) setScrollTop(Math.floor(el.scrollTop / rowHeightRef.current) * rowHeightRef.current);
    });
  }, []);
  useEffect(() => () => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
  }, []);

  const rows = Math.ceil(count / layout.cols);
  const totalHeight = Math.max(0, rows * layout.rowHeight - gap);
  const firstRow = Math.max(0, Math.floor(scrollTop / layout.rowHeight) - overscanRows);
  // +1: scrollTop is rounded down to a row edge.
  const lastRow = Math.min(rows - 1, Math.ceil((scrollTop + size.height) / layout.rowHeight) + overscanRows + 1);
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
    const bottom = top + layout.tile + below;
    let next = el.scrollTop;
    if (top < el.scrollTop) next = top;
    else if (bottom > el.scrollTop + el.clientHeight) next = bottom - el.clientHeight;
    // The scroll event that follows renders the rows now in view.
    if (next !== el.scrollTop) el.scrollTop = next;
    if (!el.contains(document.activeElement)) return;
    // Focus the tile now when it is rendered, else once a later render has it.
    const tile = el.querySelector<HTMLElement>(`[data-index="${focusIndex}"]`);
    if (tile) {
      if (document.activeElement !== tile) tile.focus({ preventScroll: true });
      pendingFocus.current = null;
    } else pendingFocus.current = focusIndex;
  }, [focusIndex, layout.cols, layout.rowHeight, layout.tile, size.width, below]);
  useLayoutEffect(() => {
    if (pendingFocus.current === null) return;
    const tile = scroller.current?.querySelector<HTMLElement>(`[data-index="${pendingFocus.current}"]`);
    if (tile) {
      tile.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
  });

  // One style object per index for a layout: memoised tiles that stay in view keep equal
  // props and skip re-rendering while the grid scrolls.
  const layoutKey = `${layout.cols}:${layout.tile}:${gap}:${below}`;
  // eslint-disable-next-line react-hooks/exhaustive-deps -- a fresh cache per layout
  const byIndex = useMemo(() => new Map<number, CSSProperties>(), [layoutKey]);
  const tiles: ReactNode[] = [];
  if (size.width > 0) {
    for (let i = from; i < to; i++) {
      let style = byIndex.get(i);
      if (!style) {
        const r = Math.floor(i / layout.cols);
        const c = i % layout.cols;
        style = {
          position: 'absolute',
          top: 0,
          left: 0,
          width: layout.tile,
          height: layout.tile + below,
          transform: `translate(${c * (layout.tile + gap)}px, ${r * layout.rowHeight}px)`,
        };
        byIndex.set(i, style);
      }
      tiles.push(props.renderTile(i, style));
    }
    // Forget styles far out of view (the map stays the size of a few screens).
    if (byIndex.size > 4 * (to - from) + 256) {
      for (const k of byIndex.keys()) if (k < from || k >= to) byIndex.delete(k);
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
