// The presentation in a real Chromium, on `labdeck serve` of a temp copy of the sample workshop: every key, hash
// links, increments, presenter view synced with the audience window, follow-me across browser contexts (instructor,
// attendee, co-presenter), the print layout and `labdeck pdf`.
// test-runner: alone
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { repoRoot, runLabdeck } from '../cli/run-cli.ts';
import { serveInProcess, type ServedInProcess } from '../support/served-in-process.ts';

let scratch: string;
let workshop: string;
let browser: Browser;
let deckUrl: string;
let instructorUrl: string;
let slideCount: number;
let server: ServedInProcess;

const aboutNotes = 'Ask who has used Swarm before.';

before(async () => {
  assertClientBundle();
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-presentation-'));
  workshop = join(scratch, 'workshop');
  await cp(join(repoRoot, 'slides'), join(workshop, 'slides'), { recursive: true });
  await cp(join(repoRoot, 'workshop.yml'), join(workshop, 'workshop.yml'));
  // Presenter notes on slide 2 (the sample deck has none).
  const intro = join(workshop, 'slides', 'intro.md');
  const text = await readFile(intro, 'utf8');
  await writeFile(intro, text.replace('\n---\n', `\n???\n\n${aboutNotes}\n\n---\n`));

  server = await serveInProcess([], { cwd: workshop, instructor: true });
  deckUrl = server.url;
  instructorUrl = server.instructorUrl ?? '';
  browser = await launchChromium();
  slideCount = ((await (await fetch(`${deckUrl}deck.json`)).json()) as { slides: unknown[] }).slides.length;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function open(context: BrowserContext | Browser, url: string): Promise<Page> {
  const page = await context.newPage({ viewport: { width: 1280, height: 720 } } as never);
  await page.goto(url);
  await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
  return page;
}

const slideOf = async (page: Page): Promise<number> => Number(await page.getAttribute('html', 'data-labdeck-slide'));
const waitForSlide = (page: Page, n: number, timeout = 5000): Promise<unknown> =>
  page.waitForFunction((expected) => document.documentElement.dataset.labdeckSlide === String(expected), n, { timeout });
const hasClass = (page: Page, name: string): Promise<boolean> => page.evaluate((c) => document.documentElement.classList.contains(c), name);

test('keys: every remark.js navigation key, Home/End and number + Enter', async () => {
  const page = await open(browser, deckUrl);
  try {
    for (const [key, expected] of [
      ['ArrowRight', 2],
      ['ArrowDown', 3],
      ['PageDown', 4],
      ['Space', 5],
      ['j', 6],
      ['k', 5],
      ['PageUp', 4],
      ['ArrowUp', 3],
      ['ArrowLeft', 2],
      ['End', slideCount],
      ['Home', 1],
    ] as const) {
      await page.keyboard.press(key);
      assert.equal(await slideOf(page), expected, `after ${key}`);
    }
    await page.keyboard.type('12');
    await page.keyboard.press('Enter');
    assert.equal(await slideOf(page), 12);
    assert.equal(new URL(page.url()).hash, '#12');
    assert.match(await page.locator('.remark-visible .remark-slide-number').innerText(), /^\d+\/\d+$/);
  } finally {
    await page.close();
  }
});

test('keys: b/m/f modes, ? and h help, o finds a slide by title, Esc closes, t resets the timer', async () => {
  const page = await open(browser, deckUrl);
  try {
    await page.keyboard.press('b');
    assert.equal(await hasClass(page, 'labdeck-blackout'), true);
    assert.equal(await page.locator('.labdeck-slides').isVisible(), false, 'blackout hides the slides');
    await page.keyboard.press('Escape');
    assert.equal(await hasClass(page, 'labdeck-blackout'), false);

    await page.keyboard.press('m');
    assert.equal(await hasClass(page, 'labdeck-mirrored'), true);
    await page.keyboard.press('m');
    assert.equal(await hasClass(page, 'labdeck-mirrored'), false);

    await page.keyboard.press('f');
    await page.waitForFunction(() => document.fullscreenElement === document.documentElement);
    await page.keyboard.press('f');
    await page.waitForFunction(() => document.fullscreenElement === null);

    for (const key of ['?', 'h']) {
      await page.keyboard.press(key);
      assert.match(await page.locator('.labdeck-help').innerText(), /Next slide[\s\S]*Presenter view/);
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('.labdeck-help').isVisible(), false);
    }

    await page.keyboard.press('o');
    await page.keyboard.type('before we');
    assert.equal(await page.locator('.labdeck-overview li').count(), 1);
    await page.keyboard.press('Enter');
    assert.equal(await slideOf(page), 3);
    assert.equal(await page.locator('.labdeck-overview').isVisible(), false);
    await page.keyboard.press('/');
    await page.locator('.labdeck-overview li', { hasText: 'Cleaning up' }).click();
    assert.equal(await slideOf(page), slideCount);

    await page.keyboard.press('p');
    await page.waitForFunction(() => /Elapsed 0:00:0\d/.test(document.querySelector('.labdeck-presenter-elapsed')?.textContent ?? ''));
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1100)));
    await page.keyboard.press('t');
    assert.equal(await page.locator('.labdeck-presenter-elapsed').innerText(), 'Elapsed 0:00:00');
  } finally {
    await page.close();
  }
});

