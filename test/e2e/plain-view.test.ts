// `?plain`: the deck page with the slides alone (no terminal pane, step badges, Run/Copy buttons nor overlays), the
// shown slide filling a window of the deck's ratio, so that a screenshot of slide N is that slide and nothing else
// (what the visual conformance benchmark compares with remark.js). In a real Chromium against `labdeck serve` of the
// sample workshop, which has terminals and hands-on steps: the same page without `?plain` shows all of them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { startServedCli, type ServedCli } from '../support/served-cli.ts';
import { repoRoot } from '../cli/run-cli.ts';
import { comparePngs } from '../conformance/pixels.ts';

let served: ServedCli;
let browser: Browser;
/** The sample workshop's "Entering the debug container": a hands-on slide (badges, Run/Copy buttons). */
const handsOnSlide = 12;
/** container.training's slide size in the browser (its workshop.css prints at 1210×681): 16:9 at remark.js's scale. */
const viewport = { width: 1210, height: 681 };

before(async () => {
  assertClientBundle();
  served = await startServedCli([join(repoRoot, 'workshop.yml'), '--port', '0'], { cwd: repoRoot, startTimeoutMs: 30_000 });
  browser = await launchChromium().catch(async (error: unknown) => {
    await served.stop();
    throw error;
  });
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

interface Seen {
  /** Elements a person sees that are not the slides: labdeck's interface. */
  readonly interface: string[];
  readonly slide: { left: number; top: number; width: number; height: number };
  readonly shadow: string;
  /** 1-based position of the shown slide. */
  readonly shown: number;
}

function look(page: Page): Promise<Seen> {
  // No named functions inside: the test's transpiler would wrap them in a helper the page does not have.
  return page.evaluate(() => {
    const slides = document.getElementById('labdeck-slides') as HTMLElement;
    const visible = Array.from(document.body.querySelectorAll<HTMLElement>('*')).filter((element) => {
      if (slides.contains(element) && !element.closest('.labdeck-step, .labdeck-code-actions')) return false;
      if (element.closest('.labdeck-sr-only, script, noscript')) return false;
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return box.width > 1 && box.height > 1 && style.visibility !== 'hidden' && style.display !== 'none';
    });
    const scaler = document.querySelector('.remark-visible .remark-slide-scaler') as HTMLElement;
    const box = scaler.getBoundingClientRect();
    return {
      interface: visible.map((element) => `${element.tagName.toLowerCase()}.${Array.from(element.classList).join('.')}`),
      slide: { left: box.left, top: box.top, width: box.width, height: box.height },
      shadow: getComputedStyle(scaler).boxShadow,
      shown: Array.from(slides.children).indexOf(document.querySelector('.remark-visible') as HTMLElement) + 1,
    };
  });
}

test('the slideshow page of a hands-on slide shows labdeck interface: terminal pane, badges, Run/Copy', { timeout: 60_000 }, async () => {
  const page = await (await browser.newContext({ viewport, deviceScaleFactor: 1 })).newPage();
  try {
    await page.goto(`${served.url}#${handsOnSlide}`);
    await page.waitForSelector('html[data-labdeck-terminals="ready"]', { timeout: 30_000 });
    await page.waitForSelector('.remark-visible .labdeck-code-actions', { timeout: 10_000 });
    const seen = await look(page);
    for (const part of ['labdeck-terminals', 'labdeck-step', 'labdeck-code-actions']) {
      assert.ok(
        seen.interface.some((element) => element.includes(`.${part}`)),
        `${part} is shown: the selectors of the next test mean something (${JSON.stringify(seen)})`,
      );
    }
  } finally {
    await page.context().close();
  }
});

test('?plain shows the slide alone, filling a window of its ratio, and hash navigation still works', { timeout: 60_000 }, async () => {
  const page = await (await browser.newContext({ viewport, deviceScaleFactor: 1 })).newPage();
  try {
    // networkidle: what loads after the first paint (the terminals bundle, the step results) has had its chance.
    await page.goto(`${served.url}?plain#${handsOnSlide}`, { waitUntil: 'networkidle' });
    await page.waitForSelector('html[data-labdeck-ready]', { timeout: 10_000 });
    const seen = await look(page);
    const said = JSON.stringify(seen);
    assert.deepEqual(seen.interface, [], `nothing of labdeck's interface is shown: ${said}`);
    assert.equal(seen.shown, handsOnSlide, `#${handsOnSlide} is shown: ${said}`);
    assert.ok(Math.abs(seen.slide.width - viewport.width) <= 1 && Math.abs(seen.slide.height - viewport.height) <= 1, `the slide fills the window: ${said}`);
    assert.ok(Math.abs(seen.slide.left) <= 1 && Math.abs(seen.slide.top) <= 1, `the slide is the window: ${said}`);
    assert.equal(seen.shadow, 'none', `no shadow around the slide: ${said}`);

    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((position) => location.hash === `#${position}`, handsOnSlide + 1, { timeout: 5_000 });
    assert.deepEqual((await look(page)).interface, [], 'the next slide has no interface either');
  } finally {
    await page.context().close();
  }
});

test('a slide shown at its own size is drawn exactly where it is laid out: no half-pixel shift from centering it', { timeout: 60_000 }, async () => {
  // 4:3 slides are 908×681: in a 908×681 window, centring the slide by `top: 50%` and `translate(-50%)` puts its layer
  // 340.5 px down and back, and Chromium then rounds some lines of text and pictures a pixel off (remark.js places
  // its slides with whole left/top offsets instead). The slide as shown must equal the same slide without transform.
  const folder = await mkdtemp(join(tmpdir(), 'labdeck-plain-'));
  const deck = await (async () => {
    await writeFile(join(folder, 'workshop.yml'), "title: Four by three\nratio: '4:3'\ncontent:\n- slides.md\n");
    const rows = Array.from({ length: 8 }, (_, i) => `| 201${i} | 1.${i} | A row of text in a table, line ${i} |`).join('\n');
    await writeFile(join(folder, 'slides.md'), `# Lines of text\n\n| year | version | what |\n|---|---|---|\n${rows}\n\nA paragraph below the table.\n`);
    return startServedCli([join(folder, 'workshop.yml'), '--port', '0'], { cwd: folder, startTimeoutMs: 30_000, terminals: false });
  })();
  const page = await (await browser.newContext({ viewport: { width: 908, height: 681 }, deviceScaleFactor: 1 })).newPage();
  try {
    await page.goto(`${deck.url}?plain#1`);
    await page.waitForSelector('html[data-labdeck-ready]', { timeout: 10_000 });
    await page.evaluate(() => document.fonts.ready);
    const shown = await page.screenshot();
    await page.addStyleTag({ content: '.remark-slide-scaler { transform: none !important; translate: none !important; left: 0 !important; top: 0 !important; }' });
    const untransformed = await page.screenshot();
    const { differing } = comparePngs(shown, untransformed);
    assert.equal(differing, 0, `${differing} pixels differ between the slide as shown and the same slide untransformed`);
  } finally {
    await page.context().close();
    await deck.stop();
    await rm(folder, { recursive: true, force: true });
  }
});
