/**
 * The app in a real browser: the production build served on 127.0.0.1, driven by puppeteer-core in
 * Debian's Chromium with WebGPU on SwiftShader. Checks heatmap pixels against the engine's results,
 * trajectories, zoom, URL state and the CPU fallback. Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';
import { build, preview } from 'vite';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUrlState } from '../../src/core/url.ts';
import { cellColour } from '../../src/view/frame.ts';
import { DIVERGED_ON_RAMP } from '../../src/view/colors.ts';
import { frameOf, setField } from './harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
/**
 * puppeteer's protocol timeout (180 s by default) caps every waitForFunction, whatever its own
 * timeout says (review 16: a 600 s wait failed at 183 s): above the longest wait here.
 */
const PROTOCOL_TIMEOUT_MS = 900_000;
const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--window-size=1600,1000',
];
const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

let server: PreviewServer;
let origin: string;
let gpuBrowser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (npm test does)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  await build({ logLevel: 'warn' });
  server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const addr = server.httpServer.address() as AddressInfo;
  origin = `http://127.0.0.1:${addr.port}`;
  gpuBrowser = await puppeteer.launch({ executablePath: CHROMIUM, args: [...BASE_FLAGS, ...WEBGPU_FLAGS], defaultViewport: { width: 1600, height: 1000 }, protocolTimeout: PROTOCOL_TIMEOUT_MS });
}, 180_000);

afterAll(async () => {
  await gpuBrowser?.close();
  await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()));
});

/** Waits until the app's current run (or validation) has finished. */
async function settle(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const app = document.querySelector('bl-app') as unknown as { controller?: { sweep: { running: boolean; results: unknown }; validation: { validating: boolean } } } | null;
      const c = app?.controller;
      return !!c && !c.sweep.running && !c.validation.validating && !!c.sweep.results;
    },
    { timeout, polling: 100 },
  );
}

