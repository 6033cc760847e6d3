// The two sides of the visual comparison, each a page in the same Chromium at container.training's slide size
// (1210×681, device scale 1), screenshot one slide at a time:
// - labdeck: `labdeck serve` on the deck's folder (as a user runs it), its page in the plain view (`?plain`: the
//   slides alone, src/client/plain.ts);
// - remark.js 0.14.1 (container.training's fork, reference.ts), on a page built as markmaker.py's template builds it:
//   the deck's `workshop.css` beside it, the markdown in a textarea, the same `remark.create` options. The stylesheet's
//   Google Fonts @imports are answered with the @fontsource faces (local-fonts.ts).
// Nothing leaves the machine: requests to another origin are refused and listed (a deck may name remote pictures).
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadOfficialBundle, patchIntoFork } from './reference.ts';
import { fontFilePath, localFontsCss } from './local-fonts.ts';
import { startServedCli, type ServedCli } from '../support/served-cli.ts';

/** container.training's slide size in the browser: its workshop.css prints slides on 1210×681 pages. */
export const slideViewport = { width: 1210, height: 681 } as const;

/** One side's screenshots, slide by slide (1-based positions: shots[0] is slide 1). */
export interface SlideShots {
  readonly shots: Buffer[];
  /** Requests the page made to another origin (refused). */
  readonly outsideRequests: string[];
}

export interface VisualSide {
  /** The number of slides the page shows. */
  readonly slideCount: number;
  /** A PNG of slide `position` (1-based), once its pictures and fonts are in. */
  screenshot(position: number): Promise<Buffer>;
  /** Requests the page made to another origin so far (refused). */
  readonly outsideRequests: readonly string[];
  /** The shown slide's first heading (or its name), to tell a person which slide a figure is about. */
  heading(): Promise<string>;
  /** The font families the page has loaded faces of (`document.fonts`), sorted. */
  loadedFonts(): Promise<string[]>;
  close(): Promise<void>;
}

/** Waits until the visible slide's pictures are loaded (or failed) and decoded, the fonts are in and a frame is painted. */
const settled = `(async () => {
  document.body.getBoundingClientRect(); // a layout, so that the slide's fonts start loading before fonts.ready is read
  const images = Array.from(document.querySelectorAll('.remark-visible img'));
  await Promise.all(images.map((image) => image.decode().catch(() => undefined)));
  await document.fonts.ready;
  await new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)));
})()`;

interface SlidePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught errors of the page: a side that throws shows something else than its slides. */
  readonly errors: string[];
}

async function newSlidePage(browser: Browser, ownOrigin: string, outsideRequests: string[], answer?: (url: string) => string | undefined): Promise<SlidePage> {
  const context = await browser.newContext({ viewport: slideViewport, deviceScaleFactor: 1 });
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === ownOrigin) return route.continue();
    const css = answer?.(url);
    if (css !== undefined) return route.fulfill({ status: 200, contentType: 'text/css; charset=utf-8', body: css });
    outsideRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

async function shoot({ page, errors }: SlidePage): Promise<Buffer> {
  await page.evaluate(settled);
  if (errors.length > 0) throw new Error(`${page.url()}: page errors: ${errors.join('; ')}`);
  return page.screenshot({ animations: 'disabled', caret: 'hide' });
}

function heading(page: Page): Promise<string> {
  return page.evaluate(() => {
    const content = document.querySelector('.remark-visible .remark-slide-content');
    const title = content?.querySelector('h1, h2, h3')?.textContent?.trim();
    return title || (content?.id ?? '').replace(/^slide-/, '');
  });
}

function loadedFonts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const families = new Set<string>();
    document.fonts.forEach((face) => {
      if (face.status === 'loaded') families.add(face.family.replace(/^["']|["']$/g, ''));
    });
    return [...families].sort();
  });
}

/** labdeck's side: `labdeck serve <manifest>` started in the deck's folder, its page opened with `?plain`. */
export async function openLabdeckSide(browser: Browser, deckDir: string, manifest: string): Promise<VisualSide> {
  const served: ServedCli = await startServedCli([manifest, '--port', '0'], { cwd: deckDir, startTimeoutMs: 60_000, terminals: false });
  try {
    const outsideRequests: string[] = [];
    const slidePage = await newSlidePage(browser, new URL(served.url).origin, outsideRequests);
    const { context, page } = slidePage;
    await page.goto(`${served.url}?plain#1`);
    await page.waitForSelector('html[data-labdeck-ready]', { timeout: 30_000 });
    const slideCount = await page.evaluate(() => document.querySelectorAll('#labdeck-slides > .remark-slide-container').length);
    return {
      slideCount,
      outsideRequests,
      loadedFonts: () => loadedFonts(page),
      heading: () => heading(page),
      async screenshot(position) {
        await page.evaluate((n) => {
          location.hash = `#${n}`;
        }, position);
        await page.waitForFunction(
          (n) => document.querySelector(`#labdeck-slides > .remark-slide-container:nth-child(${n})`)?.classList.contains('remark-visible'),
          position,
          { timeout: 10_000 },
        );
        return shoot(slidePage);
      },
      async close() {
        await context.close();
        await served.stop();
      },
    };
  } catch (error) {
    await served.stop();
    throw error;
  }
}

