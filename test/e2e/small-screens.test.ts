// Zoom, small screens, reduced motion and status without colour, in a real Chromium against a real `labdeck serve
// --classroom` (the sample workshop): on a 360 px wide phone and at 200% zoom (a 1280×720 window's CSS viewport is
// then 640×360) the terminal pane stacks below the slides and nothing scrolls sideways; `prefers-reduced-motion`
// stops the terminal's cursor blinking; the dashboard says whether an attendee is connected by shape and words.
// LABDECK_SCREENSHOTS=docs/images writes the README's pictures of both layouts (small PNGs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { startSampleClass, type SampleClass } from '../support/sample-class.ts';
import type { ServedCli } from '../support/served-cli.ts';
import { repoRoot } from '../cli/run-cli.ts';

let served: ServedCli;
let browser: Browser;
const screenshots = process.env.LABDECK_SCREENSHOTS;
/** The sample workshop's "Entering the debug container": a hands-on slide with badges and Run buttons. */
const handsOnSlide = 12;

let sampleClass: SampleClass | undefined;

before(async () => {
  sampleClass = await startSampleClass('zoom');
  ({ served, browser } = sampleClass);
});

after(() => sampleClass?.stop());

async function joinedPage(name: string, options: BrowserContextOptions): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await page.goto(`${served.url}join?code=${served.classCode}`);
  await page.fill('input[name=name]', name);
  await page.click('button[type=submit]');
  await page.waitForSelector('html[data-labdeck-terminals="ready"]');
  await page.evaluate((slide) => {
    location.hash = `#${slide}`;
  }, handsOnSlide);
  await page.waitForSelector('.remark-visible .labdeck-step-badge:not([data-status="pending"])', { timeout: 30_000 });
  await page.waitForFunction(
    () => /[$#] *$/m.test((document.querySelector('.labdeck-terminal:not([hidden]) .xterm-rows') as HTMLElement | null)?.innerText ?? ''),
    undefined,
    {
      timeout: 20_000,
    },
  );
  return page;
}

interface Layout {
  readonly viewport: { readonly width: number; readonly height: number };
  readonly slides: DOMRect;
  readonly slide: DOMRect;
  readonly pane: DOMRect;
  readonly checks: DOMRect;
  readonly scrollWidth: number;
  readonly barButtons: readonly { readonly name: string; readonly right: number; readonly bottom: number }[];
}

function layout(page: Page): Promise<Layout> {
  // No named functions inside: the test's transpiler would wrap them in a helper the page does not have.
  return page.evaluate(() => {
    const [slides, slide, pane, checks] = ['#labdeck-slides', '.remark-visible .remark-slide-scaler', '.labdeck-terminals', '.labdeck-checks'].map(
      (selector) => (document.querySelector(selector) as HTMLElement).getBoundingClientRect().toJSON() as DOMRect,
    ) as [DOMRect, DOMRect, DOMRect, DOMRect];
    return {
      viewport: { width: window.innerWidth, height: window.innerHeight },
      slides,
      slide,
      pane,
      checks,
      scrollWidth: document.documentElement.scrollWidth,
      barButtons: Array.from(document.querySelectorAll<HTMLElement>('.labdeck-terminals-bar button')).map((button) => {
        const box = button.getBoundingClientRect();
        return { name: button.getAttribute('aria-label') ?? button.textContent ?? '', right: box.right, bottom: box.bottom };
      }),
    };
  });
}

function assertStacked(seen: Layout, where: string): void {
  const { viewport, slides, slide, pane, checks } = seen;
  const said = `${where}: ${JSON.stringify(seen)}`;
  assert.ok(Math.abs(pane.width - viewport.width) <= 1, `the pane takes the whole width: ${said}`);
  assert.ok(pane.top >= slides.bottom - 1, `the pane is below the slides: ${said}`);
  assert.ok(pane.height >= viewport.height * 0.3, `the terminal keeps room to type: ${said}`);
  assert.ok(slide.left >= -1 && slide.right <= viewport.width + 1 && slide.bottom <= pane.top + 1, `the slide fits above the pane: ${said}`);
  assert.ok(checks.top >= slide.bottom - 1 && checks.bottom <= pane.top + 1, `the checks bar covers neither the slide nor the pane: ${said}`);
  assert.ok(seen.scrollWidth <= viewport.width, `nothing scrolls sideways: ${said}`);
  for (const button of seen.barButtons) assert.ok(button.right <= viewport.width + 1 && button.bottom <= viewport.height + 1, `${button.name} is on screen: ${said}`);
}

test('a 360 px wide phone: the pane stacks below the slides', { timeout: 90_000 }, async () => {
  const page = await joinedPage('Phone', { viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 });
  try {
    assertStacked(await layout(page), '360 px');
    if (screenshots) await page.screenshot({ path: join(repoRoot, screenshots, 'accessibility-360px.png') });
  } finally {
    await page.context().close();
  }
});

test('200% zoom of a 1280×720 window: the same stacked layout, and the controls stay on screen', { timeout: 90_000 }, async () => {
  const page = await joinedPage('Zoomed', { viewport: { width: 640, height: 360 }, deviceScaleFactor: 2 });
  try {
    assertStacked(await layout(page), '200% zoom');
    if (screenshots) await page.screenshot({ path: join(repoRoot, screenshots, 'accessibility-zoom-200.png'), scale: 'css' });
  } finally {
    await page.context().close();
  }
});

test('prefers-reduced-motion: the terminal cursor does not blink', { timeout: 90_000 }, async () => {
  const blinking = async (reducedMotion: 'reduce' | 'no-preference'): Promise<boolean> => {
    const page = await joinedPage(`Motion ${reducedMotion}`, { viewport: { width: 1280, height: 720 }, reducedMotion });
    try {
      await page.locator('.labdeck-terminal:not([hidden]) .xterm-helper-textarea').focus();
      return await page.evaluate(() => document.querySelector('.labdeck-terminal:not([hidden]) .xterm-cursor-blink') !== null);
    } finally {
      await page.context().close();
    }
  };
  assert.equal(await blinking('no-preference'), true, 'the cursor blinks by default');
  assert.equal(await blinking('reduce'), false, 'no blinking when motion is reduced');
});

test('the dashboard: connected or not is told by shape and words, not by colour alone', { timeout: 60_000 }, async () => {
  const page = await (await browser.newContext()).newPage();
  try {
    await page.goto(`${served.url}_labdeck/dashboard?token=${served.instructorToken}`);
    await page.waitForSelector('#board tbody tr');
    // The pages of the tests before are closed: their attendees are not connected any more.
    await page.waitForSelector('#board tbody tr.disconnected', { timeout: 15_000 });
    const marks = await page.$$eval('#board tbody tr', (rows) =>
      rows.map((row) => ({
        connected: !row.classList.contains('disconnected'),
        mark: getComputedStyle(row.querySelector('.dash-name') as Element, '::before').content,
        words: row.querySelector('.dash-connection')?.textContent ?? '',
      })),
    );
    for (const row of marks) {
      assert.equal(row.mark, row.connected ? '"●"' : '"○"', `a filled or hollow dot: ${JSON.stringify(marks)}`);
      assert.equal(row.words, row.connected ? 'connected' : 'not connected');
    }
  } finally {
    await page.context().close();
  }
});
