/**
 * The README's screenshots, taken from the running app: the production build served on 127.0.0.1,
 * Debian's Chromium with WebGPU on SwiftShader (as the browser tests run it), a 1600 × 1000 window.
 * Writes docs/img/app.png (the first view, a run clicked), docs/img/app-himmelblau.png (a curated
 * view), docs/img/app-figure.png (the figure the explorer exports) and docs/img/app-network.png (the
 * fractal-boundary network view, a run clicked), and prints the time from
 * page load to the first complete heatmap of the default view (median of five loads).
 *
 *   npx tsx scripts/screenshots.ts [--out docs/img] [--loads 5] [--time-only] [--validate]
 *
 * --validate also times "Validate vs CPU" on the default view, from the click to the verdict.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import type { Page } from 'puppeteer-core';
import { build, preview } from 'vite';
import { writeFileAtomically } from '../src/io/text-file.ts';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--window-size=1600,1000',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Waits for the app's sweep to finish; returns the page's clock (ms since navigation) when it had. */
async function settle(page: Page, timeout = 300_000): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      const app = document.querySelector('bl-app') as unknown as { controller?: { sweep: { running: boolean; results: unknown } } } | null;
      const c = app?.controller;
      return c && !c.sweep.running && c.sweep.results ? performance.now() : 0;
    },
    { timeout, polling: 20 },
  );
  return (await handle.jsonValue()) as number;
}

async function main(): Promise<void> {
  const out = arg('--out', 'docs/img');
  const loads = Number(arg('--loads', '5'));
  mkdirSync(out, { recursive: true });
  await build({ logLevel: 'warn' });
  const server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const origin = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`;
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: FLAGS, defaultViewport: { width: 1600, height: 1000 } });
  try {
    // Time to the first complete heatmap: a fresh page each time (the browser's caches warm after the first).
    const times: number[] = [];
    for (let k = 0; k < loads; k++) {
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      times.push(await settle(page));
      await page.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`first complete heatmap after load (ms): ${times.map((t) => Math.round(t)).join(', ')}; median ${Math.round(sorted[sorted.length >> 1] ?? 0)}`);
    if (process.argv.includes('--validate')) {
      // "Validate vs CPU" on the default view: from the click to the verdict (both CPU passes).
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      await settle(page);
      const t0 = Date.now();
      await page.click('bl-app >>> button[data-testid="validate"]');
      await page.waitForFunction(() => !!document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="verdict"]'), { timeout: 900_000, polling: 100 });
      const verdict = await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="verdict"]')?.textContent ?? '');
      console.log(`Validate vs CPU on the default view: ${((Date.now() - t0) / 1000).toFixed(1)} s to the verdict (${verdict.trim()})`);
      await page.close();
    }
    if (process.argv.includes('--time-only')) return;

    // The first view, with a run clicked (its path on the contour plot).
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await settle(page);
    const box = await page.evaluate(() => {
      const c = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('canvas.plot-gpu, canvas.plot-2d:not(.hidden)');
      const r = c?.getBoundingClientRect();
      return r ? { x: r.x, y: r.y, w: r.width, h: r.height } : null;
    });
    if (box) {
      await page.mouse.click(box.x + box.w * 0.55, box.y + box.h * 0.3);
      await page.waitForFunction(
        () => ((document.querySelector('bl-app') as unknown as { controller: { selection: { trajectory: unknown } } }).controller.selection.trajectory ?? null) !== null,
        { timeout: 60_000 },
      );
      await page.mouse.move(box.x + box.w * 0.55, box.y + box.h * 0.3);
    }
    await new Promise((r) => setTimeout(r, 300));
    await page.screenshot({ path: join(out, 'app.png') });

    // A curated view.
    await page.evaluate(() => {
      const bar = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-bar');
      const sel = bar?.shadowRoot?.querySelector('select[name="preset"]') as HTMLSelectElement | null;
      if (!sel) throw new Error('no preset menu');
      sel.value = 'himmelblau-starts';
      sel.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction(() => (document.querySelector('bl-app') as unknown as { controller: { sweep: { plan?: { spec: { surface: { name: string } } } } } }).controller.sweep.plan?.spec.surface.name === 'himmelblau');
    await settle(page);
    // The selected run's path as the sweep's own engine records it (not the preview drawn meanwhile).
    await page.waitForFunction(() => (document.querySelector('bl-app') as unknown as { controller: { selection: { exact: boolean; trajectory: unknown } } }).controller.selection.exact, { timeout: 120_000 });
    await page.mouse.move(5, 5);
    await page.screenshot({ path: join(out, 'app-himmelblau.png') });

    // The figure the explorer exports, rasterised by the page at 2x.
    const png = await page.evaluate(async () => {
      const ctl = (document.querySelector('bl-app') as unknown as { controller: { exports: { svg(): string | null } } }).controller;
      const svg = ctl.exports.svg();
      if (!svg) throw new Error('no figure');
      const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      const img = new Image();
      img.src = url;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth * 2;
      c.height = img.naturalHeight * 2;
      c.getContext('2d')?.drawImage(img, 0, 0, c.width, c.height);
      return c.toDataURL('image/png').split(',')[1] ?? '';
    });
    await writeFileAtomically(join(out, 'app-figure.png'), [Buffer.from(png, 'base64')]);
    await page.close();

    // A network view: the fractal-boundary preset, a run clicked (its loss, LR and gradient curves).
    // Strings, not functions, for the page: tsx's helpers are not defined there.
    const net = await browser.newPage();
    await net.goto(`${origin}/`);
    await settle(net);
    await net.evaluate(
      `(() => { const sel = document.querySelector('bl-app').shadowRoot.querySelector('bl-view-bar').shadowRoot.querySelector('select[name="preset"]'); sel.value = [...sel.options].find((o) => /fractal/i.test(o.textContent)).value; sel.dispatchEvent(new Event('change')); })()`,
    );
    await net.waitForFunction(`(() => { const c = document.querySelector('bl-app').controller; return !c.sweep.running && !!c.sweep.net && !!c.sweep.net.results; })()`, { timeout: 300_000, polling: 200 });
    // And the float32-resolution probe's verdict above the map, not its "Checking…" line.
    await net.waitForFunction(`(() => { const p = document.querySelector('bl-app').controller.probe; return !p.probing && !!p.result; })()`, { timeout: 300_000, polling: 200 });
    const plot = (await net.evaluate(
      `(() => { const r = document.querySelector('bl-app').shadowRoot.querySelector('bl-heatmap').shadowRoot.querySelector('canvas.plot:not(.hidden)').getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; })()`,
    )) as { x: number; y: number; w: number; h: number };
    await net.mouse.click(plot.x + plot.w * 0.55, plot.y + plot.h * 0.5);
    await net.waitForFunction(`(() => { const n = document.querySelector('bl-app').controller.netRuns; return !!n.selected && !!n.selected.trajectory; })()`, { timeout: 120_000, polling: 100 });
    await net.mouse.move(5, 5);
    await net.screenshot({ path: join(out, 'app-network.png') });
    await net.close();
    console.log(`wrote ${['app.png', 'app-himmelblau.png', 'app-figure.png', 'app-network.png'].map((f) => join(out, f)).join(', ')}`);
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
