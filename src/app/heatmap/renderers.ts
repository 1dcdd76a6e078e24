/**
 * The two ways a heatmap reaches the screen: Canvas 2D from result columns (CPU engine, or any
 * partial frame), here, and WebGPU straight from the engine's retained result buffer (no round
 * trip through JS arrays for colouring), in gpu-renderer.ts.
 */
import type { DeviceResults } from '../../engine/engine.ts';
import type { HeatmapFrame } from '../../view/frame.ts';
import { cellColour } from '../../view/frame.ts';
import type { NetFrame } from '../../view/net-frame.ts';
import { netCellColour } from '../../view/net-frame.ts';

/** What a heatmap draws: a surface sweep's frame or a network sweep's. */
export type AnyFrame = HeatmapFrame | NetFrame;

export interface HeatmapRenderer {
  draw(frame: HeatmapFrame): void;
  destroy(): void;
}

/**
 * Results kept on a device, and how to draw them: what <bl-heatmap> is given to draw with WebGPU
 * (built by the app's controllers from Engine.deviceResults(); the component never sees an engine).
 */
export interface HeatmapGpu {
  /** The results on the device, or null when there are none (the heatmap then uses Canvas 2D). */
  results(): DeviceResults | null;
  /** A renderer drawing those results onto `canvas` (its WebGPU context). */
  renderer(canvas: HTMLCanvasElement): HeatmapRenderer;
}

/** One pixel per cell into an ImageData, then scaled without smoothing onto the canvas. */
export class Canvas2DRenderer implements HeatmapRenderer {
  private readonly scratch = document.createElement('canvas');

  constructor(private readonly canvas: HTMLCanvasElement) {}

  draw(f: AnyFrame): void {
    const { width: w, height: h } = f;
    const colour = 'kind' in f ? (run: number) => netCellColour(f, run) : (run: number) => cellColour(f, run);
    this.scratch.width = w;
    this.scratch.height = h;
    const sctx = this.scratch.getContext('2d');
    const ctx = this.canvas.getContext('2d');
    if (!sctx || !ctx) return;
    const img = sctx.createImageData(w, h);
    const px = img.data;
    for (let j = 0; j < h; j++) {
      // Row j of the sweep is drawn from the bottom up (y grows upwards).
      const rowOut = (h - 1 - j) * w;
      for (let i = 0; i < w; i++) {
        const [r, g, b] = colour(j * w + i);
        const o = (rowOut + i) * 4;
        px[o] = r;
        px[o + 1] = g;
        px[o + 2] = b;
        px[o + 3] = 255;
      }
    }
    sctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.scratch, 0, 0, this.canvas.width, this.canvas.height);
  }

  destroy(): void {}
}
