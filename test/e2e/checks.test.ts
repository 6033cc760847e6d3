// Live step results in a real Chromium against the real engine: a step's badge shows failed with its reason, turns
// passed without reload when the service is created; "I did it" marks a manual step as self-reported; and 20 open
// pages ask the engine no more than one does.
// It counts engine API calls on a watch of the shared engine, which every other file's services also move (a lab
// reset, an autopilot run): it runs after the others, alone.
// test-runner: alone
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { startCheckedWorkshop, type CheckedWorkshop } from '../support/checked-workshop.ts';

let lab: CheckedWorkshop;
let browser: Browser;

before(async () => {
  assertClientBundle();
  lab = await startCheckedWorkshop();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await lab?.close();
});

async function openLabSlide(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${lab.server.url}#lab`, { timeout: 90_000 });
  await page.waitForSelector('html[data-labdeck-ready]');
  return page;
}

const badge = (page: Page, stepId: string) => page.locator(`.remark-visible .labdeck-step-badge[data-step-id="${stepId}"]`);

test('a failed badge shows its reason; creating the service turns it passed without reload', async () => {
  const [createStep, manualStep] = lab.stepIds;
  const page = await openLabSlide();
  try {
    await page.waitForSelector(`.remark-visible .labdeck-step-badge[data-step-id="${createStep}"][data-status="failed"]`);
    assert.equal(await page.locator('.remark-visible .labdeck-step-badge').count(), 2, 'one badge per step');
    assert.equal(await page.locator('.labdeck-engine').getAttribute('data-state'), 'ok');
    assert.equal(await page.locator('.labdeck-progress').innerText(), '0/2 steps done in this chapter');

    // Hover shows the reason; it is text, not markup.
    await badge(page, createStep).hover();
    const popover = page.locator('.remark-visible .labdeck-step-popover:visible');
    assert.equal(await popover.locator('.labdeck-step-reason').innerText(), `service \`${lab.service}\` does not exist`);
    assert.match((await badge(page, createStep).getAttribute('aria-label'))!, /not done/);

    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await lab.createService();
    await page.waitForSelector(`.remark-visible .labdeck-step-badge[data-step-id="${createStep}"][data-status="passed"]`, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'no reload');
    assert.equal(await page.locator('.labdeck-progress').innerText(), '1/2 steps done in this chapter');

    // The manual step: tap the badge, "I did it", shown as self-reported.
    await page.mouse.move(0, 0);
    await badge(page, manualStep).click();
    assert.equal(await badge(page, manualStep).getAttribute('aria-expanded'), 'true');
    const manualPopover = page.locator(`#${(await badge(page, manualStep).getAttribute('aria-controls'))!}`);
    assert.match(await manualPopover.innerText(), /Self-reported/);
    await manualPopover.getByRole('button', { name: 'I did it' }).click();
    await page.waitForSelector(`.remark-visible .labdeck-step-badge[data-step-id="${manualStep}"][data-status="passed"][data-self-reported="true"]`);
    assert.match((await badge(page, manualStep).getAttribute('aria-label'))!, /done \(self-reported\)/);
    await page.keyboard.press('Escape');
    assert.equal(await manualPopover.isHidden(), true);
  } finally {
    await page.close();
  }
});

/**
 * Engine API calls during a window in which the service's spec changes twice: the same activity for every window. A
 * label change fires events without restarting tasks, so no convergence polling (whose length depends on the load
 * of the machine) blurs the count.
 */
async function callsDuring(windowMs: number): Promise<number> {
  const before = lab.checks.watch.apiCalls;
  for (const value of ['a', 'b']) {
    const service = lab.docker.getService(lab.service);
    const current = await service.inspect();
    const Labels = { ...current.Spec.Labels, 'org.labdeck.test': `${value}-${before}` };
    await service.update({ _query: { version: current.Version.Index }, _body: { ...current.Spec, Labels } } as never);
    await new Promise((resolve) => setTimeout(resolve, windowMs / 2));
  }
  return lab.checks.watch.apiCalls - before;
}

// 95 s measured with another heavy file alongside: 20 pages load in Chromium in batches.
test('20 open pages: engine API calls per minute do not grow', { timeout: 240_000 }, async () => {
  const [createStep] = lab.stepIds;
  if (!(await lab.docker.listServices({ filters: { name: [lab.service] } } as Docker.ServiceListOptions)).length) await lab.createService();
  const windowMs = 6000;
  const first = await openLabSlide();
  const pages = [first];
  try {
    await first.waitForSelector(`.remark-visible .labdeck-step-badge[data-step-id="${createStep}"][data-status="passed"]`, { timeout: 30_000 });
    const withOne = await callsDuring(windowMs);
    // In batches: 19 pages loading at once starve a small machine.
    for (let batch = 0; batch < 19; batch += 5) pages.push(...(await Promise.all(Array.from({ length: Math.min(5, 19 - batch) }, openLabSlide))));
    await Promise.all(
      pages.map((page) => page.waitForSelector(`.remark-visible .labdeck-step-badge[data-step-id="${createStep}"]:not([data-status="pending"])`, { timeout: 30_000 })),
    );
    const withTwenty = await callsDuring(windowMs);
    const perMinute = (calls: number) => Math.round((calls * 60_000) / windowMs);
    // One fan-out: the same activity costs the same calls, whatever the number of pages.
    assert.ok(withOne > 0, 'the changes were read');
    assert.ok(withTwenty <= withOne + 8, `1 page: ${perMinute(withOne)}/min, 20 pages: ${perMinute(withTwenty)}/min`);
  } finally {
    await Promise.all(pages.map((page) => page.close()));
  }
});
