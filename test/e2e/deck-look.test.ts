// A deck's own look in a real Chromium: `labdeck serve` on a temp copy of the container.training fixture deck, which
// has container.training's workshop.css beside its manifest (Google Fonts imports, slide number top right). The page
// shows the deck's fonts, served by labdeck, and asks nothing of another site but what the deck's markdown names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { waitFor, within } from '../support/wait.ts';
import { repoRoot, runLabdeck } from '../cli/run-cli.ts';
import { serveInProcess, type ServedInProcess } from '../support/served-in-process.ts';

let scratch: string;
let browser: Browser;
let deckUrl: string;
let server: ServedInProcess;

/** A rule that would paint labdeck's own buttons red if the deck's stylesheet reached them. */
const hostileRule = '\nbutton { background: rgb(255, 0, 0) !important; }\n';

before(async () => {
  assertClientBundle();
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-look-'));
  await cp(join(repoRoot, 'test/fixtures/container-training'), scratch, { recursive: true });
  await appendFile(join(scratch, 'workshop.css'), hostileRule);
  server = await serveInProcess(['swarm-halfday.yml'], { cwd: scratch });
  deckUrl = server.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Opens the page with every request recorded; requests to other sites are refused (the room may be offline). */
async function openRecorded(path: string): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1210, height: 681 } });
  const requests: string[] = [];
  const origin = new URL(deckUrl).origin;
  await page.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith(`${origin}/`) ? route.continue() : route.abort();
  });
  await page.goto(`${deckUrl}${path}`);
  await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
  await within(
    page.evaluate(() => document.fonts.ready.then(() => undefined)),
    15_000,
    () => 'document.fonts.ready',
  );
  return { page, requests };
}

test("a deck with its own workshop.css shows its fonts and its slide-number position, and leaves labdeck's controls alone", { timeout: 60_000 }, async () => {
  const { page } = await openRecorded('#5');
  try {
    const heading = page.locator('.remark-visible .remark-slide-content :is(h1, h2, h3)').first();
    assert.match(await heading.evaluate((node) => getComputedStyle(node).fontFamily), /^"?Droid Serif"?/);
    assert.equal(await heading.evaluate((node) => getComputedStyle(node).fontSize), '45px', "workshop.css's h1, h2, h3… { font-size: 45px !important }");
    const loaded = await page.evaluate(() =>
      Array.from(document.fonts as unknown as Iterable<FontFace>)
        .filter((face) => face.status === 'loaded')
        .map((face) => `${face.family.replace(/"/g, '')} ${face.weight}`),
    );
    assert.ok(loaded.includes('Droid Serif 700'), `the heading's face was fetched and loaded: ${loaded.join(', ')}`);

    // workshop.css: `div.remark-slide-number { top: 6px; right: 6px; bottom: unset }`, at remark.js's 1210×681.
    const slide = (await page.locator('.remark-visible .remark-slide-scaler').boundingBox())!;
    assert.ok(Math.abs(slide.width - 1210) < 2 && Math.abs(slide.height - 681) < 2, `1210×681 in a 1210×681 window: ${slide.width}×${slide.height}`);
    const number = (await page.locator('.remark-visible .remark-slide-number').boundingBox())!;
    assert.ok(Math.abs(number.y - slide.y - 6) <= 1, `the number 6px from the top: ${number.y - slide.y}`);
    assert.ok(Math.abs(slide.x + slide.width - (number.x + number.width) - 6) <= 1, 'and 6px from the right');

    // labdeck's own interface keeps its look: the checks bar's button (outside the slides) and the help panel.
    const checkButton = page.locator('.labdeck-check-all');
    assert.notEqual(await checkButton.evaluate((node) => getComputedStyle(node).backgroundColor), 'rgb(255, 0, 0)');
    await page.keyboard.press('?');
    const help = page.locator('.labdeck-help');
    await help.waitFor();
    assert.doesNotMatch(await help.evaluate((node) => getComputedStyle(node).fontFamily), /Droid Serif/);
    await page.keyboard.press('Escape');
  } finally {
    await page.close();
  }
});

test("labdeck's Run/Copy buttons on a slide are not restyled by the deck's stylesheet", { timeout: 60_000 }, async () => {
  const { page } = await openRecorded('');
  try {
    const index = await page.evaluate(async () => {
      const deck = (await (await fetch('deck.json')).json()) as { slides: { html: string }[] };
      return deck.slides.findIndex((slide) => /class="exercise"[\s\S]*<pre/.test(slide.html));
    });
    assert.ok(index >= 0, 'the fixture has a hands-on slide with a code block');
    await page.evaluate(
      (hash) => {
        location.hash = hash;
      },
      `#${index + 1}`,
    );
    const copy = page.locator('.remark-visible .labdeck-code-actions button').first();
    await copy.waitFor({ timeout: 15_000 });
    assert.notEqual(await copy.evaluate((node) => getComputedStyle(node).backgroundColor), 'rgb(255, 0, 0)', 'the deck rule `button { … }` stays off it');
  } finally {
    await page.close();
  }
});

