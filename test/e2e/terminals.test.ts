// The terminal pane in a real Chromium against the real server (startServer + serveTerminals, real bash PTYs): typing,
// a full-screen program repainted after a reload, `yes` + Ctrl-C, the Run button, two pages and a read-only
// projector on one terminal, refused tokens and origins, and the shell-integration command log.
// test-runner: alone
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { launchChromium } from '../support/browser.ts';
import { assertClientBundle } from '../support/client-bundle.ts';
import { repoRoot } from '../cli/run-cli.ts';
import { testEnvironment, waitUntil } from '../terminal/terminal-client.ts';
import { loadDeck } from '../../src/workshop/load-deck.ts';
import { LiveDeck } from '../../src/workshop/live-deck.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { createAccess } from '../../src/classroom/access.ts';
import { serveTerminals } from '../../src/commands/serve-terminals.ts';
import type { TerminalService } from '../../src/http/terminal-route.ts';
import { ClientFrameType, ServerFrameType, TERMINAL_SUBPROTOCOL, type CommandRecord } from '../../src/protocol.ts';

const chapter = `# Terminal test

.exercise[
- Run this:
  \`\`\`bash
  echo multi \\
    line-$((6*7))
  \`\`\`
]
`;

let scratch: string;
let browser: Browser;
/** One attendee's browser, shared by the tests: a new page in it costs far less than a new context. */
let attendee: BrowserContext;
const viewport = { width: 1280, height: 720 };
let server: RunningServer;
let liveDeck: LiveDeck;
let terminals: TerminalService;
const commands: CommandRecord[] = [];

before(async () => {
  const launching = launchChromium();
  assertClientBundle();
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-e2e-terminals-'));
  const manifest = join(scratch, 'workshop.yml');
  await writeFile(manifest, 'title: Terminals\ngenerated: false\ncontent: [a.md]\nterminals:\n  shell: local\n');
  await writeFile(join(scratch, 'a.md'), chapter);
  const log = () => {};
  liveDeck = await LiveDeck.start({ load: async () => ({ deck: (await loadDeck(manifest)).deck, title: 'Terminals', ratio: '16:9', files: [manifest] }), log });
  const access = createAccess({ openToLocalAttendee: true, instructorToken: 'teach', watcherToken: 'watch' });
  const { workshop } = await loadDeck(manifest);
  terminals = serveTerminals(workshop, { host: '127.0.0.1', access, log, env: testEnvironment() })!;
  terminals.manager.onCommand((record) => commands.push(record));
  server = await startServer({ deck: liveDeck, workshopDir: scratch, assetsDir: join(repoRoot, 'public'), log, access, terminals }, { port: 0, host: '127.0.0.1' });
  browser = await launching;
  attendee = await browser.newContext({ viewport });
});

