// The replay of a real session, end to end: `labdeck serve` as a user runs it (bin/labdeck.js, a self-paced learner on
// loopback), its recorder writing to the data folder, and its replay page reading that recording back. A person types
// in the deck page's terminal and moves a slide; then "Replay my session" plays it to the screen the terminal showed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { startServedCli, type ServedCli } from '../support/served-cli.ts';

let dir: string;
let server: ServedCli;
let browser: Browser;
const viewport = { width: 1280, height: 800 };

before(async () => {
  assertClientBundle();
  dir = await mkdtemp(join(tmpdir(), 'labdeck-replay-served-'));
  await mkdir(join(dir, 'slides'));
  await writeFile(join(dir, 'slides', 'a.md'), 'name: first\n# First slide\n---\nname: second\n# Second slide\n');
  await writeFile(join(dir, 'workshop.yml'), 'title: Replayed\ngenerated: false\ncontent:\n- slides/a.md\nterminals:\n  shell: local\n');
  server = await startServedCli([join(dir, 'workshop.yml'), '--port', '0', '--data', join(dir, '.data')], { cwd: dir, startTimeoutMs: 30_000 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The rows the xterm under `root` shows, trailing spaces trimmed and trailing empty rows dropped. */
async function screenOf(page: Page, root: string): Promise<string[]> {
  const rows = await page.evaluate(
    (selector) => Array.from(document.querySelector(`${selector} .xterm-rows`)?.children ?? [], (row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()),
    root,
  );
  while (rows.length > 0 && rows.at(-1) === '') rows.pop();
  return rows;
}

async function waitForScreen(page: Page, root: string, done: (rows: string[]) => boolean, what: string, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let rows: string[] = [];
  while (Date.now() < deadline) {
    rows = await screenOf(page, root);
    if (done(rows)) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`${what} within ${timeoutMs} ms; the screen under ${root} showed:\n${rows.join('\n')}`);
}

test('what a learner did in the served deck replays from the server’s own recording to the screen they saw', { timeout: 90_000 }, async () => {
  const live = await browser.newPage({ viewport });
  try {
    await live.goto(server.url);
    await live.waitForSelector('html[data-labdeck-terminals="ready"]', { timeout: 30_000 });
    const pane = '.labdeck-terminal:not([hidden])';
    await waitForScreen(live, pane, (rows) => rows.some((row) => /[$#]$/.test(row)), 'a prompt');
    await live.locator(`${pane} .xterm-helper-textarea`).focus();
    await live.keyboard.type('echo replayed-$((6*7)); false\n');
    const liveScreen = await waitForScreen(
      live,
      pane,
      (rows) => rows.some((row) => row === 'replayed-42') && /[$#]$/.test(rows.at(-1) ?? ''),
      'the echo and the next prompt',
    );
    // The slide move goes over the follow channel, as a person's arrow key sends it.
    await live.locator('body').click({ position: { x: 5, y: 5 } });
    await live.keyboard.press('ArrowRight');
    await live.waitForFunction(() => location.hash === '#second' || location.hash === '#2', undefined, { timeout: 5_000 });
    // The recorder writes once a second.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const href = await live.getByRole('link', { name: /replay my session/i }).getAttribute('href');
    assert.ok(href, 'the deck page links to its replay');
    const replay = await browser.newPage({ viewport });
    try {
      await replay.goto(new URL(href, server.url).toString());
      await replay.waitForSelector('html[data-labdeck-replay="ready"]', { timeout: 15_000 });
      await replay.evaluate(() => {
        const scrubber = document.querySelector<HTMLInputElement>('.labdeck-replay-scrubber');
        if (!scrubber) throw new Error('no scrubber on the replay page');
        scrubber.value = scrubber.max;
        scrubber.dispatchEvent(new Event('input', { bubbles: true }));
      });
      const replayed = await waitForScreen(
        replay,
        '.labdeck-replay-xterm',
        (rows) => JSON.stringify(rows) === JSON.stringify(liveScreen),
        `the live screen (${JSON.stringify(liveScreen)})`,
      );
      assert.deepEqual(replayed, liveScreen);
      // The command that failed is a marker (PageUp from the end reaches it; the scrubber names it), drawn red; the
      // slide beside is the one the learner moved to.
      const scrubber = replay.locator('.labdeck-replay-scrubber');
      await scrubber.focus();
      let named = '';
      for (let i = 0; i < 10 && !named.includes('false'); i++) {
        await replay.keyboard.press('PageUp');
        named = (await scrubber.getAttribute('aria-valuetext')) ?? '';
      }
      assert.match(named, /Command echo .*; false \(exit code 1\)/, 'the marker of `echo …; false`');
      const colour = await replay.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('canvas.labdeck-replay-markers')!;
        const scrubberElement = document.querySelector<HTMLInputElement>('.labdeck-replay-scrubber')!;
        const x = Math.round((Number(scrubberElement.value) / Number(scrubberElement.max)) * canvas.width);
        return Array.from(
          canvas
            .getContext('2d')!
            .getImageData(Math.min(x, canvas.width - 1), Math.floor(canvas.height / 2), 1, 1)
            .data.slice(0, 3),
        );
      });
      assert.ok(colour[0]! > 200 && colour[1]! < 150, `the command that exited 1 is drawn red: ${colour}`);
      await scrubber.focus();
      await replay.keyboard.press('End');
      assert.match(await replay.locator('.labdeck-replay-slide-caption').innerText(), /Slide 2 of 2 \(second\)/);
    } finally {
      await replay.close();
    }
  } finally {
    await live.close();
  }
});
