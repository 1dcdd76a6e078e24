/**
 * Driving the app in Chromium for the browser tests: the production build served on 127.0.0.1,
 * puppeteer-core in Debian's Chromium (WebGPU on SwiftShader, or without it), and the few ways a
 * test reads the page: the app's controllers, its fields, and the frame the heatmap drew, rebuilt
 * in Node so that its colours come from the view layer itself (cellColour), not from a screenshot.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';
import { build, preview } from 'vite';
import type { PreviewServer } from 'vite';
import { expect } from 'vitest';
import type { ResultColumns } from '../../src/core/results.ts';
import type { HeatmapFrame, HeatmapMode } from '../../src/view/frame.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = 'test-artifacts';
export const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--window-size=1600,1000',
];
export const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export interface Served {
  readonly origin: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Builds the app, serves it and starts Chromium with WebGPU on SwiftShader. */
export async function serve(): Promise<Served> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (npm test does)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  await build({ logLevel: 'warn' });
  const server: PreviewServer = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const origin = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`;
  // protocolTimeout: puppeteer's default of 180 s caps every waitForFunction, whatever its own timeout (review 16).
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: [...BASE_FLAGS, ...WEBGPU_FLAGS], defaultViewport: { width: 1600, height: 1000 }, protocolTimeout: 900_000 });
  return {
    origin,
    browser,
    close: async () => {
      await browser.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    },
  };
}

/** Waits until the app's current run (or validation) has finished with results. */
export async function settle(page: Page, timeout = 180_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const app = document.querySelector('bl-app') as unknown as { controller?: { sweep: { running: boolean; results: unknown }; validation: { validating: boolean } } } | null;
      const c = app?.controller;
      return !!c && !c.sweep.running && !c.validation.validating && !!c.sweep.results;
    },
    { timeout, polling: 100 },
  );
}

/** Opens the app at `hash`, waits for its first sweep, and fails on any page error. */
export async function open(browser: Browser, origin: string, hash = ''): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/${hash}`);
  await page.waitForSelector('bl-app');
  await settle(page);
  expect(errors).toEqual([]);
  return page;
}

/** Sets a spec field through the editor's input, as a user would. */
export async function setField(page: Page, path: string, value: string): Promise<void> {
  const ok = await page.evaluate(
    (p: string, v: string) => {
      const ed = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-spec-editor');
      const el = ed?.shadowRoot?.querySelector(`[name="${p}"]`) as HTMLInputElement | HTMLSelectElement | null;
      if (!el || !('value' in el) || el instanceof HTMLOutputElement) return false;
      el.value = v;
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      el.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
      return true;
    },
    path,
    value,
  );
  if (!ok) throw new Error(`no editable field named ${path}`);
}

/** The app's spec as the controller holds it (normalised JSON). */
export async function specOf(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { spec: { json: Record<string, unknown> } } }).controller.spec.json);
}

/** The text of an element of the app's shadow root (by data-testid), '' when absent. */
export async function testText(page: Page, id: string): Promise<string> {
  return page.evaluate((t: string) => document.querySelector('bl-app')?.shadowRoot?.querySelector(`[data-testid="${t}"]`)?.textContent ?? '', id);
}

/** Clicks a button of <bl-view-bar> by its data-testid. */
export async function clickViewBar(page: Page, id: string): Promise<void> {
  const ok = await page.evaluate((t: string) => {
    const b = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-bar')?.shadowRoot?.querySelector(`[data-testid="${t}"]`) as HTMLButtonElement | null;
    if (!b || b.disabled) return false;
    b.click();
    return true;
  }, id);
  if (!ok) throw new Error(`view bar button ${id} is missing or disabled`);
}

const FLOAT_COLUMNS = ['loss', 'sharpness', 'final_x', 'final_y'] as const;

/**
 * The frame the heatmap was last handed, rebuilt in Node: its colour range and every column
 * cellColour reads, copied byte for byte (floats as their bits, so NaN and infinities survive).
 */
export async function frameOf(page: Page): Promise<HeatmapFrame> {
  const f = await page.evaluate((floats: readonly string[]) => {
    const hm = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap') as unknown as { frame: Record<string, unknown> & { columns: Record<string, ArrayLike<number> & { buffer: ArrayBuffer; byteOffset: number; byteLength: number }> } } | null;
    const fr = hm?.frame;
    if (!fr) return null;
    const b64 = (a: { buffer: ArrayBuffer; byteOffset: number; byteLength: number }): string => {
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    };
    const c = fr.columns;
    const col = (name: string) => c[name] as unknown as { buffer: ArrayBuffer; byteOffset: number; byteLength: number; BYTES_PER_ELEMENT: number };
    return {
      width: fr.width as number,
      height: fr.height as number,
      runsReady: fr.runsReady as number,
      mode: fr.mode as string,
      lo: fr.lo as number,
      hi: fr.hi as number,
      clipped: fr.clipped as { below: number; above: number },
      lossFloor: fr.lossFloor as number,
      steps: fr.steps as number,
      f64: col('loss').BYTES_PER_ELEMENT === 8,
      basin: b64(col('basin')),
      diverged: b64(col('diverged')),
      steps_to_converge: b64(col('steps_to_converge')),
      floats: Object.fromEntries(floats.map((n) => [n, b64(col(n))])),
    };
  }, FLOAT_COLUMNS);
  if (!f) throw new Error('the heatmap has no frame');
  const bytes = (s: string): ArrayBuffer => {
    const b = Buffer.from(s, 'base64');
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  };
  const float = (n: string): Float32Array | Float64Array => (f.f64 ? new Float64Array(bytes(f.floats[n] as string)) : new Float32Array(bytes(f.floats[n] as string)));
  const columns: ResultColumns = {
    final_x: float('final_x'),
    final_y: float('final_y'),
    loss: float('loss'),
    sharpness: float('sharpness'),
    basin: new Int32Array(bytes(f.basin)),
    diverged: new Uint8Array(bytes(f.diverged)),
    steps_to_converge: new Int32Array(bytes(f.steps_to_converge)),
  };
  return { width: f.width, height: f.height, runsReady: f.runsReady, mode: f.mode as HeatmapMode, lo: f.lo, hi: f.hi, clipped: f.clipped, lossFloor: f.lossFloor, steps: f.steps, columns };
}
