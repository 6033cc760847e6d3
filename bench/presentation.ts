// Presentation benchmark (issue: presentation in the browser): time from navigation start to the first slide
// painted for the full swarm-halfday.yml deck, labdeck (`serve`'s page, slides pre-rendered on the server) against
// remark.js 0.14.1 (container.training's fork, as the conformance suite builds it) loading the same markdown, in the
// same Chromium and run; then the time of one next-slide navigation (handler + style + layout) in both.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { loadWorkshop } from '../src/config/workshop.ts';
import { assembleDeckSource } from '../src/deck/manifest.ts';
import { diskFiles, excludedClasses, loadDeck } from '../src/workshop/load-deck.ts';
import { toDeckJson } from '../src/deck/deck-json.ts';
import { startServer } from '../src/http/server.ts';
import { launchChromium } from '../test/support/browser.ts';
import { loadOfficialBundle, patchIntoFork } from '../test/conformance/reference.ts';

const manifest = fileURLToPath(new URL('../test/fixtures/container-training/swarm-halfday.yml', import.meta.url));
const assetsDir = fileURLToPath(new URL('../public/', import.meta.url));
const runs = 5;
const moves = 40;

/**
 * Runs in every page before its own scripts: watches each frame for the first visible slide, and records the time
 * (ms since navigation start) of the frame after it appeared, i.e. once it was painted.
 */
const firstSlideProbe = `(() => {
  const look = () => {
    if (document.querySelector('.remark-visible .remark-slide-content')) {
      requestAnimationFrame(() => (window.__firstSlidePaintedMs = performance.now()));
    } else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function benchPresentation(): Promise<string> {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build-client.mjs', import.meta.url))]);
  const workshop = loadWorkshop(manifest);
  const { deck } = await loadDeck(manifest);
  const deckJson = toDeckJson(deck, { version: 1, title: workshop.pageTitle, ratio: workshop.ratio, error: null });
  const labdeck = await startServer(
    { deck: { current: () => deckJson, onChange: () => ({ dispose() {} }) }, workshopDir: dirname(manifest), assetsDir, log: () => {} },
    { port: 0, host: '127.0.0.1' },
  );
  const remark = await serveRemark(assembleDeckSource(workshop, diskFiles).markdown, excludedClasses(workshop, {}));
  const browser = await launchChromium();
  try {
    const paint = { labdeck: [] as number[], remark: [] as number[] };
    const next = { labdeck: [] as number[], remark: [] as number[] };
    // Interleaved, so that a busy moment of the machine hits both alike.
    for (let run = 0; run < runs; run++) {
      paint.labdeck.push(await firstSlidePaint(browser, labdeck.url, 'html[data-labdeck-ready]'));
      paint.remark.push(await firstSlidePaint(browser, remark.url, 'html[data-remark-ready]'));
    }
    next.labdeck = await nextSlideTimes(browser, labdeck.url, 'html[data-labdeck-ready]', () => {
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    });
    next.remark = await nextSlideTimes(browser, remark.url, 'html[data-remark-ready]', () => {
      (window as unknown as { slideshow: { gotoNextSlide(): void } }).slideshow.gotoNextSlide();
    });
    const labdeckPaint = median(paint.labdeck);
    const remarkPaint = median(paint.remark);
    const labdeckNext = median(next.labdeck);
    return [
      `Deck: \`swarm-halfday.yml\` (${deckJson.slides.length} slides). First slide painted = ms from navigation start to the`,
      `frame after the first \`.remark-visible\` slide appeared (median of ${runs} fresh pages each, interleaved, same`,
      `Chromium). Next slide = one → (labdeck: a keydown event; remark.js: \`gotoNextSlide()\`) until style and layout`,
      `are done, median of ${moves} moves.`,
      '',
      '| measure | labdeck | remark.js 0.14.1 | goal | |',
      '|---|---|---|---|---|',
      `| first slide painted | ${ms(labdeckPaint)} | ${ms(remarkPaint)} | labdeck ≤ ⅓ of remark.js (${ms(remarkPaint / 3)}) | ${labdeckPaint <= remarkPaint / 3 ? 'met' : 'not met'} |`,
      `| next-slide navigation | ${ms(labdeckNext)} | ${ms(median(next.remark))} | < 16 ms | ${labdeckNext < 16 ? 'met' : 'not met'} |`,
    ].join('\n');
  } finally {
    await browser.close();
    await labdeck.close();
    remark.close();
  }
}

async function firstSlidePaint(browser: Browser, url: string, ready: string): Promise<number> {
  const page = await newPage(browser, url, ready);
  try {
    const handle = await page.waitForFunction(() => (window as unknown as { __firstSlidePaintedMs?: number }).__firstSlidePaintedMs);
    return (await handle.jsonValue()) as number;
  } finally {
    await page.close();
  }
}

async function nextSlideTimes(browser: Browser, url: string, ready: string, goNext: () => void): Promise<number[]> {
  const page = await newPage(browser, url, ready);
  try {
    return await page.evaluate(
      ([count, step]) => {
        const next = new Function(`(${step})()`) as () => void;
        const times: number[] = [];
        for (let i = 0; i < count!; i++) {
          const start = performance.now();
          next();
          // Reading the layout makes the browser apply the change now: style and layout are part of the move.
          document.querySelector('.remark-visible .remark-slide-content')!.getBoundingClientRect();
          times.push(performance.now() - start);
        }
        return times;
      },
      [moves, goNext.toString()] as const,
    );
  } finally {
    await page.close();
  }
}

async function newPage(browser: Browser, url: string, ready: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.addInitScript(firstSlideProbe);
  await page.goto(url);
  await page.waitForSelector(ready, { state: 'attached' });
  return page;
}

/** remark.js on a page of its own, as container.training's decks load it: the markdown in a textarea. */
async function serveRemark(markdown: string, excluded: readonly string[]): Promise<{ url: string; close(): void }> {
  const bundle = patchIntoFork(await loadOfficialBundle());
  const options = { ratio: '16:9', highlightSpans: true, slideNumberFormat: '%current%/%total%', excludedClasses: excluded };
  const escaped = markdown.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const page = `<!DOCTYPE html><meta charset="utf-8"><textarea id="source">${escaped}</textarea>
<script src="/remark.js"></script>
<script>
  window.slideshow = remark.create(${JSON.stringify(options)});
  document.documentElement.dataset.remarkReady = 'true';
</script>`;
  const server = createServer((request, response) => {
    response.setHeader('content-type', request.url === '/remark.js' ? 'text/javascript' : 'text/html; charset=utf-8');
    response.end(request.url === '/remark.js' ? bundle : page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}
