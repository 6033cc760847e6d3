// Replays in a real Chromium against the real server: a session recorded from a real bash PTY (colours, a failing
// command, a resize, scrolling) played on the replay page ends on the screen the live terminal showed; markers seek
// (the slide beside follows); speeds and keys work; axe finds nothing serious. The dashboard and the self-paced
// deck page link to replays. A slide's `.replay[demo.cast]` plays the same recording in `serve` and in the static
// `build` export opened from file://.
// test-runner: alone
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { castTimelines, recordSession, saveSession, type RecordedSession } from '../support/recorded-session.ts';
import { repoRoot, runLabdeck } from '../cli/run-cli.ts';
import { loadDeck } from '../../src/workshop/load-deck.ts';
import { LiveDeck } from '../../src/workshop/live-deck.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { createAccess } from '../../src/classroom/access.ts';
import { openClassroom, type Classroom } from '../../src/classroom/classroom.ts';
import { serveTerminals } from '../../src/commands/serve-terminals.ts';
import { testEnvironment } from '../terminal/terminal-client.ts';
import type { TimelineEvent } from '../../src/protocol.ts';
import { parseAsciicast } from '../../src/client/asciicast.ts';

const chapter = `name: first
# First slide

---

name: second
# Second slide

---

name: demo
# A recorded demo

.replay[demo.cast]
`;

/** The timeline lasts a minute (a check passes at the end): long enough for speeds to show. */
const durationMs = 60_000;
const axePath = join(repoRoot, 'node_modules/axe-core/axe.min.js');
const viewport = { width: 1400, height: 850 };

let scratch: string;
let castDir: string;
let browser: Browser;
let session: RecordedSession;
/** The live terminal's last screen: what every replay must end on. */
let liveScreen: string[];
let server: RunningServer;
let classServer: RunningServer;
let classroom: Classroom;
let liveDeck: LiveDeck;
let aliceId: string;
let falseAt: number;

before(async () => {
  const launching = launchChromium();
  assertClientBundle();
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-e2e-replay-'));
  castDir = join(scratch, '.recordings');
  await mkdir(castDir);

  session = recordSession('local');
  await session.viewer.waitForScreen(/\$ $/m, 10_000);
  session.type("printf '\\033[1;31mred\\033[0m plain\\n'\r");
  await session.viewer.waitForScreen(/^red plain$/m);
  session.type('false\r');
  await waitForCommands(2);
  session.connection.resize(100, 30);
  session.type('seq 1 40\r');
  await session.viewer.waitForScreen(/^40$/m);
  session.type('echo done-$((1+1))\r');
  await session.viewer.waitForScreen(/^done-2$/m);
  await session.viewer.waitForQuiet(300);
  // Trailing spaces trimmed, as the DOM rows are read (the prompt's own space included).
  liveScreen = session.viewer.screen().map((row) => row.trimEnd());
  assert.equal(liveScreen.length, 30, 'the live terminal was resized');
  falseAt = (session.commands[1]!.endedAt ?? 0) - session.startedAt;
  const extra: TimelineEvent[] = [
    { t: 0, kind: 'slide', slide: 0, name: 'first' },
    { t: falseAt - 1, kind: 'slide', slide: 1, name: 'second' },
    { t: durationMs, kind: 'check', step: 'run-it', from: 'failed', to: 'passed', reason: 'done' },
  ];
  await saveSession(castDir, 'local', session, extra);
  await writeFile(join(scratch, 'demo.cast'), session.cast());

  const manifest = join(scratch, 'workshop.yml');
  await writeFile(manifest, 'title: Replays\ngenerated: false\ncontent: [a.md]\nterminals:\n  shell: local\n');
  await writeFile(join(scratch, 'a.md'), chapter);
  const log = () => {};
  liveDeck = await LiveDeck.start({ load: async () => ({ deck: (await loadDeck(manifest)).deck, title: 'Replays', ratio: '16:9', files: [manifest] }), log });
  const access = createAccess({ openToLocalAttendee: true, instructorToken: 'teach', watcherToken: 'watch' });
  const { workshop } = await loadDeck(manifest);
  const terminals = serveTerminals(workshop, { host: '127.0.0.1', access, log, env: testEnvironment(), replays: true })!;
  const assetsDir = join(repoRoot, 'public');
  server = await startServer(
    { deck: liveDeck, workshopDir: scratch, assetsDir, log, access, terminals, timelines: castTimelines(castDir) },
    { port: 0, host: '127.0.0.1' },
  );

  classroom = openClassroom({ dataDir: join(scratch, '.class'), deck: liveDeck, checksOf: () => noChecks, openToLocalAttendee: false });
  const aliceToken = classroom.join('Alice');
  aliceId = classroom.access.identify(aliceToken)!.attendee;
  await saveSession(castDir, aliceId, session, extra);
  classServer = await startServer(
    { deck: liveDeck, workshopDir: scratch, dataDir: join(scratch, '.class'), assetsDir, log, access: classroom.access, classroom, timelines: castTimelines(castDir) },
    { port: 0, host: '127.0.0.1' },
  );
  browser = await launching;
});

