/**
 * What releasing the pointer on the heatmap means, free of the DOM: a click on a cell, a zoom to
 * the dragged rectangle, or nothing. Measured in screen pixels, not cells: a list sweep's band is
 * one cell high and 96 px tall, so "under 1% of its cells" was under one pixel of jitter, and a
 * click there became a zoom the app does not offer, silently dropped (review 11).
 */
import type { Cell } from '../../core/plan.ts';

/** A zoom rectangle in fractional cell coordinates (0..count), x0 < x1, y0 < y1. */
export interface ZoomDetail {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** A press and where the pointer is now, in fractional cell coordinates. */
export interface Drag {
  readonly x: number;
  readonly y: number;
  readonly x1: number;
  readonly y1: number;
}

/** The map's shape as drawn: cells, CSS pixels per cell, and how it zooms. */
export interface MapShape {
  readonly width: number;
  readonly height: number;
  readonly pxPerCellX: number;
  readonly pxPerCellY: number;
  /** A one-row sweep: its strip has no height to drag over, so it zooms along x only. */
  readonly oneRow: boolean;
  /** A random, Sobol or points sweep: runs in no order along an axis, so no zoom. */
  readonly listRow: boolean;
}

/** Pointer travel, in CSS pixels, under which a press and release is a click (a hand's jitter). */
export const CLICK_PX = 5;

export type Release = { readonly kind: 'click'; readonly cell: Cell } | { readonly kind: 'zoom'; readonly zoom: ZoomDetail } | { readonly kind: 'none' };

export function releaseOf(d: Drag, m: MapShape): Release {
  const flat = m.oneRow || m.listRow;
  const dx = Math.abs(d.x1 - d.x) * m.pxPerCellX;
  const dy = flat ? 0 : Math.abs(d.y1 - d.y) * m.pxPerCellY;
  if (dx < CLICK_PX && dy < CLICK_PX) {
    const i = Math.min(m.width - 1, Math.max(0, Math.floor(d.x)));
    const j = Math.min(m.height - 1, Math.max(0, Math.floor(d.y)));
    return { kind: 'click', cell: { i, j } };
  }
  if (m.listRow) return { kind: 'none' };
  const clamp = (v: number, n: number): number => Math.min(n, Math.max(0, v));
  return {
    kind: 'zoom',
    zoom: {
      x0: clamp(Math.min(d.x, d.x1), m.width),
      x1: clamp(Math.max(d.x, d.x1), m.width),
      // A one-row sweep zooms along x only (its drag has no height).
      y0: m.oneRow ? 0 : clamp(Math.min(d.y, d.y1), m.height),
      y1: m.oneRow ? m.height : clamp(Math.max(d.y, d.y1), m.height),
    },
  };
}