async function open(browser: Browser, hash = ''): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/${hash}`);
  await page.waitForSelector('bl-app');
  await settle(page);
  expect(errors).toEqual([]);
  return page;
}

/** Colour of cell (i, j) on screen, read from a screenshot of the heatmap (decoded by the page). */
async function screenColours(page: Page, cells: { i: number; j: number }[]): Promise<number[][]> {
  const box = await page.evaluate(() => {
    const app = document.querySelector('bl-app');
    const hm = app?.shadowRoot?.querySelector('bl-heatmap');
    const canvas = hm?.shadowRoot?.querySelector('canvas.plot:not(.hidden)');
    const r = canvas?.getBoundingClientRect();
    const f = (hm as unknown as { frame?: { width: number; height: number } } | null)?.frame;
    return r && f ? { x: r.x, y: r.y, w: r.width, h: r.height, cw: f.width, ch: f.height } : null;
  });
  if (!box) throw new Error('no heatmap on the page');
  // The plot's own pixels: the overlay (theory lines, the selection, a zoom rectangle) hidden meanwhile.
  const overlay = (show: boolean): Promise<void> =>
    page.evaluate((v: boolean) => {
      const c = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('canvas.overlay') as HTMLCanvasElement | null;
      if (c) c.style.visibility = v ? '' : 'hidden';
    }, show);
  await overlay(false);
  const png = await page.screenshot({ clip: { x: box.x, y: box.y, width: box.w, height: box.h }, encoding: 'base64' });
  await overlay(true);
  return page.evaluate(
    async (b64: string, bx: typeof box, want: { i: number; j: number }[]) => {
      const img = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const cv = new OffscreenCanvas(img.width, img.height);
      const ctx = cv.getContext('2d') as OffscreenCanvasRenderingContext2D;
      ctx.drawImage(img, 0, 0);
      const sx = img.width / bx.w;
      return want.map(({ i, j }) => {
        const x = Math.floor(((i + 0.5) / bx.cw) * bx.w * sx);
        const y = Math.floor(((bx.ch - j - 0.5) / bx.ch) * bx.h * sx);
        return Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
      });
    },
    png,
    box,
    cells,
  );
}

interface AppState {
  engineUsed: string;
  renderer: string | null;
  width: number;
  height: number;
  status: string;
}

async function state(page: Page): Promise<AppState> {
  return page.evaluate(() => {
    const app = document.querySelector('bl-app') as unknown as { controller: { sweep: { engineUsed: string; plan: { width: number; height: number } } }; shadowRoot: ShadowRoot };
    const hm = app.shadowRoot.querySelector('bl-heatmap') as unknown as { activeRenderer: string | null };
    return {
      engineUsed: app.controller.sweep.engineUsed,
      renderer: hm.activeRenderer,
      width: app.controller.sweep.plan.width,
      height: app.controller.sweep.plan.height,
      status: app.shadowRoot.querySelector('[data-testid="engine-status"]')?.textContent ?? '',
    };
  });
}

/** Clicks a cell near the middle of the heatmap and waits for its trajectory. */
async function clickCellForTrajectory(page: Page): Promise<void> {
  const hm = await page.evaluateHandle(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('canvas.overlay'));
  const box = await (hm as unknown as { boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null> }).boundingBox();
  if (!box) throw new Error('no overlay canvas');
  // The plot area starts 64 px in and 12 px down (the axes' margins); click near its middle.
  await page.mouse.click(box.x + 64 + 280, box.y + 12 + 280);
  await page.waitForFunction(() => {
    const app = document.querySelector('bl-app') as unknown as { controller: { selection: { trajectory: { x: number[] } | null } } };
    return (app.controller.selection.trajectory?.x.length ?? 0) > 1;
  });
}

describe('basinlab in Chromium with WebGPU', () => {
  it('shows the default LR x momentum sweep on Rosenbrock without any input, drawn on the GPU', async () => {
    const page = await open(gpuBrowser);
    const s = await state(page);
    expect(s.status).toMatch(/WebGPU/);
    expect(s.engineUsed).toBe('gpu');
    expect(s.renderer).toBe('gpu');
    expect(s.width).toBe(256);
    await page.screenshot({ path: `${ARTIFACTS}/app-default.png` });
    await page.close();
  });

  it('paints diverged and converged cells of a quadratic sweep in the colours its results say', async () => {
    const page = await open(gpuBrowser);
    await setField(page, 'surface.name', 'quadratic');
    await setField(page, 'steps', '300');
    await setField(page, 'sweep.x.min', '0.001');
    await setField(page, 'sweep.x.max', '0.5');
    await setField(page, 'sweep.x.count', '64');
    await setField(page, 'sweep.y.count', '48');
    await page.waitForFunction(() => {
      // The last edit's value too (y.count): a pause over the edit debounce between two edits runs a
      // half-edited sweep that the first values alone would take for this one (review 16).
      const app = document.querySelector('bl-app') as unknown as { controller: { sweep: { plan?: { width: number; height: number; spec: { surface: { name: string } } } } } };
      const plan = app.controller.sweep.plan;
      return plan?.width === 64 && plan.height === 48 && plan.spec.surface.name === 'quadratic';
    });
    await settle(page);
    const cells = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as { controller: { sweep: { columns: { diverged: Uint8Array; basin: Int32Array }; plan: { width: number; height: number } } } };
      const { columns: c, plan } = app.controller.sweep;
      const out: { i: number; j: number; diverged: number; basin: number }[] = [];
      for (let j = 0; j < plan.height; j += 7) {
        for (let i = 0; i < plan.width; i += 5) {
          const run = j * plan.width + i;
          out.push({ i, j, diverged: c.diverged[run] as number, basin: c.basin[run] as number });
        }
      }
      return out;
    });
    const diverged = cells.filter((c) => c.diverged);
    const converged = cells.filter((c) => !c.diverged && c.basin === 0);
    expect(diverged.length).toBeGreaterThan(5);
    expect(converged.length).toBeGreaterThan(5);
    const near = (a: number[], b: readonly number[]): boolean => a.every((v, k) => Math.abs(v - (b[k] as number)) <= 3);
    // The default colouring (outcome), drawn by the WebGPU renderer, against the view layer's colours
    // of the same frame (cellColour, which the Canvas 2D and SVG renderers paint).
    expect(await state(page)).toMatchObject({ renderer: 'gpu' });
    const frame = await frameOf(page);
    expect(frame.mode).toBe('outcome');
    const outcome = await screenColours(page, cells);
    cells.forEach((c, k) => {
      const want = cellColour(frame, c.j * frame.width + c.i);
      expect(near(outcome[k] as number[], want), `cell ${c.i},${c.j}: got ${outcome[k]}, want ${want}`).toBe(true);
    });
    // The minimum reached: the palette itself.
    await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { spec: { setMode(m: string): void } } }).controller.spec.setMode('basin'));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const colours = await screenColours(page, cells);
    cells.forEach((c, k) => {
      const got = colours[k] as number[];
      if (c.diverged) expect(near(got, [20, 20, 20]), `cell ${c.i},${c.j} diverged: got ${got}`).toBe(true);
      else if (c.basin === 0) expect(near(got, [230, 159, 0]), `cell ${c.i},${c.j} converged: got ${got}`).toBe(true);
    });
    // The final loss on viridis: diverged runs in red (black would sit beside viridis's dark end),
    // the WGSL renderer painting what cellColour says.
    await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { spec: { setMode(m: string): void } } }).controller.spec.setMode('loss'));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const lossFrame = await frameOf(page);
    expect(lossFrame.mode).toBe('loss');
    // Still the WGSL renderer: its palette's red is what is checked here.
    expect(await state(page)).toMatchObject({ renderer: 'gpu' });
    const loss = await screenColours(page, cells);
    cells.forEach((c, k) => {
      const want = cellColour(lossFrame, c.j * lossFrame.width + c.i);
      expect(near(loss[k] as number[], want), `cell ${c.i},${c.j} (loss): got ${loss[k]}, want ${want}`).toBe(true);
      if (c.diverged) expect(want).toEqual(DIVERGED_ON_RAMP);
    });
    await page.screenshot({ path: `${ARTIFACTS}/app-quadratic.png` });
    await page.close();
  });

  it('draws the trajectory of a clicked cell on the contour plot with its loss curve', async () => {
    const page = await open(gpuBrowser);
    await clickCellForTrajectory(page);
    const t = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as { controller: { selection: { trajectory: { x: number[] } }; sweep: { plan: { spec: { steps: number } } } }; shadowRoot: ShadowRoot };
      const panel = app.shadowRoot.querySelector('bl-run-panel')?.shadowRoot;
      const contour = panel?.querySelector('bl-contour-plot') as unknown as { trajectory: { x: ArrayLike<number> } | null };
      return { n: app.controller.selection.trajectory.x.length, steps: app.controller.sweep.plan.spec.steps, drawn: contour.trajectory?.x.length ?? 0, chart: !!panel?.querySelector('[data-testid="loss-chart"]') };
    });
    expect(t.n).toBeGreaterThan(1);
    expect(t.drawn).toBe(t.n);
    expect(t.chart).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/app-trajectory.png` });
    await page.close();
  });

  it('switches SAM on in the editor and draws where each step took its gradient', async () => {
    const page = await open(gpuBrowser);
    const clicked = await page.evaluate(() => {
      const ed = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-spec-editor');
      const box = ed?.shadowRoot?.querySelector('[name="sam"]') as HTMLInputElement | null;
      box?.click();
      return !!box;
    });
    expect(clicked).toBe(true);
    await page.waitForFunction(() => {
      const app = document.querySelector('bl-app') as unknown as { controller: { sweep: { plan?: { spec: { sam: { rho: number } | null } } } } };
      return app.controller.sweep.plan?.spec.sam?.rho === 0.05;
    });
    await settle(page);
    await clickCellForTrajectory(page);
    const t = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as { controller: { selection: { trajectory: { x: number[]; gradAt?: { x: number[] } } } }; shadowRoot: ShadowRoot };
      const contour = app.shadowRoot.querySelector('bl-run-panel')?.shadowRoot?.querySelector('bl-contour-plot') as unknown as { trajectory: { gradAt: { x: ArrayLike<number> } | null } | null };
      return {
        steps: app.controller.selection.trajectory.x.length - 1,
        grad: app.controller.selection.trajectory.gradAt?.x.length ?? 0,
        drawn: contour.trajectory?.gradAt?.x.length ?? 0,
        legend: app.shadowRoot.querySelector('[data-testid="grad-legend"]')?.textContent ?? '',
      };
    });
    // One gradient point per step taken, handed to the contour plot, and a legend saying what it is.
    expect(t.steps).toBeGreaterThan(0);
    expect(t.grad).toBe(t.steps);
    expect(t.drawn).toBe(t.steps);
    expect(t.legend).toMatch(/SAM's ascent point/);
    await page.screenshot({ path: `${ARTIFACTS}/app-sam.png` });
    await page.close();
  });

  it('zooms into a dragged rectangle at full resolution, and back', async () => {
    const page = await open(gpuBrowser);
    const before = await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { spec: { current: { sweep: { x: { min: number; max: number; count: number } } } } } }).controller.spec.current.sweep.x);
    const hm = await page.evaluateHandle(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('canvas.overlay'));
    const box = await (hm as unknown as { boundingBox(): Promise<{ x: number; y: number } | null> }).boundingBox();
    if (!box) throw new Error('no overlay canvas');
    await page.mouse.move(box.x + 64 + 200, box.y + 12 + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 64 + 330, box.y + 12 + 330, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction((min: number) => (document.querySelector('bl-app') as unknown as { controller: { spec: { current: { sweep: { x: { min: number } } } } } }).controller.spec.current.sweep.x.min > min, {}, before.min);
    await settle(page);
    const after = await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { spec: { current: { sweep: { x: { min: number; max: number; count: number } } } } } }).controller.spec.current.sweep.x);
    expect(after.count).toBe(before.count);
    expect(after.min).toBeGreaterThan(before.min);
    expect(after.max).toBeLessThan(before.max);
    await page.screenshot({ path: `${ARTIFACTS}/app-zoomed.png` });
    // Back to the previous view: the browser's Back.
    await page.evaluate(() => history.back());
    await page.waitForFunction((min: number) => (document.querySelector('bl-app') as unknown as { controller: { spec: { current: { sweep: { x: { min: number } } } } } }).controller.spec.current.sweep.x.min === min, {}, before.min);
    await settle(page);
    const back = await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { spec: { current: { sweep: { x: { min: number; max: number } } } } } }).controller.spec.current.sweep.x);
    expect(back.min).toBe(before.min);
    expect(back.max).toBe(before.max);
    await page.close();
  });

  it('reloads the same view from its URL', async () => {
    const page = await open(gpuBrowser);
    await setField(page, 'optimizer.name', 'Adam');
    await page.waitForFunction(() => (document.querySelector('bl-app') as unknown as { controller: { sweep: { plan?: { optimizer: { id: string } } } } }).controller.sweep.plan?.optimizer.id === 'Adam');
    await settle(page);
    await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { spec: { setMode(m: string): void } } }).controller.spec.setMode('loss'));
    // The page's own location: puppeteer's page.url() is updated by an event that may come after (review 16).
    const url = await page.evaluate(() => location.href);
    const digest = () =>
      page.evaluate(() => {
        const c = (document.querySelector('bl-app') as unknown as { controller: { spec: { json: unknown; mode: string }; sweep: { columns: { basin: Int32Array } } } }).controller;
        let h = 0;
        for (const b of c.sweep.columns.basin) h = (h * 31 + b + 2) >>> 0;
        return { spec: JSON.stringify(c.spec.json), mode: c.spec.mode, h };
      });
    const a = await digest();
    const page2 = await gpuBrowser.newPage();
    await page2.goto(url);
    await page2.waitForSelector('bl-app');
    await settle(page2);
    const b = await page2.evaluate(() => {
      const c = (document.querySelector('bl-app') as unknown as { controller: { spec: { json: unknown; mode: string }; sweep: { columns: { basin: Int32Array } } } }).controller;
      let h = 0;
      for (const x of c.sweep.columns.basin) h = (h * 31 + x + 2) >>> 0;
      return { spec: JSON.stringify(c.spec.json), mode: c.spec.mode, h };
    });
    expect(b).toEqual(a);
    expect(a.mode).toBe('loss');
    await page2.screenshot({ path: `${ARTIFACTS}/app-reloaded.png` });
    await page.close();
    await page2.close();
  });

  it('validates the GPU against the CPU engine from the app', async () => {
    const page = await open(gpuBrowser, '');
    await setField(page, 'sweep.x.count', '48');
    await setField(page, 'sweep.y.count', '48');
    await page.waitForFunction(() => {
      const plan = (document.querySelector('bl-app') as unknown as { controller: { sweep: { plan?: { width: number; height: number } } } }).controller.sweep.plan;
      return plan?.width === 48 && plan.height === 48;
    });
    await settle(page);
    await page.evaluate(() => void (document.querySelector('bl-app') as unknown as { controller: { validation: { validate(): Promise<void> } } }).controller.validation.validate());
    await page.waitForFunction(() => !!(document.querySelector('bl-app') as unknown as { controller: { validation: { result: unknown } } }).controller.validation.result, { timeout: 120_000 });
    const v = await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { validation: { result: { report: { sameOutcome: number; a: string; b: string } } } } }).controller.validation.result.report);
    expect(v.a).toBe('gpu');
    expect(v.b).toBe('cpu');
    expect(v.sameOutcome).toBeGreaterThanOrEqual(0.995);
    await page.close();
  }, 300_000);

  it('validates the default view when its "Validate vs CPU" button is clicked, and shows the verdict', async () => {
    // The full 256 x 256 x 500-step view: the CPU engines run in Web Workers while the page shows
    // their progress (the time it takes is reported by hand, never asserted here).
    const page = await open(gpuBrowser);
    expect((await state(page)).width).toBe(256);
    await page.click('bl-app >>> button[data-testid="validate"]');
    // A headline in words (walkthrough 12), the engines' numbers folded under it.
    const message = (): Promise<string> =>
      page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="message"] details p')?.textContent ?? '');
    await page.waitForFunction(
      () => /^The (map checks out|check failed): run again on the float32 CPU engine/.test(document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="message-headline"]')?.textContent ?? ''),
      { timeout: 600_000, polling: 250 },
    );
    const verdict = await message();
    expect(verdict).toMatch(/^PASS: /);
    const same = /same outcome on ([\d.]+)% of runs \(needs ≥ [\d.]+%; (\d+) differ, (\d+) runs on basin boundaries\)/.exec(verdict);
    expect(same, verdict).not.toBeNull();
    expect(Number(same?.[1])).toBeGreaterThanOrEqual(99.5);
    const shown = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as { shadowRoot: ShadowRoot; controller: { validation: { validating: boolean } } };
      const hm = app.shadowRoot.querySelector('bl-heatmap') as unknown as { overlay: Uint8Array | null };
      let marked = 0;
      for (const v of hm.overlay ?? []) marked += v;
      return {
        validating: app.controller.validation.validating,
        overlay: hm.overlay?.length ?? 0,
        marked,
        state: app.shadowRoot.querySelector('[data-testid="run-state"]')?.textContent ?? '',
      };
    });
    // The disagreeing runs the verdict counts are the ones marked on the heatmap.
    expect(shown).toEqual({ validating: false, overlay: 256 * 256, marked: Number(same?.[2]), state: 'done' });
    await page.screenshot({ path: `${ARTIFACTS}/app-validated.png` });
    await page.close();
  }, 660_000);
});