after(async () => {
  await browser?.close();
  await server?.close();
  await classServer?.close();
  classroom?.dispose();
  liveDeck?.dispose();
  session?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

const noChecks = { state: () => ({ engine: { reachable: true, error: null, swarm: 'active' as const }, results: [] }), onUpdate: () => ({ dispose() {} }) };

async function waitForCommands(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (session.commands.length < count) {
    if (Date.now() > deadline) throw new Error(`not ${count} commands within 10 s: ${JSON.stringify(session.commands)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The rows an xterm under `root` shows (its DOM renderer), trailing spaces trimmed. */
function screenOf(page: Page, root: string): Promise<string[]> {
  return page.evaluate(
    (selector) => Array.from(document.querySelector(`${selector} .xterm-rows`)?.children ?? [], (row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()),
    root,
  );
}

async function waitForScreen(page: Page, root: string, expected: readonly string[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await screenOf(page, root);
    if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  assert.deepEqual(seen, expected, `the screen under ${root} did not become the live one within ${timeoutMs} ms`);
}

/** Moves a scrubber as a person dragging it does (an input event), to `to` thousandths of the recording. */
async function scrub(page: Page, root: string, to: number | 'end'): Promise<void> {
  await page.evaluate(
    ([selector, value]) => {
      const scrubber = document.querySelector<HTMLInputElement>(`${selector} .labdeck-replay-scrubber`)!;
      scrubber.value = value === 'end' ? scrubber.max : String(value);
      scrubber.dispatchEvent(new Event('input', { bubbles: true }));
    },
    [root, to] as const,
  );
}

const position = (page: Page, root = 'body'): Promise<number> =>
  page
    .locator(`${root} .labdeck-replay-controls`)
    .first()
    .evaluate((element) => Number((element as HTMLElement).dataset.position));

/** How many times the page asked for a timeline (its resource timing entries). */
function timelineRequests(page: Page): Promise<number> {
  return page.evaluate(() => performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/_labdeck/timeline/')).length);
}

async function openReplay(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(url);
  await page.waitForSelector('html[data-labdeck-replay="ready"]', { timeout: 10_000 });
  return page;
}

test('the replay page plays the recorded session to the very screen the live terminal showed', { timeout: 30_000 }, async () => {
  const page = await openReplay(`${server.url}replay/local`);
  try {
    assert.match(await page.locator('.labdeck-replay-about').innerText(), /1:00 long/);
    await scrub(page, 'body', 'end');
    await waitForScreen(page, '.labdeck-replay-xterm', liveScreen);
    assert.equal(await position(page), durationMs);
    // The slide beside: the last one the learner moved to.
    assert.match(await page.locator('.labdeck-replay-slide-caption').innerText(), /Slide 2 of 3 \(second\)/);
    assert.match(await page.locator('.labdeck-replay-slide-box').innerText(), /Second slide/);
  } finally {
    await page.close();
  }
});

/** The colour the markers' drawing shows at time `t` (its middle row), as [r, g, b]. */
function markerColourAt(page: Page, t: number): Promise<number[]> {
  return page.evaluate(
    ([at, duration]) => {
      const canvas = document.querySelector<HTMLCanvasElement>('canvas.labdeck-replay-markers')!;
      const x = Math.min(Math.round((at / duration) * canvas.width), canvas.width - 1);
      return Array.from(
        canvas
          .getContext('2d')!
          .getImageData(x, Math.floor(canvas.height / 2), 1, 1)
          .data.slice(0, 3),
      );
    },
    [t, durationMs] as const,
  );
}

/** Clicks the markers' drawing where the moment `t` is drawn. */
async function clickMarkerAt(page: Page, t: number): Promise<void> {
  const box = (await page.locator('canvas.labdeck-replay-markers').boundingBox())!;
  await page.mouse.click(box.x + (t / durationMs) * box.width, box.y + box.height / 2);
}

/** Holds the page's requests for xterm.js (build/replay-xterm.js) until `release()`; `held` says one came. */
async function holdXterm(page: Page): Promise<{ release(): void; readonly held: boolean }> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const hold = { release, held: false };
  await page.route('**/build/replay-xterm.js', async (route) => {
    hold.held = true;
    await released;
    await route.continue();
  });
  return hold;
}

test('the replay page opens before xterm.js has arrived (a blank in its place), and plays once it comes', { timeout: 30_000 }, async () => {
  const page = await browser.newPage({ viewport });
  try {
    const xterm = await holdXterm(page);
    // Not until `load`: the page's async script holds it.
    await page.goto(`${server.url}replay/local`, { waitUntil: 'commit' });
    await page.waitForSelector('html[data-labdeck-replay="ready"]', { timeout: 10_000 });
    assert.ok(xterm.held, 'the page did not ask for xterm.js (build/replay-xterm.js)');
    assert.equal(await page.locator('.labdeck-replay-xterm .labdeck-replay-blank').count(), 1, 'no blank stands in for the terminal');
    assert.equal(await page.locator('.labdeck-replay-xterm .xterm').count(), 0);
    assert.equal(await timelineRequests(page), 1);
    // A seek meanwhile waits for xterm.js, then shows its moment.
    await scrub(page, 'body', 'end');
    xterm.release();
    await waitForScreen(page, '.labdeck-replay-xterm', liveScreen, 10_000);
  } finally {
    await page.close();
  }
});

test('once the page is idle, a terminal of the blank’s very size takes its place; without xterm.js the page says so', { timeout: 30_000 }, async () => {
  const page = await browser.newPage({ viewport });
  try {
    const xterm = await holdXterm(page);
    await page.goto(`${server.url}replay/local`, { waitUntil: 'commit' });
    await page.waitForSelector('html[data-labdeck-replay="ready"]', { timeout: 10_000 });
    const sizeOf = (selector: string) =>
      page.locator(selector).evaluate((element) => {
        const box = element.getBoundingClientRect();
        return { width: box.width, height: box.height };
      });
    const blank = await sizeOf('.labdeck-replay-xterm .labdeck-replay-blank');
    xterm.release();
    await page.locator('.labdeck-replay-xterm .xterm-screen').waitFor({ timeout: 10_000 });
    const screen = await sizeOf('.labdeck-replay-xterm .xterm-screen');
    assert.ok(
      Math.abs(screen.width - blank.width) < 1 && Math.abs(screen.height - blank.height) < 1,
      `the terminal ${JSON.stringify(screen)} is not the blank's size ${JSON.stringify(blank)}`,
    );
    assert.equal(await page.locator('.labdeck-replay-blank').count(), 0);
  } finally {
    await page.close();
  }

  const offline = await browser.newPage({ viewport });
  try {
    await offline.route('**/build/replay-xterm.js', (route) => route.abort());
    await offline.goto(`${server.url}replay/local`);
    await offline.waitForSelector('html[data-labdeck-replay="failed"]', { timeout: 10_000 });
    assert.match(await offline.locator('.labdeck-replay-problem').innerText(), /The terminal player \(.*replay-xterm\.js\) could not be loaded: reload the page\./);
  } finally {
    await offline.close();
  }
});

test('markers: one drawing, commands green or red by exit code, slides and checks; a click at one seeks there', { timeout: 30_000 }, async () => {
  const page = await openReplay(`${server.url}replay/local`);
  try {
    // One element for all of them, out of the accessibility tree: the scrubber names them (next test).
    assert.equal(await page.locator('canvas.labdeck-replay-markers').count(), 1);
    assert.equal(await page.locator('canvas.labdeck-replay-markers').getAttribute('aria-hidden'), 'true');
    // The commands are a second or less apart (a few pixels on a minute): they overlap, and what failed is on top.
    const red = await markerColourAt(page, falseAt);
    assert.ok(red[0]! > 200 && red[1]! < 150, `the failing command is drawn red, on top: ${red}`);
    // (A command that exited 0, alone, is green: replay-keyframes.test.ts.)
    const check = await markerColourAt(page, durationMs - 1);
    assert.ok(check[1]! > 180 && check[0]! < 150, `the check that passed is drawn green: ${check}`);

    await scrub(page, 'body', 'end');
    await waitForScreen(page, '.labdeck-replay-xterm', liveScreen);
    await clickMarkerAt(page, falseAt);
    assert.equal(await position(page), falseAt);
    await page.waitForFunction(() => !/done-2/.test(document.querySelector('.labdeck-replay-xterm .xterm-rows')?.textContent ?? ''), undefined, { timeout: 5000 });
    const screen = (await screenOf(page, '.labdeck-replay-xterm')).join('\n');
    assert.match(screen, /red plain/);
    assert.doesNotMatch(screen, /^40$/m);
    assert.match(await page.locator('.labdeck-replay-slide-caption').innerText(), /Slide 2 of 3/);
    // Near a marker (a few pixels off) is on it; far from any, the click does nothing.
    const box = (await page.locator('canvas.labdeck-replay-markers').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    assert.equal(await position(page), falseAt, 'nothing happened in the middle of the minute: no seek');
    await page.mouse.click(box.x + box.width - 4, box.y + box.height / 2);
    assert.equal(await position(page), durationMs, 'the check, at 1:00');
  } finally {
    await page.close();
  }
});

test('markers by keyboard: PageDown and PageUp on the scrubber go to the next and previous one, which it names', { timeout: 30_000 }, async () => {
  const page = await openReplay(`${server.url}replay/local`);
  try {
    const scrubber = page.locator('.labdeck-replay-scrubber');
    assert.match((await scrubber.getAttribute('aria-keyshortcuts')) ?? '', /PageDown/);
    await scrubber.focus();
    await scrub(page, 'body', 0);
    // Every moment after the start, in order: the commands, the move to slide 2 just before false, the check at 1:00.
    const moments: string[] = [];
    for (let last = 0; moments.length < 20; ) {
      await page.keyboard.press('PageDown');
      const at = await position(page);
      if (at === last) break;
      last = at;
      moments.push(`${at} ${await scrubber.getAttribute('aria-valuetext')}`);
    }
    const slide2 = moments.findIndex((moment) => moment.startsWith(`${falseAt - 1} `));
    assert.match(moments[slide2] ?? '', /^\d+ 0:\d\d of 1:00, Slide 2 \(second\)$/, moments.join('\n'));
    assert.match(moments[slide2 + 1] ?? '', new RegExp(`^${falseAt} 0:\\d\\d of 1:00, Command false \\(exit code 1\\)$`), moments.join('\n'));
    assert.match(moments[0] ?? '', /Command printf/, moments.join('\n'));
    assert.match(moments.at(-1) ?? '', /^60000 1:00 of 1:00, Check run-it: failed → passed: done$/, moments.join('\n'));
    await page.keyboard.press('PageUp');
    assert.match(`${await position(page)} ${await scrubber.getAttribute('aria-valuetext')}`, /Command echo done/);
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'labdeck-replay-scrubber', 'the focus stays on the scrubber');
  } finally {
    await page.close();
  }
});

test('speeds 1× to 16×, and the keys: Space plays and pauses, arrows move 5 s, + and - change the speed', { timeout: 30_000 }, async () => {
  const page = await openReplay(`${server.url}replay/local`);
  try {
    const speed = page.locator('.labdeck-replay-speed select');
    assert.deepEqual(await speed.locator('option').allTextContents(), ['1×', '2×', '4×', '8×', '16×']);
    const playFor = async (ms: number): Promise<number> => {
      await scrub(page, 'body', 0);
      await page.locator('.labdeck-replay-play').click();
      await page.waitForTimeout(ms);
      await page.locator('.labdeck-replay-play').click();
      return position(page);
    };
    await speed.selectOption('16');
    const fast = await playFor(1000);
    await speed.selectOption('1');
    const slow = await playFor(1000);
    assert.ok(fast >= 10_000, `16× played ${fast} ms of the recording in a second`);
    assert.ok(slow >= 500 && slow <= 3000, `1× played ${slow} ms of the recording in a second`);

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await scrub(page, 'body', 250); // a quarter of the minute
    assert.equal(await position(page), 15_000);
    await page.keyboard.press('ArrowRight');
    assert.equal(await position(page), 20_000);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await position(page), 10_000);
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    assert.equal(await speed.inputValue(), '4');
    await page.keyboard.press('-');
    assert.equal(await speed.inputValue(), '2');
    await page.keyboard.press(' ');
    assert.equal(await page.locator('.labdeck-replay-play').getAttribute('aria-label'), 'Pause');
    await page.keyboard.press(' ');
    assert.equal(await page.locator('.labdeck-replay-play').getAttribute('aria-label'), 'Play');
  } finally {
    await page.close();
  }
});

