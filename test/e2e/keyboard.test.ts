// Keyboard only, in a real Chromium against a real `labdeck serve --classroom` (the sample workshop, its checks on the
// real engine): joining, a hands-on slide's badge and Run button, leaving the terminal (F6), the pane's buttons and
// resizer, the slide finder, and the dashboard's actions (watch, type, broadcast, remove with its confirmation). No
// mouse event is sent; every element reached by Tab shows where the focus is.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startSampleClass, type SampleClass } from '../support/sample-class.ts';
import type { ServedCli } from '../support/served-cli.ts';

let served: ServedCli;
let browser: Browser;
let attendee: Page;
/** The sample workshop's "Entering the debug container": step 1 runs `docker ps`. */
const handsOnSlide = 12;

interface Focused {
  /** tag.class[aria-label or text]: enough to say where the focus went. */
  readonly description: string;
  /** Whether the focus can be seen: an outline or a box shadow on the focused element. */
  readonly visible: boolean;
  readonly inTerminal: boolean;
}

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return { description: 'body', visible: false, inTerminal: false };
    const style = getComputedStyle(element);
    const visible = (style.outlineStyle !== 'none' && style.outlineWidth !== '0px') || style.boxShadow !== 'none';
    const name = element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40) ?? '';
    return {
      description: `${element.tagName.toLowerCase()}.${element.className}[${name}]`,
      visible,
      inTerminal: element.closest('.labdeck-terminals .xterm, .dash-viewer-screen') !== null,
    };
  });
}

/** Presses Tab until `matches` holds for the focused element (at most `limit` times); each stop must show its focus. */
async function tabTo(page: Page, matches: (focus: Focused) => boolean, limit = 30, key = 'Tab'): Promise<Focused> {
  const seen: string[] = [];
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press(key);
    const focus = await focused(page);
    seen.push(focus.description);
    assert.ok(focus.description === 'body' || focus.visible, `the focus on ${focus.description} cannot be seen`);
    if (matches(focus)) return focus;
  }
  throw new Error(`not reached within ${limit} presses of ${key}; the focus went: ${seen.join(' → ')}`);
}

const screenText = (page: Page, rows: string): Promise<string> => page.locator(rows).innerText();

async function waitForText(page: Page, selector: string, pattern: RegExp): Promise<void> {
  await page
    .waitForFunction(
      ([css, source]) => new RegExp(source ?? '').test((document.querySelector(css ?? '') as HTMLElement | null)?.innerText ?? ''),
      [selector, pattern.source] as const,
      {
        timeout: 20_000,
      },
    )
    .catch(async () => assert.fail(`${selector} never showed ${pattern}: ${await screenText(page, selector).catch(() => '(nothing)')}`));
}

let sampleClass: SampleClass | undefined;

before(async () => {
  sampleClass = await startSampleClass('keys');
  ({ served, browser } = sampleClass);
});

after(() => sampleClass?.stop());

test('joining: the name field has the focus, Enter joins', { timeout: 60_000 }, async () => {
  attendee = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  await attendee.goto(`${served.url}join?code=${served.classCode}`);
  assert.match((await focused(attendee)).description, /^input/);
  await attendee.keyboard.type('Keyboard Kim');
  await attendee.keyboard.press('Enter');
  await attendee.waitForSelector('html[data-labdeck-terminals="ready"]');
  assert.equal(new URL(attendee.url()).pathname, '/');
});

