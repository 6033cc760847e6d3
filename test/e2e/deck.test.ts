// The deck page in a real Chromium: `labdeck serve` on a temp copy of the sample workshop (navigation, hashes,
// live reload, the error overlay), and `labdeck build`'s export opened from file://.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { repoRoot, runLabdeck } from '../cli/run-cli.ts';
import { serveInProcess, type ServedInProcess } from '../support/served-in-process.ts';

let scratch: string;
let workshop: string;
let browser: Browser;
let deckUrl: string;
let server: ServedInProcess;

before(async () => {
  assertClientBundle();
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-e2e-'));
  workshop = join(scratch, 'workshop');
  await cp(join(repoRoot, 'slides'), join(workshop, 'slides'), { recursive: true });
  await cp(join(repoRoot, 'workshop.yml'), join(workshop, 'workshop.yml'));

  server = await serveInProcess([], { cwd: workshop });

  deckUrl = server.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function openDeck(hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${deckUrl}${hash}`);
  await page.waitForSelector('html[data-labdeck-ready]');
  return page;
}

const visibleText = (page: Page): Promise<string> => page.locator('.remark-visible .remark-slide-content').innerText();

test('serve: the page shows the first slide of the sample workshop, scaled to its box', async () => {
  const page = await openDeck();
  try {
    assert.match(await visibleText(page), /Troubleshooting\s+Docker Swarm networks/);
    assert.equal(await page.locator('.remark-visible').count(), 1);
    const box = (await page.locator('.remark-visible .remark-slide-scaler').boundingBox())!;
    assert.ok(Math.abs(box.width / box.height - 16 / 9) < 0.01, `16:9, got ${box.width}x${box.height}`);
    // The slides scale to their own box (a terminal pane may share the window), touching two of its sides.
    const area = (await page.locator('.labdeck-slides').boundingBox())!;
    const fits = (slide: number, room: number) => slide <= room + 1 && slide > room - 2;
    assert.ok(fits(box.width, area.width) || fits(box.height, area.height), `fills its ${area.width}x${area.height} box`);
  } finally {
    await page.close();
  }
});

test('serve: /deck.json holds the slides exactly as `labdeck slides --json` prints them, plus steps', async () => {
  const deck = (await (await fetch(`${deckUrl}deck.json`)).json()) as { slides: unknown[]; steps: unknown[]; error: null };
  const printed = JSON.parse((await runLabdeck(['slides', '--json'], { cwd: workshop })).stdout) as unknown[];
  assert.deepEqual(deck.slides, printed);
  assert.ok(deck.steps.length > 5, 'the seed chapter has hands-on steps');
  assert.equal(deck.error, null);
});

test('serve: → goes to slide 2 and the hash becomes #2; ← goes back', async () => {
  const page = await openDeck();
  try {
    await page.keyboard.press('ArrowRight');
    assert.match(await visibleText(page), /About this workshop/);
    assert.equal(new URL(page.url()).hash, '#2');
    await page.keyboard.press('ArrowLeft');
    assert.equal(new URL(page.url()).hash, '#1');
    assert.match(await visibleText(page), /Troubleshooting/);
  } finally {
    await page.close();
  }
});

test('serve: #N and #slide-name open that slide, and a hash change moves there', async () => {
  const page = await openDeck('#prereqs');
  try {
    assert.match(await visibleText(page), /Before we start/);
    await page.evaluate(() => (location.hash = '#2'));
    await page.waitForFunction(() => document.querySelector('.remark-visible')?.textContent?.includes('About this workshop'));
    await page.keyboard.press('ArrowRight');
    assert.equal(new URL(page.url()).hash, '#3');
  } finally {
    await page.close();
  }
});

test('serve: editing a chapter updates the open page in place, keeping the slide; errors show until fixed', async () => {
  const page = await openDeck('#prereqs');
  try {
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const intro = join(workshop, 'slides', 'intro.md');
    const original = await readFile(intro, 'utf8');
    // A new slide before the current one: the page must stay on `prereqs` (by name), not on its old position.
    await writeFile(
      intro,
      original.replace('## Before we start', '## Before we really start').replace('name: prereqs', 'name: inserted\n\nNew slide\n\n---\n\nname: prereqs'),
    );
    await page.waitForFunction(() => document.querySelector('.remark-visible')?.textContent?.includes('Before we really start'), null, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no full page reload');
    assert.equal(new URL(page.url()).hash, '#prereqs', 'still on the named slide, now one position later');

    const manifest = join(workshop, 'workshop.yml');
    const manifestText = await readFile(manifest, 'utf8');
    await writeFile(manifest, manifestText.replace('- slides/intro.md', '- slides/intro.md\n- slides/missing.md'));
    const overlay = page.locator('.labdeck-error-overlay');
    await overlay.waitFor({ timeout: 10_000 });
    assert.match(await overlay.innerText(), /workshop\.yml:\d+: chapter file not found: slides\/missing\.md/);
    assert.match(await visibleText(page), /Before we really start/, 'the last good slides stay');

    await writeFile(manifest, manifestText);
    await overlay.waitFor({ state: 'detached', timeout: 10_000 });
    await writeFile(intro, original);
    await page.waitForFunction(() => document.querySelector('.remark-visible')?.textContent?.includes('Before we start'), null, { timeout: 10_000 });
  } finally {
    await page.close();
  }
});

test('build: the export works from file:// (slides, navigation, labdeck assets)', async () => {
  const out = join(scratch, 'export');
  const run = await runLabdeck(['build', '--out', out], { cwd: workshop });
  assert.equal(run.code, 0, run.stderr);
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  try {
    await page.goto(pathToFileURL(join(out, 'index.html')).href);
    await page.waitForSelector('html[data-labdeck-ready]');
    assert.match(await visibleText(page), /Troubleshooting\s+Docker Swarm networks/);
    await page.keyboard.press('ArrowRight');
    assert.match(await visibleText(page), /About this workshop/);
    assert.equal(new URL(page.url()).hash, '#2');
    const count = await page.locator('.remark-slide-container').count();
    const served = JSON.parse((await runLabdeck(['slides', '--json'], { cwd: workshop })).stdout) as unknown[];
    assert.equal(count, served.length);
    // The generated interstitial picture is one of labdeck's assets, copied beside the page. Slides off screen are
    // filled in after the first paint: under load, not yet at this point.
    await page.waitForSelector('.interstitial img', { state: 'attached', timeout: 10_000 });
    const pictureLoaded = await page.evaluate(async () => {
      const image = document.querySelector<HTMLImageElement>('.interstitial img')!;
      await image.decode();
      return image.naturalWidth > 0;
    });
    assert.equal(pictureLoaded, true);
  } finally {
    await page.close();
  }
});
