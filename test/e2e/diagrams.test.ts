// mermaid diagrams in a real Chromium, on `labdeck serve` of a small workshop: a `<pre class="mermaid">` slide shows
// an SVG laid out at the slide's own size (drawn while the slide was hidden), a broken diagram shows its error in
// words, a deck without diagrams never asks for mermaid, `labdeck pdf` prints the drawn diagram and `labdeck build`'s
// export draws it offline from file://.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { runLabdeck } from '../cli/run-cli.ts';
import { serveInProcess, type ServedInProcess } from '../support/served-in-process.ts';
import { pdfText } from '../support/pdf-text.ts';

let scratch: string;
let browser: Browser;
const servers: ServedInProcess[] = [];
let diagramsUrl: string;
let plainUrl: string;

const diagramsDeck = [
  '## No diagram here',
  '',
  'Just words.',
  '',
  '---',
  '',
  '## The house',
  '',
  '<pre class="mermaid">',
  'graph LR',
  '  K[Kitchen] --> D[Dining room]',
  '  D --> L[The living room, with a long name]',
  '</pre>',
  '',
  '---',
  '',
  '## A broken one',
  '',
  '<pre class="mermaid">',
  'graph LR',
  '  A --> B',
  '  B -- > C',
  '</pre>',
  '',
].join('\n');

async function workshopWith(name: string, chapter: string): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(join(dir, 'slides'), { recursive: true });
  await writeFile(join(dir, 'workshop.yml'), `title: ${name}\ncontent:\n- slides/chapter.md\n`);
  await writeFile(join(dir, 'slides', 'chapter.md'), chapter);
  return dir;
}

async function serve(cwd: string): Promise<string> {
  const server = await serveInProcess([], { cwd });
  servers.push(server);
  return server.url;
}

before(async () => {
  assertClientBundle();
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-diagrams-'));
  diagramsUrl = await serve(await workshopWith('diagrams', diagramsDeck));
  plainUrl = await serve(await workshopWith('plain', '## One\n\nText.\n\n---\n\n## Two\n\n<pre>graph LR\n  A --> B\n</pre>\n'));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** A page of `url` and every URL it requested. */
async function open(url: string): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url);
  await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
  return { page, requests };
}

const diagramsState = (page: Page): Promise<string | null> => page.getAttribute('html', 'data-labdeck-diagrams');

async function waitForDiagrams(page: Page): Promise<void> {
  await page
    .waitForSelector('html[data-labdeck-diagrams="ready"]', { state: 'attached', timeout: 30_000 })
    .catch(async (error: unknown) => assert.fail(`diagrams not drawn within 30 s (state ${await diagramsState(page)}): ${String(error)}`));
}

test('a mermaid slide shows an SVG, laid out at the slide size while the slide was hidden', { timeout: 90_000 }, async () => {
  const { page, requests } = await open(`${diagramsUrl}#1`);
  try {
    await waitForDiagrams(page);
    assert.ok(
      requests.some((url) => url.endsWith('/_labdeck/vendor/mermaid.min.js')),
      `mermaid is loaded for a deck with diagrams: ${requests.join(' ')}`,
    );
    assert.equal(await page.locator('.remark-slide-container').nth(1).isVisible(), false, 'slide 2 was drawn while hidden');
    await page.keyboard.press('ArrowRight');
    const svg = page.locator('.remark-visible pre.mermaid svg');
    await svg.waitFor({ timeout: 5_000 });
    const text = await page.locator('.remark-visible pre.mermaid').innerText();
    assert.match(text, /Kitchen/);
    assert.match(text, /The living room, with a long name/);
    assert.doesNotMatch(text, /-->|graph LR/, 'the source is not shown');
    const box = await svg.boundingBox();
    assert.ok(box && box.width > 200 && box.height > 20, `the SVG has a size: ${JSON.stringify(box)}`);
    // Labels were measured in the slide's own, unscaled layout: each label's box fits its text at the scale shown.
    const labels = await page.evaluate(() =>
      Array.from(document.querySelectorAll<SVGForeignObjectElement>('.remark-visible pre.mermaid .node foreignObject')).map((object) => ({
        box: object.width.baseVal.value,
        text: (object.firstElementChild as HTMLElement | null)?.offsetWidth ?? -1,
      })),
    );
    assert.equal(labels.length, 3, JSON.stringify(labels));
    for (const label of labels) assert.ok(Math.abs(label.box - label.text) <= 2, `a label box fits its text: ${JSON.stringify(labels)}`);
  } finally {
    await page.close();
  }
});

