// What a screen reader gets, in a real Chromium against a real `labdeck serve --classroom` (the sample workshop, its
// checks on the real engine): slides as a document (no role=application), slide changes and check transitions
// announced in polite live regions, badges labelled in words with their reason, the dashboard grid a real table, and
// the terminal's screen reader mode switched per attendee and remembered.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startSampleClass, type SampleClass } from '../support/sample-class.ts';
import type { ServedCli } from '../support/served-cli.ts';

let served: ServedCli;
let browser: Browser;
let attendee: Page;

/** The text of the polite live region that announces slide changes. */
const slideAnnouncement = (page: Page): Promise<string> => page.locator('.labdeck-announcer[data-announces="slides"]').innerText();
const checkAnnouncement = (page: Page): Promise<string> => page.locator('.labdeck-announcer[data-announces="checks"]').innerText();

let sampleClass: SampleClass | undefined;

before(async () => {
  sampleClass = await startSampleClass('readers');
  ({ served, browser } = sampleClass);
  attendee = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  await attendee.goto(`${served.url}join?code=${served.classCode}`);
  await attendee.fill('input[name=name]', 'Reader');
  await attendee.click('button[type=submit]');
  await attendee.waitForSelector('html[data-labdeck-terminals="ready"]');
});

after(() => sampleClass?.stop());

test('the slides are a document, and a slide change is announced politely with its title', { timeout: 60_000 }, async () => {
  assert.equal(await attendee.locator('[role="application"]').count(), 0, 'no role=application: browse mode works');
  const slides = attendee.locator('#labdeck-slides');
  assert.equal(await slides.evaluate((element) => element.tagName), 'MAIN', 'the slides are the main landmark');
  assert.equal(await slides.getAttribute('aria-live'), null, 'the whole slide is not read at every move');
  const region = attendee.locator('.labdeck-announcer[data-announces="slides"]');
  assert.equal(await region.getAttribute('aria-live'), 'polite');

  await attendee.evaluate(() => {
    location.hash = '#11';
  });
  await attendee.waitForFunction(() => document.documentElement.dataset.labdeckSlide === '11');
  await attendee.locator('body').press('ArrowRight');
  await attendee.waitForFunction(() => document.documentElement.dataset.labdeckSlide === '12');
  const total = await attendee.locator('.remark-slide-container').count();
  assert.equal(await slideAnnouncement(attendee), `Slide 12 of ${total}: Entering the debug container`);
});

test("each badge says its status and its reason in words; a step's transition is announced politely", { timeout: 60_000 }, async () => {
  const first = attendee.locator('.remark-visible .labdeck-step-badge').first();
  await attendee.waitForSelector('.remark-visible .labdeck-step-badge[data-status="failed"]', { timeout: 30_000 });
  const label = (await first.getAttribute('aria-label')) ?? '';
  const reason = await attendee.locator(`#${await first.getAttribute('aria-controls')} .labdeck-step-reason`).textContent();
  assert.ok(reason, 'the step has a reason');
  assert.equal(label, `Step 1: not done: ${reason}`);
  assert.equal(await attendee.locator('.labdeck-announcer[data-announces="checks"]').getAttribute('aria-live'), 'polite');

  // `docker ps`, run from the slide: the step passes and the change is told.
  await attendee.locator('.remark-visible .labdeck-has-check').first().locator('button[data-action="run"]').click();
  await attendee.waitForSelector('.remark-visible .labdeck-step-badge[data-status="passed"]', { timeout: 30_000 });
  await attendee.waitForFunction(() => /Step 1: done/.test(document.querySelector('.labdeck-announcer[data-announces="checks"]')?.textContent ?? ''), undefined, {
    timeout: 5000,
  });
  assert.match(await checkAnnouncement(attendee), /^Step 1: done/);
  assert.match((await first.getAttribute('aria-label')) ?? '', /^Step 1: done/);
});

test("the terminal's screen reader mode is switched on by the attendee, and remembered", { timeout: 60_000 }, async () => {
  const toggle = attendee.getByRole('button', { name: 'Screen reader mode' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.equal(await attendee.locator('.labdeck-terminal:not([hidden]) .xterm-accessibility-tree').count(), 0, 'off by default');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await attendee.waitForSelector('.labdeck-terminal:not([hidden]) .xterm-accessibility-tree', { state: 'attached', timeout: 5000 });

  await attendee.reload();
  await attendee.waitForSelector('html[data-labdeck-terminals="ready"]');
  assert.equal(await attendee.getByRole('button', { name: 'Screen reader mode' }).getAttribute('aria-pressed'), 'true', 'remembered');
  await attendee.waitForSelector('.labdeck-terminal:not([hidden]) .xterm-accessibility-tree', { state: 'attached', timeout: 5000 });
});

test('the dashboard grid is a table with column and row headers, its cells in words', { timeout: 60_000 }, async () => {
  const page = await (await browser.newContext()).newPage();
  try {
    await page.goto(`${served.url}_labdeck/dashboard?token=${served.instructorToken}`);
    await page.waitForSelector('#board tbody tr');
    const grid = page.locator('#board table');
    assert.ok(await grid.locator('caption').count(), 'the table says what it is');
    const columnHeaders = await grid.locator('thead th').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('scope')));
    assert.ok(columnHeaders.length > 3);
    assert.ok(
      columnHeaders.every((scope) => scope === 'col'),
      `column headers: ${JSON.stringify(columnHeaders)}`,
    );
    assert.equal(await grid.locator('tbody tr').first().locator('th[scope="row"]').count(), 1);
    // A step's header names the step, and a step's cell says its status in words (not by colour or a sign alone).
    const stepHeader = grid.locator('thead th.dash-step').first();
    assert.match(await stepHeader.innerText(), /#\d+/);
    assert.ok(((await stepHeader.getAttribute('aria-label')) ?? '').length > 5, 'the step header is labelled with the step');
    const stepCell = grid.locator('tbody tr').first().locator('td[data-step]').first();
    assert.match((await stepCell.textContent()) ?? '', /(done|checking|cannot check)/);
  } finally {
    await page.context().close();
  }
});