/** The parts of the app's controllers the interaction tests read (page-side). */
interface PageApp {
  shadowRoot: ShadowRoot;
  controller: {
    sweep: { running: boolean; plan: { width: number; height: number; spec: { steps: number; start: [number, number]; optimizer: { params: Record<string, unknown> }; sweep: { x: { min: number; max: number } } } } };
    selection: { selected: { i: number; j: number } | null; trajectory: { run: number; x: ArrayLike<number> } | null; source: string; exact: boolean; label: string };
    preview: { trajectory: { run: number; x: ArrayLike<number> } | null };
    pins: { list: { run: number; label: string; colour: string; trajectory: { x: ArrayLike<number> } | null }[] };
    playback: { playing: boolean; playhead: number | null; total: number };
    racePlayback: { playing: boolean; playhead: number | null; total: number };
    race: { open: boolean; lanes: { label: string; trajectory: { x: ArrayLike<number> } | null; error: string | null }[] };
    message: { text: string };
  };
}

/** The heatmap's plot area on the page (client pixels) and its grid. */
async function heatmapBox(page: Page): Promise<{ x: number; y: number; side: number; w: number; h: number }> {
  const b = await page.evaluate(() => {
    const hm = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap') as unknown as { side: number; frame: { width: number; height: number } | null; shadowRoot: ShadowRoot } | null;
    const r = hm?.shadowRoot.querySelector('canvas.plot:not(.hidden)')?.getBoundingClientRect();
    return r && hm?.frame ? { x: r.x, y: r.y, side: hm.side, w: hm.frame.width, h: hm.frame.height } : null;
  });
  if (!b) throw new Error('no heatmap on the page');
  return b;
}