test('hash: #N and #slide-name, links between slides, reload keeps the slide', async () => {
  const page = await open(browser, `${deckUrl}#toc-part-1`);
  try {
    assert.equal(await slideOf(page), 5);
    await page.locator('.remark-visible a[href="#toc-breaking-into-an-overlay-network"]').click();
    await waitForSlide(page, 10);
    await page.keyboard.press('ArrowRight');
    assert.equal(new URL(page.url()).hash, '#11');
    await page.reload();
    await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
    assert.equal(await slideOf(page), 11);
  } finally {
    await page.close();
  }
});

test('increments: `--` steps show in order, each adding to the one before', async () => {
  const page = await open(browser, `${deckUrl}#6`);
  try {
    const texts: string[] = [];
    for (let step = 0; step < 3; step++) {
      texts.push(await page.locator('.remark-visible .remark-slide-content').innerText());
      await page.keyboard.press('ArrowRight');
    }
    assert.ok(texts[1]!.length > texts[0]!.length && texts[1]!.startsWith(texts[0]!.split('\n')[0]!));
    assert.ok(texts[2]!.length > texts[1]!.length);
    assert.equal(await slideOf(page), 9);
  } finally {
    await page.close();
  }
});

test('touch: swiping left and right moves next and previous', async () => {
  const context = await browser.newContext({ hasTouch: true, viewport: { width: 800, height: 600 } });
  try {
    const page = await open(context, deckUrl);
    const swipe = (fromX: number, toX: number) =>
      page.evaluate(
        ([a, b]) => {
          // No named helpers in here: the test's compiler would wrap them in a helper the page does not have.
          const [start, end] = [a!, b!].map((x) => new Touch({ identifier: 1, target: document.body, clientX: x, clientY: 300 }));
          document.body.dispatchEvent(new TouchEvent('touchstart', { touches: [start!], changedTouches: [start!], bubbles: true }));
          document.body.dispatchEvent(new TouchEvent('touchend', { touches: [], changedTouches: [end!], bubbles: true }));
        },
        [fromX, toX],
      );
    await swipe(600, 200);
    assert.equal(await slideOf(page), 2);
    await swipe(200, 600);
    assert.equal(await slideOf(page), 1);
  } finally {
    await context.close();
  }
});

test('presenter view: current, next, notes, N/total, in a second window kept in sync with the audience', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const audience = await open(context, `${deckUrl}#1`);
    // `c` clones the audience window; `p` in the clone makes it the presenter view.
    const [presenter] = await Promise.all([context.waitForEvent('page'), audience.keyboard.press('c')]);
    await presenter!.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
    await presenter!.keyboard.press('p');
    assert.equal(await hasClass(presenter!, 'labdeck-presenter-mode'), true);
    assert.equal(new URL(presenter!.url()).hash, '#p1');

    await presenter!.keyboard.press('ArrowRight');
    await waitForSlide(audience, 2);
    assert.match(await presenter!.locator('.labdeck-presenter-notes').innerText(), new RegExp(aboutNotes));
    assert.match(await presenter!.locator('.labdeck-presenter-next').innerText(), /Before we start/);
    assert.match(await presenter!.locator('.labdeck-presenter-status').innerText(), new RegExp(`Slide 2/${slideCount}[\\s\\S]*Elapsed 0:00:\\d\\d[\\s\\S]*Time \\d`));
    await audience.keyboard.press('ArrowRight');
    await waitForSlide(presenter!, 3);
    assert.match(await presenter!.locator('.labdeck-presenter-notes').innerText(), /No notes/);
    assert.equal(await hasClass(audience, 'labdeck-presenter-mode'), false, 'the audience keeps the plain slides');

    await presenter!.reload();
    await presenter!.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
    assert.equal(await hasClass(presenter!, 'labdeck-presenter-mode'), true, 'reload stays in presenter view (#p3)');
    assert.equal(await slideOf(presenter!), 3);
  } finally {
    await context.close();
  }
});