test('axe-core finds no serious or critical violation on the replay page', { timeout: 30_000 }, async () => {
  const page = await openReplay(`${server.url}replay/local`);
  try {
    await scrub(page, 'body', 'end');
    await waitForScreen(page, '.labdeck-replay-xterm', liveScreen);
    await page.addScriptTag({ path: axePath });
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run(context: Document, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
        }
      ).axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations;
    });
    const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    assert.deepEqual(
      serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
      [],
    );
  } finally {
    await page.close();
  }
});

test('the self-paced deck page links to "Replay my session"; the dashboard links to each attendee’s replay', { timeout: 30_000 }, async () => {
  const deckPage = await browser.newPage({ viewport });
  try {
    await deckPage.goto(server.url);
    await deckPage.waitForSelector('html[data-labdeck-terminals="ready"]');
    const link = deckPage.locator('.labdeck-terminals-replay');
    assert.equal(await link.innerText(), 'Replay my session');
    const [replay] = await Promise.all([deckPage.waitForEvent('popup'), link.click()]);
    await replay.waitForSelector('html[data-labdeck-replay="ready"]', { timeout: 10_000 });
    assert.equal(new URL(replay.url()).pathname, '/replay/local');
    await replay.close();
  } finally {
    await deckPage.close();
  }

  const instructorBrowser = await browser.newContext({ viewport });
  const dashboard = await instructorBrowser.newPage();
  try {
    await dashboard.goto(`${classServer.url}_labdeck/dashboard?token=${classroom.access.instructorToken}`);
    const link = dashboard.locator(`tr[data-attendee="${aliceId}"] a.dash-replay`);
    await link.waitFor({ timeout: 10_000 });
    assert.equal(await link.getAttribute('aria-label'), 'Replay Alice');
    const [replay] = await Promise.all([dashboard.waitForEvent('popup'), link.click()]);
    await replay.waitForSelector('html[data-labdeck-replay="ready"]', { timeout: 10_000 });
    assert.equal(new URL(replay.url()).pathname, `/replay/${aliceId}`);
    // Opened by its cookie: the browser preloaded the timeline from the page's head, and the page took that response.
    assert.equal(await replay.locator('link#labdeck-replay-timeline[rel="preload"]').count(), 1);
    assert.equal(await timelineRequests(replay), 1, 'the preloaded timeline was asked for again');
    await scrub(replay, 'body', 'end');
    await waitForScreen(replay, '.labdeck-replay-xterm', liveScreen);
    await replay.close();
    // Opened with the instructor's link in that browser: it plays, and the token leaves the address bar (a projected
    // page would show it).
    const linked = await instructorBrowser.newPage();
    try {
      await linked.goto(`${classServer.url}replay/${aliceId}?token=${classroom.access.instructorToken}`);
      await linked.waitForSelector('html[data-labdeck-replay="ready"]', { timeout: 10_000 });
      assert.equal(new URL(linked.url()).search, '', `the address bar keeps no token: ${linked.url()}`);
      // A link's token is not the cookie's: no preload, the page's script asked with the token.
      assert.equal(await linked.locator('link#labdeck-replay-timeline').count(), 0);
      assert.equal(await timelineRequests(linked), 1);
    } finally {
      await linked.close();
    }
  } finally {
    await instructorBrowser.close();
  }
});