export interface RemarkDeck {
  /** The assembled deck markdown, pasted into the page as markmaker.py does. */
  readonly markdown: string;
  readonly excludedClasses: readonly string[];
  /** The deck's folder: `workshop.css` and the pictures are served from it, as beside markmaker's page. */
  readonly deckDir: string;
}

/** markmaker.py's template (container.training's workshop.html), its comments and the remote-control scripts left out. */
function markmakerPage(deck: RemarkDeck): string {
  const options = { ratio: '16:9', highlightSpans: true, slideNumberFormat: '%current%/%total%', excludedClasses: [...deck.excludedClasses] };
  return `<!DOCTYPE html>
<html>
  <head>
    <title>reference</title>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>
    <link rel="stylesheet" href="workshop.css">
  </head>
  <body>
    <textarea id="source">${deck.markdown}</textarea>
    <script src="remark.min.js" type="text/javascript"></script>
    <script type="text/javascript">
      var slideshow = remark.create(${JSON.stringify(options)});
    </script>
  </body>
</html>`;
}

const contentTypes: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/** labdeck's own pictures (public/), which labdeck's assembly names in the markdown (the interstitial picture). */
const labdeckAssetsDir = resolve(import.meta.dirname, '../../public');

/** The file a path of the reference page's server names: a font, one of labdeck's pictures, or a file of the deck. */
function fileFor(path: string, deckDir: string): string | undefined {
  if (path.startsWith('/_fonts/')) return fontFilePath(path.slice('/_fonts/'.length));
  const [root, relativePath] = path.startsWith('/_labdeck/') ? [labdeckAssetsDir, path.slice('/_labdeck/'.length)] : [deckDir, path];
  const file = join(root, relativePath);
  return relative(root, file).startsWith('..') ? undefined : file;
}

/** Serves the page, the fork's bundle, the deck's files and the font files, on 127.0.0.1. */
async function serveRemarkPage(deck: RemarkDeck): Promise<Server> {
  const page = markmakerPage(deck);
  const bundle = patchIntoFork(await loadOfficialBundle());
  const deckDir = resolve(deck.deckDir);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const send = (type: string, body: string | Buffer) => response.writeHead(200, { 'content-type': type, 'access-control-allow-origin': '*' }).end(body);
    if (path === '/') return send('text/html; charset=utf-8', page);
    if (path === '/remark.min.js') return send('text/javascript; charset=utf-8', bundle);
    const file = fileFor(path, deckDir);
    if (file === undefined) return response.writeHead(404).end();
    readFile(file).then(
      (body) => send(contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream', body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', () => listening());
  });
  return server;
}

/** remark.js's side: markmaker's page for `deck`, the deck's fonts served locally. */
export async function openRemarkSide(browser: Browser, deck: RemarkDeck): Promise<VisualSide> {
  const server = await serveRemarkPage(deck);
  const stop = () => new Promise<void>((closed) => server.close(() => closed()));
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const outsideRequests: string[] = [];
    const googleFonts = (url: string) => (url.startsWith('https://fonts.googleapis.com/css?') ? localFontsCss(url, `${origin}/_fonts/`) : undefined);
    const slidePage = await newSlidePage(browser, origin, outsideRequests, googleFonts);
    const { context, page } = slidePage;
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.querySelector('.remark-visible .remark-slide-content') !== null, undefined, { timeout: 30_000 });
    const slideCount = await page.evaluate(() => (window as unknown as { slideshow: { getSlideCount(): number } }).slideshow.getSlideCount());
    return {
      slideCount,
      outsideRequests,
      loadedFonts: () => loadedFonts(page),
      heading: () => heading(page),
      async screenshot(position) {
        await page.evaluate((n) => (window as unknown as { slideshow: { gotoSlide(n: number): void } }).slideshow.gotoSlide(n), position);
        await page.waitForFunction(
          (n) => document.querySelector(`.remark-slides-area > .remark-slide-container:nth-child(${n})`)?.classList.contains('remark-visible'),
          position,
          { timeout: 10_000 },
        );
        return shoot(slidePage);
      },
      async close() {
        await context.close();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
