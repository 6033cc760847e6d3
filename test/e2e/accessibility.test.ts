// The accessibility audit: axe-core in a real Chromium on every page and state of a real `labdeck serve --classroom`
// (the sample workshop, its checks on the real engine): the slideshow on a hands-on slide with its badges and the
// terminal pane open, a badge's popover, the help overlay, the slide finder, the presenter view, the print view, the
// join page, and the instructor dashboard with attendees and a watched terminal. No serious or critical violation
// may remain; each one found is printed (rule, element, what is wrong).
// axe is injected from node_modules (@axe-core/playwright needs Node 22).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startSampleClass, type SampleClass } from '../support/sample-class.ts';
import type { ServedCli } from '../support/served-cli.ts';
import { repoRoot } from '../cli/run-cli.ts';

const axePath = join(repoRoot, 'node_modules/axe-core/axe.min.js');
/** The sample workshop's "Entering the debug container": a hands-on slide whose steps are checked (`docker ps`, `docker exec`). */
const handsOnSlide = 12;

/** Rules left out, each with its reason (none today): every rule axe knows runs. */
const disabledRules: Record<string, string> = {};
/** Elements printed per rule: a rule broken on every slide of the print view would otherwise print hundreds. */
const shownPerRule = 6;

let served: ServedCli;
let browser: Browser;
let attendee: Page;
let joinUrl: string;
let dashboardUrl: string;

interface Finding {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  readonly nodes: readonly { readonly target: string; readonly summary: string }[];
}

/** Runs axe on `page` as it is now; returns its serious and critical violations. */
async function audit(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const rules = Object.fromEntries(Object.keys(disabledRules).map((rule) => [rule, { enabled: false }]));
  const violations = await page.evaluate(async (ruleOptions) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { rules: ruleOptions, resultTypes: ['violations'] })).violations as {
      id: string;
      impact: string;
      help: string;
      nodes: { target: string[]; failureSummary: string }[];
    }[];
  }, rules);
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target.join(' '), summary: node.failureSummary.replace(/\s+/g, ' ') })),
    }));
}

function report(findings: readonly Finding[]): string {
  return findings
    .map(
      (finding) =>
        `${finding.rule} (${finding.impact}): ${finding.help}\n${finding.nodes
          .slice(0, shownPerRule)
          .map((node) => `    ${node.target}: ${node.summary}`)
          .join('\n')}${finding.nodes.length > shownPerRule ? `\n    … and ${finding.nodes.length - shownPerRule} more` : ''}`,
    )
    .join('\n');
}

async function assertAccessible(page: Page, state: string): Promise<void> {
  const findings = await audit(page);
  assert.equal(findings.length, 0, `${state}: serious or critical violations:\n${report(findings)}`);
}

let sampleClass: SampleClass | undefined;

before(async () => {
  sampleClass = await startSampleClass('a11y');
  ({ served, browser } = sampleClass);
  joinUrl = `${served.url}join?code=${served.classCode}`;
  dashboardUrl = `${served.url}_labdeck/dashboard?token=${served.instructorToken}`;
});

after(() => sampleClass?.stop());

test('the join page, empty and with a problem to fix', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(joinUrl);
    await assertAccessible(page, 'join page');
    await page.fill('input[name=name]', '\u200b');
    await page.click('button[type=submit]');
    await page.waitForSelector('.problem');
    await assertAccessible(page, 'join page with a problem');
  } finally {
    await page.close();
  }
});

test('the slideshow on a hands-on slide: badges and the terminal pane', { timeout: 90_000 }, async () => {
  attendee = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  await attendee.goto(joinUrl);
  await attendee.fill('input[name=name]', 'Ada');
  await attendee.click('button[type=submit]');
  await attendee.waitForSelector('html[data-labdeck-ready]');
  await attendee.evaluate((slide) => {
    location.hash = `#${slide}`;
  }, handsOnSlide);
  await attendee.waitForSelector('html[data-labdeck-terminals="ready"]');
  await attendee.waitForSelector('.remark-visible .labdeck-step-badge:not([data-status="pending"])', { timeout: 30_000 });
  await attendee.waitForSelector('.labdeck-terminal:not([hidden]) .xterm-rows');
  await assertAccessible(attendee, 'slideshow with badges and the terminal pane');

  await attendee.locator('.remark-visible .labdeck-step-badge').first().click();
  await attendee.waitForSelector('.remark-visible .labdeck-step-popover:not([hidden])');
  await assertAccessible(attendee, "a badge's popover");
  await attendee.keyboard.press('Escape');

  await attendee.getByRole('button', { name: 'Screen reader mode' }).click();
  await attendee.waitForSelector('.labdeck-terminal:not([hidden]) .xterm-accessibility-tree', { state: 'attached' });
  await assertAccessible(attendee, "the terminal in xterm's screen reader mode");
  await attendee.getByRole('button', { name: 'Screen reader mode' }).click();
});

test('the slideshow on a 360 px wide phone: the pane below the slides', { timeout: 60_000 }, async () => {
  const page = await attendee.context().newPage();
  try {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${served.url}#${handsOnSlide}`);
    await page.waitForSelector('html[data-labdeck-terminals="ready"]');
    await page.waitForSelector('.remark-visible .labdeck-step-badge:not([data-status="pending"])', { timeout: 30_000 });
    await assertAccessible(page, 'slideshow at 360 px');
  } finally {
    await page.close();
  }
});

test('the help overlay, the slide finder and the presenter view', { timeout: 60_000 }, async () => {
  await attendee.locator('.remark-visible .remark-slide-content h2').click();
  await attendee.keyboard.press('?');
  await attendee.waitForSelector('.labdeck-help:not([hidden])');
  await assertAccessible(attendee, 'help overlay');
  await attendee.keyboard.press('Escape');

  await attendee.keyboard.press('o');
  await attendee.waitForSelector('.labdeck-overview:not([hidden])');
  await assertAccessible(attendee, 'slide finder');
  await attendee.keyboard.press('Escape');
  // Keys typed while the finder is still open go to its search box: 'p' would be a search, not the presenter view.
  await attendee.waitForSelector('.labdeck-overview', { state: 'hidden' });

  await attendee.keyboard.press('p');
  // The view's box is empty (its parts are fixed): attached, not visible, is what says it opened.
  await attendee.waitForSelector('.labdeck-presenter:not([hidden])', { state: 'attached' });
  await assertAccessible(attendee, 'presenter view');
  await attendee.keyboard.press('p');
});

test('the print view, with notes', { timeout: 60_000 }, async () => {
  const page = await attendee.context().newPage();
  try {
    await page.goto(`${served.url}?print&notes`);
    await page.waitForSelector('html[data-labdeck-ready]');
    await assertAccessible(page, 'print view');
  } finally {
    await page.close();
  }
});

test('the dashboard with attendees, and a terminal watched', { timeout: 60_000 }, async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  try {
    await page.goto(dashboardUrl);
    await page.waitForSelector('#board tbody tr');
    await page.waitForFunction(() => /attendee/.test(document.getElementById('status')?.textContent ?? ''));
    await assertAccessible(page, 'dashboard');
    await page.locator('#board .dash-name').first().click();
    await page.waitForSelector('.dash-viewer-screen .xterm-rows');
    await assertAccessible(page, 'dashboard watching a terminal');
    // The attendee leaves: their row shows them not connected.
    await attendee.context().close();
    await page.waitForSelector('#board tbody tr.disconnected', { timeout: 15_000 });
    await assertAccessible(page, 'dashboard with an attendee who left');
  } finally {
    await page.context().close();
  }
});
