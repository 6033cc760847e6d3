// The instructor's `?token=` link in a real Chromium, on `labdeck serve` of the sample workshop: the token leaves the
// address bar as soon as the page has read it (that page is projected to the room), the rest of the URL stays, and
// the page is still the instructor's: it leads, after a reload too (the tab kept it), and so does the window it
// clones; another tab of the same browser opened without the link is not the instructor's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { repoRoot } from '../cli/run-cli.ts';
import { serveInProcess, type ServedInProcess } from '../support/served-in-process.ts';
import { join } from 'node:path';

let browser: Browser;
let instructorUrl: string;
let server: ServedInProcess;

before(async () => {
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build-client.mjs')]);
  server = await serveInProcess([], { instructor: true });
  instructorUrl = server.instructorUrl ?? '';
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Waits for the address bar to lose its token; fails with the URL it saw. */
async function waitForTokenGone(page: Page): Promise<URL> {
  try {
    await page.waitForFunction(() => !new URLSearchParams(location.search).has('token'), undefined, { timeout: 5000 });
  } catch {
    assert.fail(`the token is still in the address bar: ${page.url()}`);
  }
  return new URL(page.url());
}

test("the instructor's token leaves the address bar; the page stays the instructor's", { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const token = new URL(instructorUrl).searchParams.get('token')!;
    const page = await context.newPage();
    const link = new URL(instructorUrl);
    link.search = `?keep=1&token=${encodeURIComponent(token)}`;
    link.hash = '#3';
    await page.goto(link.href);
    await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
    const shown = await waitForTokenGone(page);
    assert.equal(shown.search, '?keep=1', 'the other parameters stay');
    assert.equal(shown.hash, '#3', 'the hash stays');
    // The page used the token it read: it leads.
    await page.waitForSelector('.labdeck-follow[data-state="leading"]', { state: 'attached', timeout: 5000 });

    await page.reload();
    await page.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
    await page.waitForSelector('.labdeck-follow[data-state="leading"]', { state: 'attached', timeout: 5000 });

    // `c` clones the window: the clone is the instructor's too, and its address bar holds no token either.
    const [clone] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('c')]);
    await clone!.waitForSelector('html[data-labdeck-ready]', { state: 'attached' });
    assert.equal((await waitForTokenGone(clone!)).search, '?keep=1');
    await clone!.waitForSelector('.labdeck-follow[data-state="leading"]', { state: 'attached', timeout: 5000 });

    const other = await context.newPage();
    await other.goto(new URL('/', instructorUrl).href);
    await other.waitForSelector('.labdeck-follow[data-state="following"]', { state: 'attached', timeout: 5000 });
  } finally {
    await context.close();
  }
});
