/**
 * Exports of the shown sweep: the heatmap as a PNG (one pixel per run, the Canvas 2D colours) and
 * the results as CSV or JSON through the core encoders (the same text as `basinlab sweep` writes).
 */
import { writeResultsCSV, writeResultsJSON } from '../../core/results.ts';
import type { HeatmapFrame } from '../../view/frame.ts';
import { Canvas2DRenderer } from '../heatmap/renderers.ts';
import type { RunController } from './run-controller.ts';

export class ExportController {
  constructor(
    private readonly sweep: RunController,
    private readonly frame: () => HeatmapFrame | null,
  ) {}

  png(): void {
    const f = this.frame();
    if (!f) return;
    const cv = document.createElement('canvas');
    cv.width = f.width;
    cv.height = f.height;
    new Canvas2DRenderer(cv).draw(f);
    download(cv.toDataURL('image/png'), `basinlab-${f.mode}.png`);
  }

  /** The results as a file's contents, or null before there are final results. */
  text(format: 'csv' | 'json'): Blob | null {
    const plan = this.sweep.plan;
    const res = this.sweep.results;
    if (!plan || !res) return null;
    const parts: string[] = [];
    if (format === 'csv') writeResultsCSV(res, plan, (c) => parts.push(c));
    else writeResultsJSON(res, plan, (c) => parts.push(c));
    return new Blob(parts, { type: format === 'csv' ? 'text/csv' : 'application/json' });
  }

  data(format: 'csv' | 'json'): void {
    const blob = this.text(format);
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    download(url, `basinlab-results.${format}`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

function download(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
}