test('a replay link opened in a browser without the class’s cookie plays: its token becomes the cookie', { timeout: 30_000 }, async () => {
  const fresh = await browser.newContext({ viewport });
  try {
    const page = await fresh.newPage();
    await page.goto(`${classServer.url}replay/${aliceId}?token=${classroom.access.instructorToken}`);
    // Without the cookie, a class server refused the page's own files (401): it never got ready.
    await page.waitForSelector('html[data-labdeck-replay="ready"]', { timeout: 10_000 });
    await scrub(page, 'body', 'end');
    await waitForScreen(page, '.labdeck-replay-xterm', liveScreen, 10_000);
    const cookies = await fresh.cookies(classServer.url);
    assert.deepEqual(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite]).sort(), [
      ['labdeck_instructor', true, 'Strict'],
      ['labdeck_token', true, 'Strict'],
    ]);
  } finally {
    await fresh.close();
  }
});

test('.replay[demo.cast] plays the recording inline in the served deck; its keys stay out of the slideshow', { timeout: 30_000 }, async () => {
  const page = await browser.newPage({ viewport });
  try {
    await page.goto(`${server.url}#3`);
    const embed = '.remark-visible .labdeck-replay-embed';
    await page.waitForSelector(`.remark-visible .replay[data-labdeck-replay="ready"]`, { timeout: 10_000 });
    await scrub(page, embed, 'end');
    await waitForScreen(page, embed, liveScreen);
    await page.locator(`${embed} .labdeck-replay-play`).focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(new URL(page.url()).hash, '#3', 'the arrow moved the recording, not the slides');
    assert.equal(await position(page, embed), Math.max(0, parseAsciicast(session.cast()).durationMs - 5000));
  } finally {
    await page.close();
  }
});

test('.replay[demo.cast] in the static export: the file is copied and the page plays it from file://', { timeout: 30_000 }, async () => {
  const out = join(scratch, 'export');
  const run = await runLabdeck(['build', '--out', out], { cwd: scratch });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(existsSync(join(out, 'demo.cast')), 'demo.cast copied beside the page');
  const page = await browser.newPage({ viewport });
  try {
    await page.goto(`${pathToFileURL(join(out, 'index.html')).href}#3`);
    await page.waitForSelector(`.remark-visible .replay[data-labdeck-replay="ready"]`, { timeout: 10_000 });
    const embed = '.remark-visible .labdeck-replay-embed';
    await scrub(page, embed, 'end');
    await waitForScreen(page, embed, liveScreen);
  } finally {
    await page.close();
  }
});