/** The client position of cell (i, j)'s centre. */
function cellPoint(b: { x: number; y: number; side: number; w: number; h: number }, i: number, j: number): { x: number; y: number } {
  return { x: b.x + ((i + 0.5) / b.w) * b.side, y: b.y + ((b.h - j - 0.5) / b.h) * b.side };
}

/** Clicks cell (i, j) and waits for its path. */
async function selectCell(page: Page, i: number, j: number): Promise<void> {
  const p = cellPoint(await heatmapBox(page), i, j);
  await page.mouse.click(p.x, p.y);
  await page.waitForFunction(
    (want: number) => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return c.selection.trajectory?.run === want && c.selection.exact;
    },
    { timeout: 60_000 },
    j * 256 + i,
  );
}

/** Clicks a button inside a component's shadow root, found by a selector. */
async function clickIn(page: Page, host: string, selector: string): Promise<void> {
  const ok = await page.evaluate(
    (h: string, sel: string) => {
      const root = document.querySelector('bl-app')?.shadowRoot?.querySelector(h)?.shadowRoot;
      const el = root?.querySelector(sel) as HTMLElement | null;
      el?.click();
      return !!el;
    },
    host,
    selector,
  );
  if (!ok) throw new Error(`no ${selector} in ${host}`);
}


/** Moves the slider of a spec path to a position (0 … SLIDER_STEPS) as a hand would: `input` while dragging, `change` when let go. */
function moveSlider(page: Page, path: string, pos: number, final: boolean): Promise<boolean> {
  return page.evaluate(
    (q: string, p: number, f: boolean) => {
      const el = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-param-sliders')?.shadowRoot?.querySelector(`input[data-path="${q}"]`) as HTMLInputElement | null;
      if (!el) return false;
      el.value = String(p);
      el.dispatchEvent(new Event(f ? 'change' : 'input', { bubbles: true }));
      return true;
    },
    path,
    pos,
    final,
  );
}

