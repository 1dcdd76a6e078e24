/**
 * Zooming: a dragged rectangle, or a zoom in or out around a cell (the keyboard's + and -, the
 * wheel), turned into the spec of a new view; a view no engine could resolve is refused with the
 * reason. Going back is the browser's history (history-controller.ts), like any other edit.
 */
import type { Cell } from '../../core/plan.ts';
import { scaleUnit } from '../../core/sampling.ts';
import type { AnySpec, GridAxis } from '../../core/spec.ts';
import { anySpecToJSON } from '../../core/spec.ts';
import { fitIntegerAxis, tidy, zoomAround, zoomRefusal } from '../heatmap/zoom-around.ts';

/** A rectangle in fractional cell coordinates (0..count), x0 < x1, y0 < y1. */
export interface CellRect {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

export class ZoomController {
  constructor(
    /** Shows the spec of a new view. */
    private readonly show: (json: Record<string, unknown>) => void,
    /** Says why a zoom is refused. */
    private readonly refuse: (why: string) => void,
  ) {}

  /** Re-sweeps the dragged rectangle of a grid sweep at the same resolution. */
  zoomTo(spec: AnySpec | null, rect: CellRect): void {
    const sweep = spec?.sweep;
    if (!spec || !sweep || sweep.kind !== 'grid') return;
    // Cell k is centred on axis value k; a rectangle edge at e (in cells) is value e - 0.5, kept
    // within the current range.
    const at = (a: GridAxis, e: number): number => {
      const k = Math.min(a.count - 1, Math.max(0, e - 0.5));
      return a.count <= 1 ? a.min : scaleUnit(k / (a.count - 1), a.min, a.max, a.scale);
    };
    // Rounded as the keyboard's zoom rounds (to the digits the new span needs), so the spec and the link stay readable.
    const axis = (a: GridAxis, e0: number, e1: number): GridAxis => {
      const lo = at(a, e0);
      const hi = at(a, e1);
      return fitIntegerAxis(spec, { ...a, min: tidy(lo, hi - lo), max: tidy(hi, hi - lo) });
    };
    const x: GridAxis = axis(sweep.x, rect.x0, rect.x1);
    const y: GridAxis | null = sweep.y ? axis(sweep.y, rect.y0, rect.y1) : null;
    if (x.max <= x.min || (y && y.max <= y.min)) return;
    const json = { ...anySpecToJSON(spec), sweep: { kind: 'grid', x, y } };
    const why = zoomRefusal(json);
    if (why) this.refuse(why);
    else this.show(json);
  }

  /** Zooms in (factor < 1) or out around a cell, or says why the view cannot. */
  zoomAround(spec: AnySpec | null, cell: Cell, factor: number): void {
    if (!spec) return;
    const json = zoomAround(spec, cell, factor);
    const why = json ? zoomRefusal(json) : null;
    if (why) this.refuse(why);
    else if (json) this.show(json);
    else this.refuse(factor < 1 ? 'This view cannot zoom in further around that cell: its range would not get narrower.' : 'This view cannot zoom out further: its range already spans the values the parameters allow.');
  }
}