test('a hands-on slide: the badge opens and closes, Space on Run runs the step, F6 leaves the terminal', { timeout: 90_000 }, async () => {
  for (let slide = 1; slide < handsOnSlide; slide++) await attendee.keyboard.press('ArrowRight');
  await attendee.waitForFunction((slide) => document.documentElement.dataset.labdeckSlide === String(slide), handsOnSlide);
  await attendee.waitForSelector('.remark-visible .labdeck-step-badge:not([data-status="pending"])', { timeout: 30_000 });

  // The first step's badge: Enter shows its reason, Esc hides it and leaves the focus on the badge.
  await tabTo(attendee, (focus) => /labdeck-step-badge\[Step 1:/.test(focus.description));
  await attendee.keyboard.press('Enter');
  const badge = attendee.locator('.remark-visible .labdeck-step-badge').first();
  assert.equal(await badge.getAttribute('aria-expanded'), 'true');
  await tabTo(attendee, (focus) => /Check now/.test(focus.description), 3);
  await attendee.keyboard.press('Escape');
  assert.equal(await badge.getAttribute('aria-expanded'), 'false');
  assert.match((await focused(attendee)).description, /labdeck-step-badge\[Step 1:/, 'Esc gives the focus back to the badge');

  // Space on Run (not a slide move): the command runs in the terminal, which then has the keyboard.
  await tabTo(attendee, (focus) => /\[Run\]/.test(focus.description), 3);
  await attendee.keyboard.press('Space');
  assert.equal(await attendee.evaluate(() => document.documentElement.dataset.labdeckSlide), String(handsOnSlide), 'Space on a button is not "next slide"');
  await waitForText(attendee, '.labdeck-terminal:not([hidden]) .xterm-rows', /CONTAINER ID/);
  assert.equal((await focused(attendee)).inTerminal, true, 'Run gives the terminal the keyboard');

  // F6 leaves the terminal, back to where the keyboard was; the slide keys work again.
  await attendee.keyboard.press('F6');
  const back = await focused(attendee);
  assert.equal(back.inTerminal, false, `F6 left the terminal (focus on ${back.description})`);
  assert.match(back.description, /\[Run\]/);
  await attendee.keyboard.press('ArrowRight');
  await attendee.waitForFunction((slide) => document.documentElement.dataset.labdeckSlide === String(slide + 1), handsOnSlide);
  // F6 from the slides goes to the terminal.
  await attendee.keyboard.press('F6');
  assert.equal((await focused(attendee)).inTerminal, true, 'F6 enters the terminal');
  await attendee.keyboard.press('F6');
  assert.equal((await focused(attendee)).inTerminal, false);
  await attendee.keyboard.press('ArrowLeft');
});

test("the pane's buttons and resizer, and the slide finder, by keyboard", { timeout: 60_000 }, async () => {
  const pane = attendee.locator('.labdeck-terminals');
  const toggle = attendee.locator('.labdeck-terminals-toggle');
  await tabTo(attendee, (focus) => /labdeck-terminals-resizer/.test(focus.description), 40);
  const width = (): Promise<number> => pane.evaluate((element) => element.getBoundingClientRect().width);
  const before = await width();
  await attendee.keyboard.press('ArrowLeft');
  await attendee.keyboard.press('ArrowLeft');
  assert.ok((await width()) > before + 20, `ArrowLeft widens the pane (${before} → ${await width()})`);
  await tabTo(attendee, (focus) => /labdeck-terminals-toggle/.test(focus.description), 3);
  await attendee.keyboard.press('Enter');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'collapsed');
  await attendee.keyboard.press('Enter');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'open again');
  assert.equal((await focused(attendee)).inTerminal, true, 'opening the pane gives its terminal the keyboard');
  await attendee.keyboard.press('F6');
  assert.match((await focused(attendee)).description, /labdeck-terminals-toggle/, 'F6: back to the button');
  await tabTo(attendee, (focus) => /labdeck-terminals-tab\[/.test(focus.description), 3);
  await tabTo(attendee, (focus) => /Screen reader mode/.test(focus.description), 3);
  await attendee.keyboard.press('Enter');
  assert.equal(await attendee.locator('.labdeck-terminals-reader').getAttribute('aria-pressed'), 'true');
  await attendee.keyboard.press('Enter');

  // The finder: `o`, type, Enter jumps; the focus comes back to the page.
  await attendee.keyboard.press('F6');
  await attendee.keyboard.press('F6');
  await attendee.keyboard.press('o');
  await attendee.keyboard.type('Labels');
  await attendee.keyboard.press('Enter');
  await attendee.waitForFunction(() => document.documentElement.dataset.labdeckSlide === '13');
  // Or Tab from the search field to a slide of the list, and Enter.
  await attendee.keyboard.press('o');
  await attendee.keyboard.type('debug container');
  await tabTo(attendee, (focus) => /\[Entering the debug container\]/.test(focus.description), 2);
  await attendee.keyboard.press('Enter');
  await attendee.waitForFunction((slide) => document.documentElement.dataset.labdeckSlide === String(slide), handsOnSlide);
  assert.equal(await attendee.locator('.labdeck-overview').isVisible(), false);
  await attendee.keyboard.press('?');
  assert.equal(await attendee.locator('.labdeck-help').isVisible(), true);
  assert.match((await focused(attendee)).description, /labdeck-help/, 'the help has the focus, so a reader reads it');
  assert.match(await attendee.locator('.labdeck-help').innerText(), /F6\s+Into or out of the terminal/, 'the help names the key that leaves the terminal');
  await attendee.keyboard.press('Escape');
  assert.equal(await attendee.locator('.labdeck-help').isVisible(), false);
});

test('the dashboard by keyboard: watch, type, broadcast, and remove an attendee after confirming', { timeout: 90_000 }, async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  try {
    await page.goto(`${served.url}_labdeck/dashboard?token=${served.instructorToken}`);
    await page.waitForSelector('#board tbody tr');

    // The join QR code, enlarged for the room and back.
    await tabTo(page, (focus) => /Enlarge the join QR code/.test(focus.description));
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.dash-join.big').count(), 1, 'enlarged');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.dash-join.big').count(), 0, 'Esc makes it small again');
    assert.match((await focused(page)).description, /Enlarge the join QR code/);
    await page.keyboard.press('Shift+Tab');

    await tabTo(page, (focus) => /\[Message to broadcast\]/.test(focus.description));
    await page.keyboard.type('Coffee break');
    await page.keyboard.press('Enter');
    await waitForText(page, '#broadcast-current', /Coffee break/);
    await attendee.waitForSelector('.labdeck-broadcast:not([hidden])');

    await tabTo(page, (focus) => /dash-name\[Keyboard Kim\]/.test(focus.description));
    await page.keyboard.press('Enter');
    await waitForText(page, '.dash-viewer-status', /Watching shell/);
    await tabTo(page, (focus) => /Type into this terminal/.test(focus.description), 40);
    await page.keyboard.press('Enter');
    await waitForText(page, '.dash-viewer-status', /Typing into shell/);
    assert.equal((await focused(page)).inTerminal, true, 'typing: the terminal has the keyboard');
    await page.keyboard.type('echo typed-by-$((6*7))');
    await page.keyboard.press('Enter');
    await waitForText(attendee, '.labdeck-terminal:not([hidden]) .xterm-rows', /typed-by-42/);
    await page.keyboard.press('F6');
    assert.equal((await focused(page)).inTerminal, false, 'F6 leaves the watched terminal');

    // Remove: the × of the row, Enter, the confirmation accepted.
    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await tabTo(page, (focus) => /Remove Keyboard Kim from the class/.test(focus.description), 60, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#board tbody tr').length === 0);
    assert.match(question, /^Remove Keyboard Kim from the class\?/);
  } finally {
    await page.context().close();
  }
});
