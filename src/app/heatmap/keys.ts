/**
 * The heatmap's keyboard, free of the DOM: arrow keys move a cursor cell (Shift: ten cells), Home
 * and End go to the row's ends, Enter selects, + and − zoom around the cursor. (Escape, which
 * cancels a running sweep, and Space, which plays the selected run, are the page's: see
 * controllers/keyboard-controller.ts.) The component reports what a key means; the controllers act.
 */
import type { Cell } from '../runs.ts';

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