after(async () => {
  await browser?.close();
  await server?.close();
  liveDeck?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

/** A page of the attendee's browser; one with `?token=` gets a browser of its own, since the token becomes a cookie. */
async function openPage(query = ''): Promise<Page> {
  const page = query.includes('token=') ? await browser.newPage({ viewport }) : await attendee.newPage();
  await page.goto(`${server.url}${query}`);
  await page.waitForSelector('html[data-labdeck-terminals="ready"]');
  return page;
}

/**
 * What the terminal shows, row by row (xterm's DOM renderer). Not innerText: a layout forced at every poll would slow
 * the page under test.
 */
const rowsText = () => Array.from(document.querySelector('.labdeck-terminal:not([hidden]) .xterm-rows')?.children ?? [], (row) => row.textContent).join('\n');
const screen = (page: Page): Promise<string> => page.evaluate(rowsText);
const status = (page: Page): Promise<string> => page.locator('.labdeck-terminals-status').innerText();

async function waitForScreen(page: Page, pattern: RegExp, timeout = 5000): Promise<void> {
  await page.waitForFunction(`${pattern}.test((${rowsText})())`, undefined, { timeout, polling: 20 }).catch(async (error: Error) => {
    throw new Error(`${error.message}\nwaiting for ${pattern}; screen:\n${await screen(page)}`);
  });
}

async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.locator('.labdeck-terminal:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type(text);
}

test('the pane is open by default; typed commands run; slide keys stay out of the shell', async () => {
  const page = await openPage();
  await page.waitForFunction(() => /owner/.test(document.querySelector('.labdeck-terminals-status')?.textContent ?? ''));
  assert.match(await status(page), /owner · \d+×\d+/);
  // This server records nothing: no "Replay my session" that would lead to a 404.
  assert.equal(await page.locator('.labdeck-terminals-replay').count(), 0);
  const slides = await page.locator('#labdeck-slides').boundingBox();
  const pane = await page.locator('.labdeck-terminals').boundingBox();
  assert.ok(slides && pane && slides.x + slides.width <= pane.x + 1, 'the slides leave the pane its room');
  const hash = await page.evaluate(() => location.hash);
  await typeInTerminal(page, 'echo typed-$((40+2))\n');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('PageDown');
  await waitForScreen(page, /typed-42/);
  assert.equal(await page.evaluate(() => location.hash), hash, 'keys typed in the shell did not move the slides');
  await page.close();
});

test('output is acked once xterm has parsed it, with no timer in the way of the flow control', async () => {
  const page = await attendee.newPage();
  // Counts the output bytes received and acked, and stops every delayed timer of the page (xterm parses in
  // zero-delay ones): an ack left for a timer would never come, and would count as parse time on the server.
  await page.addInitScript(`(() => {
    const counts = (window.ackCounts = { received: 0, acked: 0 });
    const setTimeoutNow = window.setTimeout;
    window.setTimeout = (handler, delay, ...rest) => (delay > 0 ? 0 : setTimeoutNow(handler, delay, ...rest));
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (data instanceof Uint8Array && data[0] === ${ClientFrameType.ack}) counts.acked += new DataView(data.buffer, data.byteOffset + 1, 4).getUint32(0);
      return send.call(this, data);
    };
    const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
    Object.defineProperty(WebSocket.prototype, 'onmessage', {
      get() { return onmessage.get.call(this); },
      set(listener) {
        onmessage.set.call(this, (event) => {
          const type = new Uint8Array(event.data)[0];
          if (type === ${ServerFrameType.output} || type === ${ServerFrameType.snapshot}) counts.received += event.data.byteLength - 1;
          listener(event);
        });
      },
    });
  })()`);
  await page.goto(server.url);
  await page.waitForSelector('html[data-labdeck-terminals="ready"]');
  await typeInTerminal(page, 'echo acked-$((6*7))\n');
  const deadline = Date.now() + 5000;
  let counts = { received: 0, acked: 0 };
  for (;;) {
    counts = await page.evaluate(() => (window as unknown as { ackCounts: { received: number; acked: number } }).ackCounts);
    if ((/acked-42\s/.test(await screen(page)) && counts.acked === counts.received) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.match(await screen(page), /acked-42\s/);
  assert.ok(counts.received > 0);
  assert.equal(counts.acked, counts.received, 'every output byte on screen was acked');
  await page.close();
});

test('vi, then a reload: the same screen comes back from the mirror', async () => {
  const page = await openPage();
  await typeInTerminal(page, 'vi -n\n');
  await waitForScreen(page, /^~/m);
  await page.keyboard.type('ihello-from-vi');
  await page.keyboard.press('Escape');
  // Back in normal mode: the ruler shows the cursor on the last character.
  await waitForScreen(page, /hello-from-vi[\s\S]*1,13 /);
  const before = await screen(page);
  await page.reload();
  await page.waitForSelector('html[data-labdeck-terminals="ready"]');
  await waitForScreen(page, /hello-from-vi[\s\S]*\n~/);
  assert.equal((await screen(page)).trim(), before.trim(), 'the whole screen is repainted the same');
  await typeInTerminal(page, ':q!\n');
  await waitForScreen(page, /[$#]\s*$/);
  await page.close();
});

test('yes, then Ctrl-C: the prompt is back within 1 s and the page stays responsive', async (t) => {
  const page = await openPage();
  await typeInTerminal(page, 'yes\n');
  // The worst moment for Ctrl-C: output has filled every window and the PTY is held back.
  const shell = terminals.manager.list().find((session) => session.name === 'shell')!;
  await waitUntil(
    () => shell.stats().paused,
    5000,
    () => 'the PTY paused by flow control',
  );
  await waitForScreen(page, /^(y\n){20}/m);
  const started = Date.now();
  await page.keyboard.press('Control+C');
  await waitForScreen(page, /\^C\s*\n.*[$#]\s*$/, 3000);
  const promptMs = Date.now() - started;
  const yes = commands.find((record) => record.command === 'yes');
  assert.equal(yes?.exitCode, 130, 'yes was interrupted');
  const shellSawEndMs = yes!.endedAt! - started;
  t.diagnostic(`prompt back after ${promptMs} ms; the shell saw yes end after ${shellSawEndMs} ms`);
  assert.ok(promptMs < 1000, `prompt back after ${promptMs} ms (the shell saw yes end after ${shellSawEndMs} ms)`);
  const evaluated = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - evaluated < 500, 'the page answers at once');
  await typeInTerminal(page, 'echo still-$((2+3))\n');
  await waitForScreen(page, /still-5/);
  await page.close();
});

test('Run types a multi-line command of a hands-on block; two pages see the same output', async () => {
  const [first, second] = await Promise.all([openPage('#1'), openPage('#1')]);
  await first.locator('.exercise pre button[data-action="run"]').click();
  await waitForScreen(first, /^multi line-42$/m);
  await waitForScreen(second, /^multi line-42$/m);
  assert.equal(await first.locator('.exercise pre button[data-action="copy"]').count(), 1);
  await first.close();
  await second.close();
});

test('a watcher sees the output but cannot type; a wrong token is refused', async () => {
  const [owner, projector, intruder] = await Promise.all([openPage(), openPage('?token=watch'), openPage('?token=not-a-token')]);
  await projector.waitForFunction(() => /read-only/.test(document.querySelector('.labdeck-terminals-status')?.textContent ?? ''));
  await typeInTerminal(projector, 'echo from-projector\n');
  await typeInTerminal(owner, 'echo owner-$((5+5))\n');
  await waitForScreen(projector, /owner-10/);
  assert.doesNotMatch(await screen(owner), /from-projector/);
  await intruder.waitForFunction(() => /refused: not authorized/.test(document.querySelector('.labdeck-terminals-status')?.textContent ?? ''));
  await Promise.all([owner.close(), projector.close(), intruder.close()]);
});

test('a WebSocket from another origin is refused at the upgrade', async () => {
  const url = `${server.url.replace('http', 'ws')}_labdeck/terminal`;
  const status = (origin: string) =>
    new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(url, TERMINAL_SUBPROTOCOL, { origin });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
      socket.on('error', reject);
    });
  assert.equal(await status('http://evil.example'), 403);
  assert.equal(await status(server.url.replace(/\/$/, '')), 101);
});

test('shell integration records `false` with exit 1 and `true` with 0', async () => {
  const page = await openPage();
  commands.length = 0;
  await typeInTerminal(page, 'false\ntrue\n');
  await waitUntil(
    () => commands.length >= 2,
    5000,
    () => `two records, got ${JSON.stringify(commands)}`,
  );
  assert.deepEqual(
    commands.map((record) => [record.command, record.exitCode, record.terminal]),
    [
      ['false', 1, 'local/shell'],
      ['true', 0, 'local/shell'],
    ],
  );
  await page.close();
});