test('a diagram with a syntax error shows the error in words on its slide', { timeout: 90_000 }, async () => {
  const { page } = await open(`${diagramsUrl}#3`);
  try {
    await waitForDiagrams(page);
    const error = page.locator('.remark-visible pre.mermaid .labdeck-diagram-error');
    assert.equal(await error.isVisible(), true);
    const words = await error.innerText();
    assert.match(words, /This diagram has an error/);
    assert.match(words, /Parse error on line \d+:[\s\S]*Expecting/);
    assert.equal(await page.locator('.remark-visible svg').count(), 0, "no picture: mermaid's bomb is not drawn");
    assert.equal(await page.locator('body > [id^="dlabdeck-diagram"], .labdeck-diagram-stage').count(), 0, 'nothing of the drawing is left behind');
  } finally {
    await page.close();
  }
});

test('a deck without diagrams never requests mermaid', { timeout: 60_000 }, async () => {
  const { page, requests } = await open(plainUrl);
  try {
    await page.waitForSelector('html[data-labdeck-terminals="ready"]', { state: 'attached', timeout: 20_000 });
    // Every slide built (in idle time after the first paint), and more: nothing asks for mermaid later either.
    await page.keyboard.press('End');
    await page.waitForTimeout(1_000);
    assert.equal(await diagramsState(page), 'none');
    assert.deepEqual(
      requests.filter((url) => /mermaid/i.test(url)),
      [],
    );
    assert.equal(await page.evaluate(() => 'mermaid' in window), false);
    assert.match(await page.locator('.remark-visible pre').innerText(), /graph LR/, 'a plain <pre> stays text');
  } finally {
    await page.close();
  }
});

test('labdeck pdf: the PDF of a mermaid slide holds the drawn diagram', { timeout: 120_000 }, async () => {
  // Enough diagrams that drawing them takes longer than the page takes to be ready: printing must wait for them.
  const rooms = Array.from({ length: 12 }, (_, i) => `---\n\n## Floor ${i}\n\n<pre class="mermaid">\ngraph TD\n  R[Room ${i}] --> H[Hall ${i}]\n</pre>\n`);
  const cwd = await workshopWith('printed', `${diagramsDeck}\n${rooms.join('\n')}`);
  const out = join(scratch, 'diagrams.pdf');
  const run = await runLabdeck(['pdf', '--out', out], { cwd, browserPath: chromiumPath });
  assert.equal(run.code, 0, run.stderr);
  const pages = pdfText(await readFile(out));
  assert.equal(pages.length, 3 + rooms.length, JSON.stringify(pages));
  // Drawn: the labels are there, the diagram's source is not.
  assert.match(pages[1] ?? '', /Kitchen[\s\S]*Dining room/);
  assert.match(pages[2] ?? '', /This diagram has an error/);
  // (Page 3's error quotes its source.)
  for (const [index, page] of pages.entries()) if (index !== 2) assert.doesNotMatch(page, /graph (LR|TD)|-->/, `page ${index + 1}: ${page}`);
  for (const [i] of rooms.entries()) assert.match(pages[3 + i] ?? '', new RegExp(`Room ${i}[\\s\\S]*Hall ${i}`));
});

test('labdeck build: the export draws diagrams offline, from file://; mermaid is copied only for a deck with diagrams', { timeout: 90_000 }, async () => {
  const out = join(scratch, 'export');
  const run = await runLabdeck(['build', '--out', out], { cwd: join(scratch, 'diagrams') });
  assert.equal(run.code, 0, run.stderr);
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const outside: string[] = [];
  await context.route(/^(?!file:)/, (route) => {
    outside.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  try {
    await page.goto(`${pathToFileURL(join(out, 'index.html')).href}#2`);
    await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
    await waitForDiagrams(page);
    await page.locator('.remark-visible pre.mermaid svg').waitFor({ timeout: 5_000 });
    assert.match(await page.locator('.remark-visible pre.mermaid').innerText(), /Kitchen/);
    assert.deepEqual(outside, [], 'no request leaves the export');
  } finally {
    await context.close();
  }
  const plainOut = join(scratch, 'plain-export');
  assert.equal((await runLabdeck(['build', '--out', plainOut], { cwd: join(scratch, 'plain') })).code, 0);
  assert.equal(existsSync(join(plainOut, '_labdeck', 'vendor', 'mermaid.min.js')), false);
});