describe('interaction that teaches', () => {
  it('previews the path of the hovered cell at once, from the float32 CPU engine, and clears it when the pointer leaves', async () => {
    const page = await open(gpuBrowser);
    const b = await heatmapBox(page);
    const at = cellPoint(b, 100, 180);
    await page.mouse.move(at.x, at.y);
    await page.waitForFunction(() => ((document.querySelector('bl-app') as unknown as PageApp).controller.preview.trajectory?.x.length ?? 0) > 1, { timeout: 10_000 });
    const shown = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as PageApp;
      const contour = app.shadowRoot.querySelector('bl-run-panel')?.shadowRoot?.querySelector('bl-contour-plot') as unknown as { preview: { x: ArrayLike<number> } | null; label: string };
      return { run: app.controller.preview.trajectory?.run, drawn: contour.preview?.x.length ?? 0, steps: app.controller.sweep.plan.spec.steps, label: contour.label };
    });
    expect(shown.run).toBe(180 * 256 + 100);
    expect(shown.drawn).toBe(shown.steps + 1);
    expect(shown.label).toMatch(/hovered run: from \(-1\.5, 2\)/);
    await page.screenshot({ path: `${ARTIFACTS}/app-preview.png` });
    await page.mouse.move(5, 5);
    await page.waitForFunction(() => (document.querySelector('bl-app') as unknown as PageApp).controller.preview.trajectory === null);
    await page.close();
  });

  it('pins runs in their own colours and plays them back in lockstep (Space, step, pause), charts overlaid and labelled', async () => {
    const page = await open(gpuBrowser);
    await selectCell(page, 40, 230);
    await clickIn(page, 'bl-run-panel', '[data-testid="pin"]');
    await selectCell(page, 120, 200);
    const before = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as PageApp;
      const panel = app.shadowRoot.querySelector('bl-run-panel')?.shadowRoot;
      const contour = panel?.querySelector('bl-contour-plot') as unknown as { paths: { colour: string; x: ArrayLike<number> }[]; trajectory: unknown };
      const chart = panel?.querySelector('[data-testid="loss-chart"]') as unknown as { series: { label: string; colour: string }[] };
      return {
        pins: app.controller.pins.list.map((p) => ({ run: p.run, label: p.label, colour: p.colour, n: p.trajectory?.x.length ?? 0 })),
        paths: contour.paths.map((p) => p.colour),
        selected: !!contour.trajectory,
        series: chart.series.map((x) => x.label),
        listed: Array.from(panel?.querySelectorAll('[data-testid="pinned-run"]') ?? []).map((e) => e.textContent?.replace(/\s+/g, ' ').trim()),
      };
    });
    expect(before.pins.length).toBe(1);
    expect(before.pins[0]?.run).toBe(230 * 256 + 40);
    expect(before.pins[0]?.n).toBe(501);
    expect(before.pins[0]?.label).toMatch(/^lr=[\d.e-]+, momentum=[\d.]+$/);
    expect(before.paths).toEqual([before.pins[0]?.colour]);
    expect(before.selected).toBe(true);
    // One loss curve per run, each labelled with its hyperparameters.
    expect(before.series.length).toBe(2);
    expect(before.series[0]).toBe(before.pins[0]?.label);
    expect(before.listed[0]).toContain(before.pins[0]?.label);
    // Count the renders of the page and of the run panel while it plays: a frame re-renders the panel only.
    await page.evaluate(() => {
      const w = window as unknown as { renders: { app: number; panel: number } };
      w.renders = { app: 0, panel: 0 };
      const count = (el: Element | null | undefined, k: 'app' | 'panel'): void => {
        const e = el as unknown as { render(): unknown } | null;
        if (!e) return;
        const own = e.render.bind(e);
        e.render = () => {
          w.renders[k]++;
          return own();
        };
      };
      const app = document.querySelector('bl-app');
      count(app, 'app');
      count(app?.shadowRoot?.querySelector('bl-run-panel'), 'panel');
    });
    // At a quarter speed (24 s a run, one of the bar's speeds) the playback outlasts the checks below
    // on a loaded machine: at speed 1 a run ends in 6 s, and a Space after its end plays it again
    // (review 16).
    await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { playback: { setSpeed(s: number): void } } }).controller.playback.setSpeed(0.25));
    // Space (the focus on the page, not on a control) plays.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Space');
    // Wait for several frames, not for a playhead position: playback advances by elapsed time, so
    // under a loaded machine 20 steps can pass in two frames (CI failed on that once).
    await page.waitForFunction(() => {
      const pb = (document.querySelector('bl-app') as unknown as PageApp).controller.playback;
      const w = window as unknown as { renders: { app: number; panel: number } };
      return (pb.playhead ?? 0) > 0 && w.renders.panel > 3;
    });
    const renders = await page.evaluate(() => (window as unknown as { renders: { app: number; panel: number } }).renders);
    expect(renders.app).toBe(0);
    expect(renders.panel).toBeGreaterThan(3);
    const mid = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as PageApp;
      const panel = app.shadowRoot.querySelector('bl-run-panel')?.shadowRoot;
      const contour = panel?.querySelector('bl-contour-plot') as unknown as { playhead: number | null };
      const chart = panel?.querySelector('[data-testid="loss-chart"]') as unknown as { marker: number | undefined };
      return { head: contour.playhead, marker: chart.marker };
    });
    expect(mid.head).not.toBeNull();
    expect(mid.marker).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Space');
    await page.waitForFunction(() => !(document.querySelector('bl-app') as unknown as PageApp).controller.playback.playing);
    await page.screenshot({ path: `${ARTIFACTS}/app-playback.png` });
    const paused = await page.evaluate(() => (document.querySelector('bl-app') as unknown as PageApp).controller.playback.playhead ?? -1);
    // Paused before the end (a pause at the end would leave no step forward to take).
    expect(paused).toBeLessThan(500);
    const stepped = await page.evaluate(() => {
      const bar = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-run-panel')?.shadowRoot?.querySelector('bl-playback-bar')?.shadowRoot;
      (bar?.querySelector('button[aria-label="One step forward"]') as HTMLElement | null)?.click();
      return (document.querySelector('bl-app') as unknown as PageApp).controller.playback.playhead;
    });
    expect(stepped).toBe(paused + 1);
    // Unpin.
    await clickIn(page, 'bl-run-panel', '[data-testid="pinned-run"] button');
    await page.waitForFunction(() => (document.querySelector('bl-app') as unknown as PageApp).controller.pins.list.length === 0);
    await page.close();
  });

  it('keeps the selected and pinned runs in the link (no new history entry): the link opens with them', async () => {
    const page = await open(gpuBrowser);
    const entries = await page.evaluate(() => history.length);
    await selectCell(page, 40, 230);
    await clickIn(page, 'bl-run-panel', '[data-testid="pin"]');
    await selectCell(page, 120, 200);
    await page.waitForFunction(() => location.hash.includes('&run=') && location.hash.includes('&pin='));
    const shown = () =>
      page.evaluate(() => {
        const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
        return { selected: c.selection.selected, pins: c.pins.list.map((p) => p.run), hash: location.hash, entries: history.length };
      });
    const a = await shown();
    expect(a.selected).toEqual({ i: 120, j: 200 });
    expect(a.pins).toEqual([230 * 256 + 40]);
    expect(a.entries).toBe(entries);
    // The figure holds them too: beside the map, their paths, loss and LR.
    await page.waitForFunction(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return !!c.selection.trajectory && c.pins.list.every((p) => p.trajectory);
    });
    const figure = (await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { exports: { svg(): string | null } } }).controller.exports.svg())) ?? '';
    for (const title of ['Paths of the selected and pinned runs', 'Loss per step', 'Learning rate per step']) expect(figure).toContain(title);
    const page2 = await gpuBrowser.newPage();
    await page2.goto(`${origin}/${a.hash}`);
    await page2.waitForSelector('bl-app');
    await settle(page2);
    await page2.waitForFunction(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return !!c.selection.trajectory && c.pins.list.length === 1 && !!c.pins.list[0]?.trajectory;
    });
    const b = await page2.evaluate(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return { selected: c.selection.selected, pins: c.pins.list.map((p) => p.run), hash: location.hash, message: c.message.text };
    });
    expect(b.selected).toEqual(a.selected);
    expect(b.pins).toEqual(a.pins);
    expect(b.hash).toBe(a.hash);
    expect(b.message).toBe('');
    // A link pasted into the open page (same view, no new sweep) places its runs at once: here its pin, nothing selected.
    const q = new URLSearchParams(a.hash.slice(1));
    q.delete('run');
    const pinOnly = `#${q.toString()}`;
    await page2.evaluate((h: string) => {
      location.hash = h;
    }, pinOnly);
    await page2.waitForFunction(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return c.selection.selected === null && c.pins.list.length === 1 && !!c.pins.list[0]?.trajectory;
    });
    expect(await page2.evaluate(() => [(document.querySelector('bl-app') as unknown as PageApp).controller.pins.list[0]?.run, location.hash])).toEqual([a.pins[0], pinOnly]);
    await page.close();
    await page2.close();
  });

  it('drags the start point on the contour plot: the sweep re-runs from there and the selection and pins follow', async () => {
    const page = await open(gpuBrowser);
    await selectCell(page, 60, 128);
    await clickIn(page, 'bl-run-panel', '[data-testid="pin"]');
    await selectCell(page, 70, 100);
    const from = await page.evaluate(() => {
      const c = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-run-panel')?.shadowRoot?.querySelector('bl-contour-plot') as unknown as { pointToClient(x: number, y: number): { x: number; y: number } | null };
      return { a: c.pointToClient(-1.5, 2), b: c.pointToClient(0.5, -0.5) };
    });
    if (!from.a || !from.b) throw new Error('contour plot not laid out');
    await page.mouse.move(from.a.x, from.a.y);
    await page.mouse.down();
    await page.mouse.move(from.b.x, from.b.y, { steps: 12 });
    await page.mouse.up();
    await page.waitForFunction(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      const s = c.sweep.plan.spec.start;
      return Math.abs(s[0] - 0.5) < 0.02 && Math.abs(s[1] + 0.5) < 0.02;
    });
    await settle(page);
    await page.waitForFunction(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      const t = c.selection.trajectory;
      const p = c.pins.list[0]?.trajectory;
      return !!t && !!p && Math.abs((t.x[0] as number) - 0.5) < 0.02 && Math.abs((p.x[0] as number) - 0.5) < 0.02 && c.selection.exact;
    });
    const after = await page.evaluate(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return { selected: c.selection.selected, pin: c.pins.list[0]?.run, source: c.selection.source };
    });
    // Same runs (the same hyperparameters), now from the dragged start, recorded on the sweep's engine.
    expect(after.selected).toEqual({ i: 70, j: 100 });
    expect(after.pin).toBe(128 * 256 + 60);
    expect(after.source).toBe('gpu');
    await page.screenshot({ path: `${ARTIFACTS}/app-dragged-start.png` });
    await page.close();
  });

  it('re-runs the sweep live as a hyperparameter slider moves, keeping the selection', async () => {
    const page = await open(gpuBrowser);
    await selectCell(page, 90, 90);
    const set = (pos: number, final: boolean) => moveSlider(page, 'optimizer.weight_decay', pos, final);
    expect(await set(200, false)).toBe(true);
    await set(300, false);
    await set(400, true);
    // The slider's range is the parameter's typical sweep range (core/typical.ts): the spec holds
    // whatever position 400 of it means, and the sweep shown is the one at that value.
    const wd = await page.evaluate(() => ((document.querySelector('bl-app') as unknown as { controller: { spec: { json: { optimizer: { weight_decay: number } } } } }).controller.spec.json.optimizer.weight_decay));
    expect(wd).toBeGreaterThan(0);
    await page.waitForFunction((w: number) => (document.querySelector('bl-app') as unknown as PageApp).controller.sweep.plan.spec.optimizer.params.weight_decay === w, {}, wd);
    await settle(page);
    const s = await page.evaluate(() => (document.querySelector('bl-app') as unknown as PageApp).controller.selection.selected);
    expect(s).toEqual({ i: 90, j: 90 });
    await page.close();
  });

  it("re-runs the sweep as a schedule slider moves: the schedule's curve and the heatmap follow", async () => {
    const spec = {
      surface: { name: 'rosenbrock' },
      optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
      schedule: { name: 'StepLR', step_size: 100, gamma: 0.1 },
      steps: 300,
      start: [-1.5, 2],
      sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 1e-5, max: 1e-2, count: 48, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 48, scale: 'linear' } },
    };
    const page = await open(gpuBrowser, encodeUrlState(spec));
    // The schedule's sliders stand under their own heading; the LR curve and the map as they are.
    const state = () =>
      page.evaluate(() => {
        const app = document.querySelector('bl-app') as unknown as PageApp;
        const root = app.shadowRoot;
        const sliders = root.querySelector('bl-param-sliders')?.shadowRoot;
        const chart = [...root.querySelectorAll('bl-line-chart')].find((c) => (c as unknown as { yLabel: string }).yLabel === 'LR') as unknown as { series: { values: ArrayLike<number> }[] } | undefined;
        const loss = (root.querySelector('bl-heatmap') as unknown as { frame: { columns: { loss: Float32Array } } }).frame.columns.loss;
        const bytes = new Uint8Array(loss.buffer, loss.byteOffset, loss.byteLength);
        let hash = 0;
        for (const b of bytes) hash = (hash * 31 + b) >>> 0;
        return {
          headings: [...(sliders?.querySelectorAll('[role="heading"]') ?? [])].map((h) => h.textContent),
          paths: [...(sliders?.querySelectorAll('input') ?? [])].map((i) => i.dataset.path),
          lr150: chart?.series[0]?.values[150],
          curve: sliders?.querySelector('[data-testid="slider-curve"] polyline')?.getAttribute('points') ?? null,
          hash,
        };
      });
    const before = await state();
    expect(before.headings).toEqual(['optimizer · SGD', 'schedule · StepLR']);
    expect(before.paths).toEqual(expect.arrayContaining(['schedule.step_size', 'schedule.gamma']));
    // The chart draws the middle run's LR (column 24 of 48 on the log axis 1e-5 … 1e-2): one decade down at step 150.
    const middleLr = 1e-5 * 1000 ** (24 / 47);
    expect(before.lr150).toBeCloseTo(middleLr * 0.1, 12);
    const set = (pos: number, final: boolean) => moveSlider(page, 'schedule.gamma', pos, final);
    expect(await set(600, false)).toBe(true);
    await set(800, true);
    const gamma = await page.evaluate(() => ((document.querySelector('bl-app') as unknown as { controller: { spec: { json: { schedule: { gamma: number } } } } }).controller.spec.json.schedule.gamma));
    // gamma's log slider over its typical 0.01 … 1: position 800 is 10^-0.4.
    expect(gamma).toBe(0.398);
    await page.waitForFunction(
      (g: number) => ((document.querySelector('bl-app') as unknown as { controller: { sweep: { plan: { spec: { schedule: { params: { gamma: number } } } } } } }).controller.sweep.plan.spec.schedule.params.gamma === g),
      {},
      gamma,
    );
    await settle(page);
    const after = await state();
    expect(after.lr150).toBeCloseTo(middleLr * gamma, 12);
    expect(after.hash).not.toBe(before.hash);
    // The schedule's small curve under its sliders follows gamma.
    expect(before.curve).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/);
    expect(after.curve).not.toBe(before.curve);
    await page.screenshot({ path: `${ARTIFACTS}/app-schedule-slider.png` });
    await page.close();
  });

  it('races several optimisers from one start, animated together with their loss curves', async () => {
    const page = await open(gpuBrowser);
    await page.click('bl-app >>> [data-testid="tab-race"]');
    await page.waitForFunction(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return c.race.open && c.race.lanes.length === 3 && c.race.lanes.every((l) => (l.trajectory?.x.length ?? 0) === 501);
    });
    await page.click('bl-app >>> bl-race >>> [data-testid="race-add"]');
    await page.waitForFunction(() => {
      const lanes = (document.querySelector('bl-app') as unknown as PageApp).controller.race.lanes;
      return lanes.length === 4 && lanes.every((l) => !!l.trajectory || !!l.error);
    });
    await page.click('bl-app >>> bl-race >>> bl-playback-bar >>> [data-testid="play"]');
    await page.waitForFunction(() => ((document.querySelector('bl-app') as unknown as PageApp).controller.racePlayback.playhead ?? 0) > 30);
    const shown = await page.evaluate(() => {
      const race = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-race')?.shadowRoot;
      const contour = race?.querySelector('bl-contour-plot') as unknown as { paths: { colour: string }[]; playhead: number | null };
      const chart = race?.querySelector('[data-testid="race-loss"]') as unknown as { series: { label: string }[] };
      return { paths: contour.paths.map((p) => p.colour), head: contour.playhead, series: chart.series.map((x) => x.label) };
    });
    expect(new Set(shown.paths).size).toBe(shown.paths.length);
    expect(shown.paths.length).toBeGreaterThanOrEqual(3);
    expect(shown.head).toBeGreaterThan(0);
    expect(shown.series.slice(0, 3)).toEqual(['SGD lr=0.001 momentum=0.9', 'Adam lr=0.1', 'RMSprop lr=0.01']);
    await page.screenshot({ path: `${ARTIFACTS}/app-race.png` });
    await page.close();
  });
});

