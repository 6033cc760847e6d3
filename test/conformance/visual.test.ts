// The visual comparison's harness (bench/visual.ts measures with it) proven able to tell slides apart: on a two-slide
// deck with container.training's workshop.css, each side's screenshot of one slide taken twice compares as equal,
// and two different slides compare as different (far more than 1% of pixels). The remark.js side gets the deck's
// fonts from the local @fontsource faces and nothing leaves the machine. Pure parts (font requests, sizes) too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { loadWorkshop } from '../../src/config/workshop.ts';
import { assembleDeckSource } from '../../src/deck/index.ts';
import { diskFiles, excludedClasses } from '../../src/workshop/load-deck.ts';
import { comparePngs, sideBySide } from './pixels.ts';
import { localFontsCss, parseGoogleFontsUrl } from './local-fonts.ts';
import { openLabdeckSide, openRemarkSide, slideViewport, type VisualSide } from './visual-pages.ts';

const fixtureCss = resolve(import.meta.dirname, '../fixtures/container-training/workshop.css');
const withinOnePercent = 0.01;

let scratch: string;
let browser: Browser;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-visual-'));
  await copyFile(fixtureCss, join(scratch, 'workshop.css'));
  await writeFile(join(scratch, 'deck.yml'), 'title: Two slides\ncontent:\n- slides.md\n');
  await writeFile(
    join(scratch, 'slides.md'),
    [
      '# A title in Droid Serif',
      '',
      '- a first point',
      '- a second point, *in italics*',
      '- a third point, **in bold**',
      '',
      '---',
      '',
      'class: center, middle',
      '',
      '```bash',
      'docker service create --name debug alpine sleep 1000000000',
      'docker service ps debug',
      '```',
      '',
      'Text in the middle, in `Inconsolata` and in Droid Serif, far from where the first slide has its own: a whole',
      'paragraph of it, so that the two slides differ by more than the 1% that the benchmark counts as the same slide.',
      'Slides are mostly white, so even two slides with nothing in common differ by a few per cent of their pixels.',
      '',
    ].join('\n'),
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Slide 1, slide 2, then slide 1 again: the move away and back must not change slide 1's picture. */
async function assertTellsSlidesApart(side: VisualSide, name: string): Promise<void> {
  assert.equal(side.slideCount, 2, `${name} shows the deck's two slides`);
  const first = await side.screenshot(1);
  const second = await side.screenshot(2);
  const firstAgain = await side.screenshot(1);
  const size = PNG.sync.read(first);
  assert.deepEqual({ width: size.width, height: size.height }, slideViewport, `${name}: screenshots at the slide size`);
  const same = comparePngs(first, firstAgain);
  const different = comparePngs(first, second);
  assert.ok(same.share <= withinOnePercent, `${name}: slide 1 twice is within 1% (${(same.share * 100).toFixed(2)}% differ)`);
  assert.ok(different.share > withinOnePercent, `${name}: slides 1 and 2 differ by more than 1% of pixels (${(different.share * 100).toFixed(2)}%)`);
  assert.deepEqual(side.outsideRequests, [], `${name}: no request left the machine`);
}

test("remark.js's side: markmaker's page with workshop.css and local fonts tells two slides apart", { timeout: 60_000 }, async () => {
  const workshop = loadWorkshop(join(scratch, 'deck.yml'));
  const markdown = assembleDeckSource(workshop, diskFiles).markdown;
  const side = await openRemarkSide(browser, { markdown, excludedClasses: excludedClasses(workshop), deckDir: scratch });
  try {
    await assertTellsSlidesApart(side, 'remark.js');
    const fonts = await side.loadedFonts();
    for (const family of ['Droid Serif', 'Inconsolata']) assert.ok(fonts.includes(family), `the deck's ${family} is loaded from the local faces: ${fonts.join(', ')}`);
  } finally {
    await side.close();
  }
});

test("labdeck's side: `labdeck serve` in the plain view tells two slides apart", { timeout: 60_000 }, async () => {
  assertClientBundle();
  const side = await openLabdeckSide(browser, scratch, 'deck.yml');
  try {
    await assertTellsSlidesApart(side, 'labdeck');
  } finally {
    await side.close();
  }
});

test('the side-by-side picture holds each panel at half size, with a gap', () => {
  const panel = new PNG({ width: 40, height: 20 });
  panel.data.fill(255);
  const picture = PNG.sync.read(sideBySide([panel, panel, panel]));
  assert.deepEqual({ width: picture.width, height: picture.height }, { width: 3 * 20 + 2 * 6, height: 10 });
});

test('screenshots of different sizes are refused, not compared', () => {
  const small = PNG.sync.write(new PNG({ width: 4, height: 4 }));
  const large = PNG.sync.write(new PNG({ width: 8, height: 4 }));
  assert.throws(() => comparePngs(small, large), /different sizes/);
});

test('Google Fonts requests are answered with the @fontsource faces, under the family and with the weights asked', () => {
  const url = 'https://fonts.googleapis.com/css?family=Droid+Serif:400,700,400italic';
  assert.deepEqual(parseGoogleFontsUrl(url), [
    { family: 'Droid Serif', weight: 400, italic: false },
    { family: 'Droid Serif', weight: 700, italic: false },
    { family: 'Droid Serif', weight: 400, italic: true },
  ]);
  assert.deepEqual(parseGoogleFontsUrl('https://fonts.googleapis.com/css?family=Open+Sans'), [{ family: 'Open Sans', weight: 400, italic: false }]);
  const css = localFontsCss(url, 'http://127.0.0.1:1/_fonts/');
  assert.ok(!css.includes("'Noto Serif'"), 'renamed to the family the stylesheet asks for');
  assert.match(
    css,
    /font-family: 'Droid Serif';\s+font-style: italic;[^}]*font-weight: 400;[^}]*url\(http:\/\/127\.0\.0\.1:1\/_fonts\/noto-serif\/files\/noto-serif-latin-400-italic\.woff2\)/,
  );
  assert.throws(() => localFontsCss('https://fonts.googleapis.com/css?family=Comic+Neue', '/'), /no @fontsource package for the font family "Comic Neue"/);
});