test('follow me: attendees follow the instructor within 200 ms, leave, rejoin; a co-presenter takes the lead', async () => {
  const instructorContext = await browser.newContext();
  const attendeeContext = await browser.newContext();
  const coPresenterContext = await browser.newContext();
  try {
    const instructor = await open(instructorContext, instructorUrl);
    await instructor.waitForSelector('.labdeck-follow[data-state="leading"]');
    const attendee = await open(attendeeContext, deckUrl);
    // Both pages settled: the terminals bundle, evaluated after the first paint, would otherwise be timed with the move.
    for (const page of [instructor, attendee]) await page.waitForSelector('html[data-labdeck-terminals="ready"]', { state: 'attached' });

    // Time from the instructor's key to the attendee's slide change, both measured on the browser's clock.
    await attendee.evaluate(() => {
      new MutationObserver(() => ((window as unknown as { movedAt: number }).movedAt = Date.now())).observe(document.documentElement, {
        attributeFilter: ['data-labdeck-slide'],
      });
    });
    await instructor.evaluate(() => document.addEventListener('keydown', () => ((window as unknown as { pressedAt: number }).pressedAt = Date.now()), { capture: true }));
    await instructor.keyboard.press('ArrowRight');
    await waitForSlide(attendee, 2);
    const pressedAt = await instructor.evaluate(() => (window as unknown as { pressedAt: number }).pressedAt);
    const delay = (await attendee.evaluate(() => (window as unknown as { movedAt: number }).movedAt)) - pressedAt;
    assert.ok(delay < 200, `attendee followed after ${delay} ms`);
    assert.equal(await attendee.getAttribute('.labdeck-follow', 'data-state'), 'following');

    // The attendee browses on their own: no longer following, and the instructor's moves leave them alone.
    await attendee.keyboard.press('End');
    assert.equal(await attendee.getAttribute('.labdeck-follow', 'data-state'), 'free');
    await instructor.keyboard.press('ArrowRight');
    await instructor.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    assert.equal(await slideOf(attendee), slideCount);
    // One key to rejoin, at the instructor's slide; one click to leave again.
    await attendee.keyboard.press('l');
    await waitForSlide(attendee, 3);
    assert.equal(await attendee.getAttribute('.labdeck-follow', 'data-state'), 'following');
    await attendee.locator('.labdeck-follow').click();
    assert.equal(await attendee.getAttribute('.labdeck-follow', 'data-state'), 'free');
    await attendee.locator('.labdeck-follow').click();
    assert.equal(await attendee.getAttribute('.labdeck-follow', 'data-state'), 'following');

    // A co-presenter (another instructor browser) follows until it takes the lead explicitly.
    const coPresenter = await open(coPresenterContext, instructorUrl);
    await coPresenter.waitForSelector('.labdeck-follow[data-state="following"]');
    await waitForSlide(coPresenter, 3);
    await coPresenter.keyboard.press('Shift+L');
    await coPresenter.waitForSelector('.labdeck-follow[data-state="leading"]');
    await instructor.waitForSelector('.labdeck-follow[data-state="following"]');
    await coPresenter.keyboard.press('End');
    await waitForSlide(attendee, slideCount);
    await waitForSlide(instructor, slideCount);
  } finally {
    await Promise.all([instructorContext.close(), attendeeContext.close(), coPresenterContext.close()]);
  }
});

/** Pages of a PDF as Chromium writes it: one `/Type /Page` object each. */
function pdfPages(pdf: Buffer): { count: number; width: number; height: number } {
  const text = pdf.toString('latin1');
  const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(text)!;
  return { count: (text.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length, width: Number(box[1]), height: Number(box[2]) };
}

test('print view: one page per slide at the deck ratio, notes on request', async () => {
  const page = await open(browser, `${deckUrl}?print`);
  try {
    const plain = pdfPages(await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    assert.equal(plain.count, slideCount);
    assert.ok(Math.abs(plain.width / plain.height - 16 / 9) < 0.01, `16:9 pages, got ${plain.width}×${plain.height}`);
    await page.goto(`${deckUrl}?print&notes`);
    await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
    assert.match(await page.locator('.remark-slide-container').nth(1).innerText(), new RegExp(aboutNotes));
    const box = (await page.locator('.remark-slide-container').nth(1).boundingBox())!;
    assert.ok(Math.abs(box.height / box.width - (2 * 9) / 16) < 0.01, 'a page holds the slide and, below it, its notes');
  } finally {
    await page.close();
  }
});

test('labdeck pdf: writes one page per slide', async () => {
  const out = join(scratch, 'deck.pdf');
  const run = await runLabdeck(['pdf', '--out', out], { cwd: workshop, browserPath: chromiumPath });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(pdfPages(await readFile(out)).count, slideCount);
});