describe('every screen, every hand', () => {
  it('goes from load to a selected trajectory with the keyboard alone, zooms with + and cancels with Escape', async () => {
    const page = await open(gpuBrowser);
    // The first Tab reaches the skip link; Enter puts the focus on the heatmap.
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.activeElement?.textContent ?? '');
    expect(first).toMatch(/Skip to the heatmap/);
    await page.keyboard.press('Enter');
    const focused = await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.activeElement?.className ?? '');
    expect(focused).toBe('overlay');
    await page.keyboard.press('ArrowRight');
    for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
    await page.keyboard.down('Shift');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.up('Shift');
    const cursor = await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('[data-testid="heatmap-cursor"]')?.textContent ?? '');
    expect(cursor).toMatch(/^Cursor at lr [\d.e-]+, momentum [\d.]+: /);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return (c.selection.trajectory?.x.length ?? 0) > 1;
    });
    const sel = await page.evaluate(() => (document.querySelector('bl-app') as unknown as PageApp).controller.selection.selected);
    // The first arrow shows the cursor in the middle (128, 128); three more right, Shift+up ten rows.
    expect(sel).toEqual({ i: 131, j: 138 });
    const x0 = await page.evaluate(() => (document.querySelector('bl-app') as unknown as PageApp).controller.sweep.plan.spec.sweep.x);
    const cursorAt = async (): Promise<[number, number] | null> => {
      const t = await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('[data-testid="heatmap-cursor"]')?.textContent ?? '');
      const m = /^Cursor at lr ([\d.e-]+), momentum ([\d.e-]+)/.exec(t);
      return m ? [Number(m[1]), Number(m[2])] : null;
    };
    const before = await cursorAt();
    await page.keyboard.press('+');
    await page.waitForFunction((min: number) => (document.querySelector('bl-app') as unknown as PageApp).controller.sweep.plan.spec.sweep.x.min > min, {}, x0.min);
    // The cursor stays on the same point of the plane (a cell of the zoomed map), so + zooms on there.
    await page.waitForFunction(() => /^Cursor at lr/.test(document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('[data-testid="heatmap-cursor"]')?.textContent ?? ''));
    const after = await cursorAt();
    expect(before).not.toBeNull();
    expect(after).not.toBeNull();
    expect(Math.abs(Math.log10((after as [number, number])[0] / (before as [number, number])[0]))).toBeLessThan(0.01);
    expect(Math.abs((after as [number, number])[1] - (before as [number, number])[1])).toBeLessThan(0.005);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !(document.querySelector('bl-app') as unknown as PageApp).controller.sweep.running, { timeout: 60_000 });
    // The zoomed view is the spec (the map, its sweep cancelled, shows the last complete one again).
    const x1 = await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { spec: { current: { sweep: { x: { min: number; max: number } } } } } }).controller.spec.current.sweep.x);
    expect(Math.log10(x1.max / x1.min)).toBeCloseTo(Math.log10(x0.max / x0.min) / 2, 6);
    // A long sweep, cancelled with Escape wherever the focus is.
    await setField(page, 'steps', '20000');
    await page.waitForFunction(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return c.sweep.running && c.sweep.plan.spec.steps === 20000;
    });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => {
      const c = (document.querySelector('bl-app') as unknown as PageApp).controller;
      return !c.sweep.running && /cancelled/.test(c.message.text);
    });
    await page.close();
  });

  it('has no serious or critical accessibility violations (axe-core), with a run selected and pinned, and on the race', async () => {
    const page = await open(gpuBrowser);
    await selectCell(page, 50, 200);
    await clickIn(page, 'bl-run-panel', '[data-testid="pin"]');
    await selectCell(page, 80, 120);
    // The pinned run's cell is outlined on the map in its pin's colour.
    const pinned = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as PageApp & HTMLElement;
      const hm = app.shadowRoot?.querySelector('bl-heatmap') as unknown as { pinned: { i: number; j: number; colour: string }[] };
      const pin = (app.controller as unknown as { pins: { list: { run: number; colour: string }[] } }).pins.list[0];
      return { shown: hm.pinned, pin, width: app.controller.sweep.plan.width };
    });
    expect(pinned.shown).toHaveLength(1);
    expect(pinned.shown[0]).toEqual({ i: (pinned.pin?.run ?? -1) % pinned.width, j: Math.floor((pinned.pin?.run ?? -1) / pinned.width), colour: pinned.pin?.colour });
    await page.addScriptTag({ content: readFileSync('node_modules/axe-core/axe.min.js', 'utf8') });
    const audit = async (): Promise<string[]> =>
      page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[]; help: string }[] }> } }).axe;
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3).join(' ')}`);
      });
    expect(await audit()).toEqual([]);
    await page.click('bl-app >>> [data-testid="tab-race"]');
    await page.waitForFunction(() => (document.querySelector('bl-app') as unknown as PageApp).controller.race.lanes.every((l) => !!l.trajectory));
    expect(await audit()).toEqual([]);
    await page.close();
  });

  for (const width of [360, 800, 1280, 1600]) {
    it(`lays the page out at ${width} px wide with nothing off-screen`, async () => {
      const page = await gpuBrowser.newPage();
      await page.setViewport({ width, height: 900 });
      await page.goto(`${origin}/`);
      await page.waitForSelector('bl-app');
      await settle(page);
      await selectCell(page, 100, 140);
      const m = await page.evaluate(() => {
        const app = document.querySelector('bl-app')?.shadowRoot;
        const boxes: Record<string, [number, number]> = {};
        const add = (name: string, el: Element | null | undefined): void => {
          const r = el?.getBoundingClientRect();
          if (r) boxes[name] = [r.left, r.right];
        };
        add('header', app?.querySelector('header'));
        app?.querySelectorAll('main > section').forEach((el, k) => add(`section ${k}`, el));
        add('heatmap', app?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('.wrap'));
        add('contour', app?.querySelector('bl-run-panel')?.shadowRoot?.querySelector('bl-contour-plot'));
        add('loss chart', app?.querySelector('bl-run-panel')?.shadowRoot?.querySelector('[data-testid="loss-chart"]'));
        add('editor', app?.querySelector('bl-spec-editor'));
        const contourTop = app?.querySelector('bl-run-panel')?.shadowRoot?.querySelector('bl-contour-plot')?.getBoundingClientRect().top ?? Number.POSITIVE_INFINITY;
        const headerHeight = app?.querySelector('header')?.getBoundingClientRect().height ?? Number.POSITIVE_INFINITY;
        return { sw: document.documentElement.scrollWidth, vw: window.innerWidth, boxes, contourTop, headerHeight };
      });
      // The header leaves the map room: two rows of controls at 1600 px, four at 800 (it took five,
      // 160 px, at 800: walkthrough 7). A row is about 31 px.
      if (width >= 1600) expect(m.headerHeight).toBeLessThan(3 * 31 + 8);
      else if (width >= 800) expect(m.headerHeight).toBeLessThan(5 * 31);
      // From 1100 px up the runs sit beside the map: the clicked run's path is in sight without
      // scrolling (under the map, a 1280 px laptop showed it 900 px below the fold).
      if (width >= 1100) expect(m.contourTop).toBeLessThan(900);
      expect(m.sw).toBeLessThanOrEqual(m.vw);
      expect(Object.keys(m.boxes).length).toBe(8);
      for (const [name, [l, r]] of Object.entries(m.boxes)) {
        expect(l, `${name} left`).toBeGreaterThanOrEqual(0);
        expect(r, `${name} right`).toBeLessThanOrEqual(m.vw);
      }
      await page.screenshot({ path: `${ARTIFACTS}/app-${width}px.png`, fullPage: true });
      await page.close();
    });
  }
});

describe('studies in the app', () => {
  it('opens a study from its link, runs it on the GPU and shows its figures and summary', async () => {
    const page = await gpuBrowser.newPage();
    await page.goto(`${origin}/#study=adam-vs-adamw`);
    await page.waitForSelector('bl-app');
    type App = { studyController?: { result: unknown; running: boolean }; controller?: { waitingForStudy: boolean; sweep: { running: boolean; results: unknown } } };
    // While the study runs, the explorer's own sweep waits (the two would share the machine).
    const during = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as App;
      return { study: app.studyController?.running, waits: app.controller?.waitingForStudy, explorer: app.controller?.sweep.running || !!app.controller?.sweep.results };
    });
    expect(during).toEqual({ study: true, waits: true, explorer: false });
    await page.waitForFunction(
      () => {
        const app = document.querySelector('bl-app') as unknown as { studyController?: { result: unknown; running: boolean } } | null;
        return !!app?.studyController?.result && !app.studyController.running;
      },
      { timeout: 240_000, polling: 250 },
    );
    // Then the explorer stays closed (no unrelated sweep under the study's page) until the reader opens it.
    await new Promise((r) => setTimeout(r, 1000));
    const after = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as App & { shadowRoot: ShadowRoot };
      const q = (id: string): boolean => app.shadowRoot.querySelector(`[data-testid="${id}"]`) !== null;
      const bar = app.shadowRoot.querySelector('bl-view-bar')?.shadowRoot;
      const preset = bar?.querySelector('select[name="preset"]') as HTMLSelectElement | null;
      const inBar = (id: string): boolean => bar?.querySelector(`[data-testid="${id}"]`) !== null;
      return {
        waits: app.controller?.waitingForStudy,
        explorer: app.controller?.sweep.running || !!app.controller?.sweep.results,
        closed: q('explorer-closed'),
        heatmap: app.shadowRoot.querySelector('bl-heatmap') !== null,
        state: app.shadowRoot.querySelector('[data-testid="run-state"]')?.textContent,
        // The explorer's own controls are not in the header while it is closed, and no curated view is named as shown.
        controls: { run: q('run'), progress: q('progress'), validate: q('validate') },
        // Nor are the view bar's history and figure (they act on the explorer's view); its curated views stay, to open one,
        // and so does Copy link (the address, #study=…, is a link to the study).
        bar: { back: inBar('back'), reset: inBar('reset'), link: inBar('copy-link'), svg: inBar('figure-svg'), presets: inBar('presets') },
        preset: preset?.selectedOptions[0]?.textContent,
      };
    });
    expect(after).toEqual({
      waits: false,
      explorer: false,
      closed: true,
      heatmap: false,
      state: 'explorer closed',
      controls: { run: false, progress: false, validate: false },
      bar: { back: false, reset: false, link: true, svg: false, presets: true },
      preset: 'choose…',
    });
    await page.screenshot({ path: `${ARTIFACTS}/app-study-explorer-closed.png`, fullPage: true });
    await page.click('bl-app >>> [data-testid="open-explorer"]');
    await page.waitForFunction(() => !!(document.querySelector('bl-app') as unknown as App).controller?.sweep.results, { timeout: 240_000, polling: 250 });
    expect(await page.evaluate(() => (document.querySelector('bl-app') as unknown as { shadowRoot: ShadowRoot }).shadowRoot.querySelector('[data-testid="explorer-closed"]'))).toBeNull();
    // With the explorer open, its view bar controls are back.
    expect(await page.evaluate(() => !!(document.querySelector('bl-app') as unknown as { shadowRoot: ShadowRoot }).shadowRoot.querySelector('bl-view-bar')?.shadowRoot?.querySelector('[data-testid="copy-link"]'))).toBe(true);
    const shown = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as { shadowRoot: ShadowRoot; studyController: { result: { panels: unknown[]; findings: Record<string, number> } } };
      return {
        figures: app.shadowRoot.querySelectorAll('[data-testid="study"] figure > svg').length,
        panels: app.studyController.result.panels.length,
        summary: app.shadowRoot.querySelector('[data-testid="study-summary"]')?.textContent ?? '',
        adam: app.studyController.result.findings.adamMedianDistanceToL2Minimum,
        adamw: app.studyController.result.findings.adamWMedianDistanceToL2Minimum,
      };
    });
    expect(shown.figures).toBe(shown.panels);
    expect(shown.summary).toMatch(/L2-regularised minimum/);
    expect(shown.adam).toBeLessThan(shown.adamw as number);
    await page.screenshot({ path: `${ARTIFACTS}/app-study.png`, fullPage: true });
    // The Study menu names the open study, and after Close names none, so the study can be chosen
    // again (walkthrough 10: it kept the closed study's name, and choosing it fired no change).
    const menu = (): Promise<string> => page.evaluate(() => ((document.querySelector('bl-app') as unknown as { shadowRoot: ShadowRoot }).shadowRoot.querySelector('[data-testid="study-select"]') as HTMLSelectElement).value);
    expect(await menu()).toBe('adam-vs-adamw');
    await page.click('bl-app >>> [data-testid="close-study"]');
    await page.waitForFunction(() => !(document.querySelector('bl-app') as unknown as { shadowRoot: ShadowRoot }).shadowRoot.querySelector('[data-testid="study"]'), { timeout: 30_000 });
    expect(await menu()).toBe('');
    // Chosen from the menu (as a reader does, which makes the choice the select's own), then closed.
    await page.evaluate(() => {
      const sel = (document.querySelector('bl-app') as unknown as { shadowRoot: ShadowRoot }).shadowRoot.querySelector('[data-testid="study-select"]') as HTMLSelectElement;
      sel.value = 'adam-vs-adamw';
      sel.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    });
    await page.waitForSelector('bl-app >>> [data-testid="close-study"]', { timeout: 30_000 });
    await page.click('bl-app >>> [data-testid="close-study"]');
    await page.waitForFunction(() => !(document.querySelector('bl-app') as unknown as { shadowRoot: ShadowRoot }).shadowRoot.querySelector('[data-testid="study"]'), { timeout: 30_000 });
    expect(await menu()).toBe('');
    await page.close();
  }, 600_000);
});