test('the page makes no request to another origin that the deck does not name', { timeout: 60_000 }, async () => {
  // The print view builds every slide: every picture and font the deck uses is asked for.
  const { page, requests } = await openRecorded('?print');
  try {
    const origin = new URL(deckUrl).origin;
    const deck = JSON.parse(await (await fetch(`${deckUrl}deck.json`)).text()) as { slides: { html: string }[] };
    const named = new Set(deck.slides.flatMap((slide) => [...slide.html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((match) => match[1])));
    const foreign = requests.filter((url) => !url.startsWith(`${origin}/`) && !named.has(url));
    assert.deepEqual(foreign, [], 'requests to other sites the deck does not name');
    assert.ok(
      requests.some((url) => url.startsWith(`${origin}/_labdeck/fonts/noto-serif/`)),
      'the fonts came from labdeck',
    );
  } finally {
    await page.close();
  }
});

test('labdeck pdf prints at the page size the stylesheet asks (1210×681), emoji in an emoji font', { timeout: 120_000 }, async () => {
  const deck = join(scratch, 'emoji');
  await mkdir(deck);
  await cp(join(scratch, 'workshop.css'), join(deck, 'workshop.css'));
  await writeFile(join(deck, 'w.yml'), 'title: Emoji\ncontent: [a.md]\n');
  await writeFile(join(deck, 'a.md'), '# Emoji 🐳\n\n1️⃣ ⚠️ 🐳\n');
  const out = join(scratch, 'emoji.pdf');
  const run = await runLabdeck(['pdf', 'w.yml', '--out', out], { cwd: deck, browserPath: chromiumPath });
  assert.equal(run.code, 0, run.stderr);
  const pdf = (await readFile(out)).toString('latin1');
  const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf);
  // 1210×681 CSS pixels are 907.5×510.75 points.
  assert.ok(box && Math.abs(Number(box[1]) - 907.5) < 1 && Math.abs(Number(box[2]) - 510.75) < 1, `page size ${box?.[1]}×${box?.[2]} pt`);
  assert.match(pdf, /\/BaseFont\s*\/[A-Z]{6}\+NotoColorEmoji/, 'the emoji are drawn with the bundled emoji font, not as boxes');
});

test("labdeck build: the export opened from file:// has the deck's look, with its fonts beside it", { timeout: 60_000 }, async () => {
  const out = join(scratch, 'export');
  const run = await runLabdeck(['build', 'swarm-halfday.yml', '--out', out], { cwd: scratch });
  assert.equal(run.code, 0, run.stderr);
  const page = await browser.newPage({ viewport: { width: 1210, height: 681 } });
  try {
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${pathToFileURL(join(out, 'index.html')).href}#5`);
    await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
    await within(
      page.evaluate(() => document.fonts.ready.then(() => undefined)),
      15_000,
      () => 'document.fonts.ready',
    );
    const loaded = await page.evaluate(() =>
      Array.from(document.fonts as unknown as Iterable<FontFace>)
        .filter((face) => face.status === 'loaded')
        .map((face) => `${face.family.replace(/"/g, '')} ${face.weight}`),
    );
    assert.ok(loaded.includes('Droid Serif 700'), `the bold Droid Serif loaded from the export: ${loaded.join(', ')}`);
    assert.deepEqual(
      requests.filter((url) => !url.startsWith('file:')),
      [],
      'nothing asked of any site',
    );
  } finally {
    await page.close();
  }
});

test('an edit of workshop.css reaches the open page (live reload)', { timeout: 60_000 }, async () => {
  const { page } = await openRecorded('#5');
  try {
    const number = page.locator('.remark-visible .remark-slide-number');
    const colour = () => number.evaluate((node) => getComputedStyle(node).color);
    assert.notEqual(await colour(), 'rgb(1, 2, 3)');
    await appendFile(join(scratch, 'workshop.css'), '\ndiv.remark-slide-number { color: rgb(1, 2, 3); }\n');
    let seen = '';
    await waitFor(async () => (seen = await colour()) === 'rgb(1, 2, 3)', { timeoutMs: 15_000, describe: () => `the number's colour is still ${seen}` });
  } finally {
    await page.close();
  }
});
