/**
 * The heatmap's keyboard, free of the DOM: arrow keys move a cursor cell (Shift: ten cells), Home
 * and End go to the row's ends, Enter selects, + and − zoom around the cursor. (Escape, which
 * cancels a running sweep, and Space, which plays the selected run, are the page's: see
 * controllers/keyboard-controller.ts.) The component reports what a key means; the controllers act.
 */
import type { Cell } from '../../core/plan.ts';

export type HeatmapKeyAction =
  | { readonly kind: 'move'; readonly cell: Cell }
  | { readonly kind: 'select'; readonly cell: Cell }
  | { readonly kind: 'zoom'; readonly cell: Cell; readonly factor: number };

/** How far Shift+arrow moves the cursor. */
export const BIG_STEP = 10;

/** What a key pressed on the heatmap means, or null for a key it leaves alone. */
export function heatmapKey(key: string, shift: boolean, cursor: Cell | null, width: number, height: number): HeatmapKeyAction | null {
  if (width < 1 || height < 1) return null;
  // The first key shows the cursor where the eye starts: the middle of the map.
  const at: Cell = cursor ?? { i: Math.floor(width / 2), j: Math.floor(height / 2) };
  const clamp = (c: Cell): Cell => ({ i: Math.min(width - 1, Math.max(0, c.i)), j: Math.min(height - 1, Math.max(0, c.j)) });
  const d = shift ? BIG_STEP : 1;
  const move = (di: number, dj: number): HeatmapKeyAction => ({ kind: 'move', cell: cursor ? clamp({ i: at.i + di, j: at.j + dj }) : clamp(at) });
  switch (key) {
    case 'ArrowLeft':
      return move(-d, 0);
    case 'ArrowRight':
      return move(d, 0);
    // Row 0 is the bottom: up is j + 1.
    case 'ArrowUp':
      return move(0, d);
    case 'ArrowDown':
      return move(0, -d);
    case 'Home':
      return { kind: 'move', cell: { i: 0, j: clamp(at).j } };
    case 'End':
      return { kind: 'move', cell: { i: width - 1, j: clamp(at).j } };
    case 'Enter':
      return { kind: 'select', cell: clamp(at) };
    case '+':
    case '=':
      return { kind: 'zoom', cell: clamp(at), factor: 0.5 };
    case '-':
    case '_':
      return { kind: 'zoom', cell: clamp(at), factor: 2 };
    default:
      return null;
  }
}

/** What carryCursor reads of an axis (the heatmap's HeatmapAxis). */
export interface CursorAxis {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly scale: 'linear' | 'log';
  readonly count: number;
}

/**
 * Where the keyboard cursor goes when the map's axes change (a zoom, a new sweep): to the new cell
 * at the same point of the parameter plane, so + pressed again zooms on around the same point; null
 * (no cursor) when an axis now sweeps another parameter or the point lies outside the new map. A
 * missing axis (a one-row sweep's y) is one cell.
 */
export function carryCursor(cell: Cell, from: { readonly x: CursorAxis | null; readonly y: CursorAxis | null }, to: { readonly x: CursorAxis | null; readonly y: CursorAxis | null }): Cell | null {
  const along = (k: number, a: CursorAxis | null, b: CursorAxis | null): number | null => {
    if (!a || !b) return !a && !b ? 0 : null;
    if (a.label !== b.label || a.scale !== b.scale) return null;
    const f = (v: number): number => (a.scale === 'log' ? Math.log(v) : v);
    // Cell k's value on the old axis (cells span min..max at their centres), then its place on the new one.
    const u = a.count > 1 ? f(a.min) + ((f(a.max) - f(a.min)) * k) / (a.count - 1) : f(a.min);
    if (b.count <= 1) return a.count <= 1 && a.min === b.min ? 0 : null;
    const span = f(b.max) - f(b.min);
    if (!(span > 0)) return null;
    const at = ((u - f(b.min)) / span) * (b.count - 1);
    return at >= -0.5 && at <= b.count - 0.5 ? Math.min(b.count - 1, Math.max(0, Math.round(at))) : null;
  };
  const i = along(cell.i, from.x, to.x);
  const j = along(cell.j, from.y, to.y);
  return i === null || j === null ? null : { i, j };
}