describe('basinlab without WebGPU', () => {
  it('says so plainly and runs the CPU engine in Web Workers, with the same outcomes', async () => {
    const cpuBrowser = await puppeteer.launch({ executablePath: CHROMIUM, args: BASE_FLAGS, defaultViewport: { width: 1600, height: 1000 }, protocolTimeout: PROTOCOL_TIMEOUT_MS });
    try {
      const page = await cpuBrowser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${origin}/`);
      await page.waitForSelector('bl-app');
      await settle(page);
      // Without the WebGPU flags this Chromium exposes navigator.gpu but finds no adapter.
      const c = await state(page);
      expect(c.status).toMatch(/No WebGPU/);
      expect(c.engineUsed).toBe('cpu');
      expect(c.renderer).toBe('2d');
      const cpuPage = page;
      const cpuBasins = await cpuPage.evaluate(() => Array.from((document.querySelector('bl-app') as unknown as { controller: { sweep: { columns: { basin: Int32Array } } } }).controller.sweep.columns.basin));
      const gpuPage = await open(gpuBrowser);
      const gpuBasins = await gpuPage.evaluate(() => Array.from((document.querySelector('bl-app') as unknown as { controller: { sweep: { columns: { basin: Int32Array } } } }).controller.sweep.columns.basin));
      let same = 0;
      gpuBasins.forEach((b, k) => (same += b === cpuBasins[k] ? 1 : 0));
      expect(same / gpuBasins.length).toBeGreaterThanOrEqual(0.995);
      await cpuPage.screenshot({ path: `${ARTIFACTS}/app-cpu-fallback.png` });
      expect(errors).toEqual([]);
      await gpuPage.close();
    } finally {
      await cpuBrowser.close();
    }
    writeFileSync(`${ARTIFACTS}/README.txt`, 'Screenshots written by tests/browser/app.test.ts\n');
  }, 300_000);
});
