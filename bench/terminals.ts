// Embedded terminals benchmark (issue 4), against WeTTY as the peer, same run, same machine, loopback only:
// - throughput: `cat` of a generated 16 MiB file into the browser terminal of each (real Chromium), xterm.js's own
//   parse limit: the same bytes written straight into an xterm of the same options and size in a page, and the
//   ceiling of any WebSocket transport: the same bytes sent to that page by a plain `ws` server;
// - keystroke echo latency (one key in, its echo out, protocol clients) with 1 and with 50 busy terminals;
// - server memory per idle terminal (RSS delta / N);
// - reconnect and repaint: a closed viewer reconnects and gets the screen back.
// Every phase has a time budget: one that runs out is reported as "not measured" and its terminals, pages and
// sockets are closed, so the whole run ends within about 6 minutes, and no shell outlives it.
// WeTTY is installed at bench time into .cache/wetty (its own package.json), never into the project.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebSocket, WebSocketServer } from 'ws';
import { launchChromium } from '../test/support/browser.ts';
import { testEnvironment } from '../test/terminal/terminal-client.ts';
import { loadDeck } from '../src/workshop/load-deck.ts';
import { LiveDeck } from '../src/workshop/live-deck.ts';
import { startServer, type RunningServer } from '../src/http/server.ts';
import { createAccess } from '../src/classroom/access.ts';
import { serveTerminals } from '../src/commands/serve-terminals.ts';
import { DEFAULT_TERMINAL_LIMITS } from '../src/terminal/limits.ts';
import { decodeServerMessage, encodeClientMessage, TERMINAL_PROTOCOL_VERSION, TERMINAL_SUBPROTOCOL, type ClientMessage } from '../src/protocol.ts';
import { mebibyteOfLines } from './text-block.ts';

const repoRoot = new URL('..', import.meta.url).pathname;
const wettyDir = join(repoRoot, '.cache/wetty');
/** Large enough for a steady rate (seconds at 20 MB/s), small enough to finish at 1 MB/s within its budget. */
const FILE_MIB = 16;
const ECHO_SAMPLES = 100;
const BUSY = 50;
const IDLE = 20;
/** Busy, not a fork bomb: a line about every 30 ms from bash builtins only (`read -t` times out on the idle tty). */
const BUSY_LOOP = 'while :; do printf "%s busy line\\n" $SECONDS; read -t 0.03; done\r';
/** Time budgets per phase; a phase that runs out is reported as not measured (or with the samples it got). */
const BUDGET_MS = {
  install: 180_000,
  parseLimit: 30_000,
  throughput: 45_000,
  wettyStart: 20_000,
  /** Half for the keys, half for opening the busy terminals and their keys. */
  echo: 60_000,
  idle: 30_000,
  reconnect: 20_000,
  reload: 20_000,
};
/** All the phases together (the WeTTY install aside): the last ones get what is left. */
const TOTAL_MS = 330_000;
/** Terminals are opened this many at a time (bash starts in parallel, on a loaded machine too). */
const OPEN_AT_ONCE = 10;
/** One key's echo, one prompt: waiting longer means something is stuck. */
const WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const message = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0]! : String(error));

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** `promise`, or a rejection naming `what` after `timeoutMs`. */
function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What a phase opened (clients, pages): closed when it ends, whether it finished, failed or ran out of time. */
interface Phase {
  defer(cleanup: () => unknown): void;
}

type Measured<T> = { readonly value: T } | { readonly problem: string };

let runDeadline = Infinity;

/**
 * Runs `body` within `budgetMs` (and the run's deadline); a failure or timeout becomes a "not measured" reason, and
 * its resources are closed.
 */
async function bounded<T>(what: string, budgetMs: number, body: (phase: Phase) => Promise<T>): Promise<Measured<T>> {
  const started = Date.now();
  const timeoutMs = Math.min(budgetMs, runDeadline - started);
  if (timeoutMs < 1_000) return { problem: 'not measured: the run was out of time' };
  const cleanups: (() => unknown)[] = [];
  const work = body({ defer: (cleanup) => cleanups.push(cleanup) });
  // The abandoned body may still fail later, once its resources are closed under it: that is expected.
  work.catch(() => {});
  try {
    return { value: await within(work, timeoutMs, `end of the ${what} phase`) };
  } catch (error) {
    const problem = `not measured: ${message(error)}`;
    process.stderr.write(`bench terminals: ${what}: ${problem}\n`);
    return { problem };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await within(Promise.resolve(cleanup()), 5_000, 'cleanup');
      } catch (error) {
        process.stderr.write(`bench terminals: ${what}: cleanup: ${message(error)}\n`);
      }
    }
    process.stderr.write(`bench terminals: ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

// ---- protocol clients (echo, memory, reconnect) ----

interface EchoClient {
  /** When the first output arrived. */
  readonly first: Promise<number>;
  send(text: string): void;
  /** Resolves with the time the next output containing `text` arrived; rejects after WAIT_MS. */
  next(text: string): Promise<number>;
  close(): void;
}

interface LabdeckClient extends EchoClient {
  /** When the snapshot after the hello arrived (recorded from the start: it may come in the same read as the state). */
  snapshotAt(): Promise<number>;
}

/** Output received after the waiters' text was last seen: a bounded tail, so a long output cannot grow it. */
function echoWaiters(): { received(text: string, at: number): void; next(text: string): Promise<number>; first: Promise<number> } {
  let waiters: { text: string; resolve: (at: number) => void }[] = [];
  let buffer = '';
  let firstOutput: (at: number) => void;
  const first = new Promise<number>((resolve) => (firstOutput = resolve));
  return {
    first,
    received: (text, at) => {
      firstOutput(at);
      buffer = (buffer + text).slice(-4096);
      waiters = waiters.filter((waiter) => {
        if (!buffer.includes(waiter.text)) return true;
        waiter.resolve(at);
        buffer = '';
        return false;
      });
    },
    next: (text) => within(new Promise<number>((resolve) => waiters.push({ text, resolve })), WAIT_MS, JSON.stringify(text)),
  };
}

/** `within`, for a promise that may never be awaited: its timeout must not be an unhandled rejection. */
function observedWithin<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const bounded = within(promise, timeoutMs, what);
  bounded.catch(() => {});
  return bounded;
}

async function labdeckClient(server: RunningServer, attendee: string): Promise<LabdeckClient> {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}_labdeck/terminal`, TERMINAL_SUBPROTOCOL, { origin: server.url.replace(/\/$/, '') });
  socket.binaryType = 'arraybuffer';
  const send = (message: ClientMessage) => socket.readyState === WebSocket.OPEN && socket.send(encodeClientMessage(message));
  const output = echoWaiters();
  let ready: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  let snapshot: (at: number) => void;
  const snapshotAt = new Promise<number>((resolve) => (snapshot = resolve));
  const decoder = new TextDecoder();
  socket.on('message', (data: ArrayBuffer) => {
    const at = performance.now();
    const message = decodeServerMessage(new Uint8Array(data));
    if (message.type === 'state') ready();
    if (message.type === 'snapshot') snapshot(at);
    if (message.type !== 'output' && message.type !== 'snapshot') return;
    send({ type: 'ack', bytes: message.data.byteLength });
    output.received(decoder.decode(message.data, { stream: true }), at);
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`the server closed ${attendee}'s socket`)));
    socket.once('open', () => resolve());
  });
  try {
    await within(opened, WAIT_MS, `${attendee}'s socket`);
    send({ type: 'hello', hello: { version: TERMINAL_PROTOCOL_VERSION, token: 'teach', attendee, terminal: 'shell', cols: 80, rows: 24 } });
    await within(readyPromise, WAIT_MS, `${attendee}'s terminal`);
  } catch (error) {
    socket.terminate();
    throw error;
  }
  return {
    first: observedWithin(output.first, WAIT_MS, `${attendee}'s first output`),
    send: (text) => send({ type: 'input', data: new TextEncoder().encode(text) }),
    next: output.next,
    close: () => socket.close(),
    snapshotAt: () => within(snapshotAt, WAIT_MS, 'snapshot'),
  };
}

/** The part of socket.io-client's Socket used here (its types live in .cache/wetty, outside the project). */
interface SocketIoClient {
  readonly connected: boolean;
  on(event: string, listener: (data: string) => void): void;
  emit(event: string, data: unknown): void;
  close(): void;
}

async function wettyClient(url: string): Promise<EchoClient> {
  const require = createRequire(join(wettyDir, 'package.json'));
  const { io } = require('socket.io-client') as { io: (url: string, options: object) => SocketIoClient };
  const socket = io(url, { path: '/wetty/socket.io', transports: ['websocket'], forceNew: true, extraHeaders: { referer: `${url}/wetty` } });
  const output = echoWaiters();
  socket.on('data', (data: string) => {
    const at = performance.now();
    socket.emit('commit', data.length);
    output.received(data, at);
  });
  try {
    await until(() => socket.connected, WAIT_MS, 'WeTTY socket');
  } catch (error) {
    socket.close();
    throw error;
  }
  socket.emit('resize', { cols: 80, rows: 24 });
  return {
    first: observedWithin(output.first, WAIT_MS, 'WeTTY first output'),
    send: (text) => socket.emit('input', text),
    next: output.next,
    close: () => socket.close(),
  };
}

/** Types a key and waits for its echo; then erases it. The prompt must be ready (a marker command ran). */
async function echoLatency(client: EchoClient, deadline: number, count = ECHO_SAMPLES): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const echoed = client.next('x');
    const sent = performance.now();
    client.send('x');
    samples.push((await echoed) - sent);
    const erased = client.next('\b');
    client.send('\x7f');
    await erased;
    await sleep(5);
  }
  return samples;
}

/** Waits for the shell's first output (WeTTY drops input sent before its shell is up), then for a marker command. */
async function readyShell(client: EchoClient, firstOutput: Promise<number>): Promise<void> {
  await firstOutput;
  const ready = client.next('ready-42');
  client.send('stty -echoctl; echo ready-$((6*7))\r');
  await ready;
}

/** Opens `count` terminals, OPEN_AT_ONCE at a time, each with a ready prompt, handing them to `opened` as they come. */
async function openReady(phase: Phase, count: number, open: (i: number) => Promise<EchoClient>, opened: (client: EchoClient) => void): Promise<void> {
  for (let first = 0; first < count; first += OPEN_AT_ONCE) {
    await Promise.all(
      Array.from({ length: Math.min(OPEN_AT_ONCE, count - first) }, async (_, k) => {
        const client = await open(first + k);
        phase.defer(() => client.close());
        await readyShell(client, client.first);
        opened(client);
      }),
    );
  }
}

interface EchoFigures {
  readonly one: number[];
  readonly busy: number[];
  /** Why the phase ended early, when it kept only part of its samples. */
  cutShort?: string;
}

/**
 * Echo of one terminal alone, then with BUSY others printing, into `figures` as the samples come (a phase that runs
 * out of time still reports them). Each half gets a part of the budget for its keys: fewer keys on a slow machine.
 */
async function echoWithBusy(phase: Phase, open: (i: number) => Promise<EchoClient>, figures: EchoFigures): Promise<EchoFigures> {
  const started = Date.now();
  const probe = await open(0);
  phase.defer(() => probe.close());
  await readyShell(probe, probe.first);
  figures.one.push(...(await echoLatency(probe, started + BUDGET_MS.echo / 4)));
  await openReady(
    phase,
    BUSY,
    (i) => open(i + 1),
    (client) => {
      phase.defer(() => client.send('\x03'));
      client.send(BUSY_LOOP);
    },
  );
  await sleep(1000);
  const deadline = Date.now() + BUDGET_MS.echo / 4;
  for (let i = 0; i < ECHO_SAMPLES && Date.now() < deadline; i += 10) figures.busy.push(...(await echoLatency(probe, deadline, 10)));
  return figures;
}

// ---- browsers ----

/** MB/s of `cat`ting the file, timed from Enter to the marker echoed after it. A timeout interrupts the `cat`. */
async function throughputInPage(phase: Phase, page: Page, file: string, seen: string): Promise<number> {
  phase.defer(() => page.keyboard.press('Control+C').catch(() => {}));
  await page.keyboard.type(`cat ${file}; echo END-$((40+2))`);
  const started = performance.now();
  await page.keyboard.press('Enter');
  await page.waitForFunction(seen, undefined, { timeout: BUDGET_MS.throughput, polling: 10 });
  return (FILE_MIB * 1024 * 1024) / 1e6 / ((performance.now() - started) / 1000);
}

/** The box of labdeck's terminal in its page: the parse-limit terminal gets the same one. */
interface TerminalBox {
  readonly width: number;
  readonly height: number;
}

/**
 * A page with one xterm under the conditions of labdeck's page: the same Chromium, the same default (DOM) renderer,
 * the same terminal options (src/client/terminal-pane.ts) and box (an 80×24 terminal renders fewer rows per frame).
 * The terminal is `window.term`.
 */
async function xtermPage(phase: Phase, browser: Browser, box: TerminalBox): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  phase.defer(() => page.close());
  await page.setContent(`<div id="t" style="position:absolute;top:0;right:0;width:${box.width}px;height:${box.height}px"></div>`);
  await page.addStyleTag({ path: join(repoRoot, 'node_modules/@xterm/xterm/css/xterm.css') });
  await page.addScriptTag({ path: join(repoRoot, 'node_modules/@xterm/xterm/lib/xterm.js') });
  await page.addScriptTag({ path: join(repoRoot, 'node_modules/@xterm/addon-fit/lib/addon-fit.js') });
  // A string, not a function: tsx's transform would add helpers the page does not have.
  await page.evaluate(`(() => {
    const term = new Terminal({ cursorBlink: true, fontFamily: "'DejaVu Sans Mono', 'Droid Sans Mono', monospace", fontSize: 14, scrollback: 1000, theme: { background: '#1e1e1e' } });
    const fit = new FitAddon.FitAddon();
    term.loadAddon(fit);
    term.open(document.getElementById('t'));
    fit.fit();
    window.term = term;
  })()`);
  return page;
}

/** Frames of the parse-limit and plain-WebSocket pages: the largest labdeck's server sends. */
const FRAME_BYTES = 256 * 1024;

/**
 * xterm.js's own limit in that page, the bytes written the way labdeck writes them (Uint8Array frames; a string is
 * decoded by a slower path), all of them queued from the start. Done is xterm's write callback, so this is the best a
 * page could do with no transport at all: nothing else competes for the machine's cores.
 */
async function xtermParseLimit(phase: Phase, browser: Browser, data: string, box: TerminalBox): Promise<number> {
  const page = await xtermPage(phase, browser, box);
  await page.evaluate((text) => ((window as unknown as { benchData: string }).benchData = text), data);
  // Two MiB in flight at most: xterm.js discards writes beyond 50 MB pending.
  return await page.evaluate(`new Promise((resolve) => {
    const term = window.term;
    const bytes = new TextEncoder().encode(window.benchData), frame = ${FRAME_BYTES}, frames = [];
    for (let i = 0; i < ${FILE_MIB}; i++) for (let offset = 0; offset < bytes.length; offset += frame) frames.push(bytes.subarray(offset, offset + frame));
    const started = performance.now();
    let written = 0, parsed = 0, inFlight = 0;
    const next = () => {
      while (written < frames.length && inFlight < 2 * 1024 * 1024) {
        const chunk = frames[written++];
        inFlight += chunk.length;
        term.write(chunk, () => {
          inFlight -= chunk.length;
          if (++parsed === frames.length) resolve((${FILE_MIB} * bytes.length) / 1e6 / ((performance.now() - started) / 1000));
          else next();
        });
      }
    };
    next();
  })`);
}

/**
 * The ceiling of any WebSocket transport on this machine: the same bytes sent to the same page by a plain `ws` server
 * (no PTY, no protocol) in full frames, at most labdeck's largest window unacknowledged, acked from xterm's write
 * callbacks as labdeck's client does. Its gap to the parse limit is the cost of the transport itself (the server, the
 * browser's network process, the page receiving), which on a machine of few cores is taken from the page's.
 */
async function plainWebSocketLimit(phase: Phase, browser: Browser, data: string, box: TerminalBox): Promise<number> {
  const bytes = Buffer.from(data);
  const total = FILE_MIB * bytes.length;
  const http = createServer();
  const server = new WebSocketServer({ server: http });
  phase.defer(
    () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close();
        http.close(resolve);
      }),
  );
  server.on('connection', (socket) => {
    let sent = 0;
    let unacked = 0;
    const send = () => {
      for (; sent < total && unacked < DEFAULT_TERMINAL_LIMITS.highWatermark; sent += FRAME_BYTES, unacked += FRAME_BYTES) {
        const offset = sent % bytes.length;
        socket.send(bytes.subarray(offset, offset + FRAME_BYTES));
      }
    };
    socket.on('message', (message: Buffer) => {
      unacked -= Number(message.toString());
      send();
    });
    send();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  const page = await xtermPage(phase, browser, box);
  return await page.evaluate(`new Promise((resolve) => {
    const term = window.term;
    const socket = new WebSocket('ws://127.0.0.1:${port}');
    socket.binaryType = 'arraybuffer';
    let started, parsed = 0, unparsed = 0, unacked = 0;
    socket.onopen = () => (started = performance.now());
    socket.onmessage = (event) => {
      const frame = new Uint8Array(event.data);
      unparsed += frame.length;
      term.write(frame, () => {
        unparsed -= frame.length;
        unacked += frame.length;
        parsed += frame.length;
        if (unparsed === 0 || unacked >= 64 * 1024) {
          socket.send(String(unacked));
          unacked = 0;
        }
        if (parsed === ${total}) resolve(${total} / 1e6 / ((performance.now() - started) / 1000));
      });
    };
  })`);
}

/** Opens labdeck's page and gives its terminal the keyboard. */
async function labdeckPage(phase: Phase, browser: Browser, server: RunningServer): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  phase.defer(() => page.close());
  await page.goto(server.url);
  await page.waitForSelector('html[data-labdeck-terminals="ready"]', { timeout: WAIT_MS });
  await page.locator('.labdeck-terminal:not([hidden]) .xterm-helper-textarea').focus();
  return page;
}

/** textContent, not innerText: polling must not force a layout of the page it measures. */
const labdeckScreenMatches = (pattern: string) => `/${pattern}/.test(document.querySelector('.labdeck-terminal:not([hidden]) .xterm-rows')?.textContent ?? '')`;

// ---- the two servers ----

interface Labdeck {
  readonly server: RunningServer;
  stop(): Promise<void>;
}

async function startLabdeck(scratch: string): Promise<Labdeck> {
  const manifest = join(scratch, 'workshop.yml');
  writeFileSync(manifest, 'title: Bench\ngenerated: false\ncontent: [a.md]\nterminals:\n  shell: local\n');
  writeFileSync(join(scratch, 'a.md'), '# Bench\n');
  const log = () => {};
  const liveDeck = await LiveDeck.start({ load: async () => ({ deck: (await loadDeck(manifest)).deck, title: 'Bench', ratio: '16:9', files: [manifest] }), log });
  const access = createAccess({ openToLocalAttendee: true, instructorToken: 'teach', watcherToken: 'watch' });
  const terminals = serveTerminals((await loadDeck(manifest)).workshop, { host: '127.0.0.1', access, log, env: testEnvironment() })!;
  const server = await startServer({ deck: liveDeck, workshopDir: scratch, assetsDir: join(repoRoot, 'public'), log, access, terminals }, { port: 0, host: '127.0.0.1' });
  return {
    server,
    stop: async () => {
      const pids = terminals.manager.list().map((session) => session.pid);
      terminals.manager.dispose();
      await server.close();
      liveDeck.dispose();
      await reap(pids);
    },
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits for the terminals' shells to end after their PTYs closed (SIGHUP); kills the process groups of any left. */
async function reap(pids: readonly number[]): Promise<void> {
  await until(() => pids.every((pid) => !alive(pid)), 3_000, 'the shells to exit').catch(() => {});
  for (const pid of pids.filter(alive)) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

function installWetty(): string | undefined {
  const main = join(wettyDir, 'node_modules/wetty/build/main.js');
  if (existsSync(main)) return undefined;
  try {
    execFileSync('mkdir', ['-p', wettyDir]);
    if (!existsSync(join(wettyDir, 'package.json'))) {
      writeFileSync(
        join(wettyDir, 'package.json'),
        `${JSON.stringify({ name: 'labdeck-bench-wetty', private: true, allowScripts: { 'node-pty': true, '@parcel/watcher': false } }, null, 2)}\n`,
      );
    }
    execFileSync('npm', ['install', 'wetty', '--prefix', wettyDir, '--no-audit', '--no-fund'], { stdio: 'ignore', timeout: BUDGET_MS.install });
    return existsSync(main) ? undefined : 'npm install wetty finished without build/main.js';
  } catch (error) {
    return `npm install wetty failed: ${message(error)}`;
  }
}

/** Starts WeTTY; `stopAtEnd` stops it after its last phase (or when the run is interrupted). */
async function startWetty(port: number, stopAtEnd: (() => Promise<void>)[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(wettyDir, 'node_modules/wetty/build/main.js'), '--host', '127.0.0.1', '--port', String(port), '--command', 'bash', '--base', '/wetty/'],
    {
      env: { ...testEnvironment(), HOME: tmpdir() },
      stdio: 'ignore',
    },
  );
  stopAtEnd.push(() => stopChild(child));
  await until(
    async () =>
      fetch(`http://127.0.0.1:${port}/wetty/`).then(
        (r) => r.ok,
        () => undefined,
      ),
    BUDGET_MS.wettyStart,
    'WeTTY listening',
  );
  return child;
}

/** SIGTERM (its PTYs close and their shells get SIGHUP), SIGKILL if it is still there after 3 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await within(exited, 3_000, 'exit').catch(() => child.kill('SIGKILL'));
}

// ---- the run ----

interface Figures {
  xtermLimit: Measured<number>;
  webSocketLimit: Measured<number>;
  labdeckMBs: Measured<number>;
  wettyMBs: Measured<number>;
  labdeckEcho: Measured<EchoFigures>;
  wettyEcho: Measured<EchoFigures>;
  labdeckIdle: Measured<number>;
  wettyIdle: Measured<number>;
  reconnect: Measured<number[]>;
  reload: Measured<number>;
}

/** RSS delta per terminal of `pid` after opening IDLE terminals with a ready prompt. */
async function idleRss(phase: Phase, open: (i: number) => Promise<EchoClient>, pid: number): Promise<number> {
  const before = rssOf(pid);
  await openReady(phase, IDLE, open, () => {});
  await sleep(500);
  return (rssOf(pid) - before) / IDLE;
}

/** An echo phase keeps the keys it timed when it runs out of time (the busy half is often the one that does). */
async function echoPhase(what: string, body: (phase: Phase, figures: EchoFigures) => Promise<EchoFigures>): Promise<Measured<EchoFigures>> {
  const figures: EchoFigures = { one: [], busy: [] };
  const measured = await bounded(what, BUDGET_MS.echo, (phase) => body(phase, figures));
  if ('value' in measured || figures.one.length === 0) return measured;
  figures.cutShort = measured.problem;
  return { value: figures };
}

/**
 * Every figure, phase by phase. labdeck's phases come first, WeTTY's (one WeTTY process for all of them) after, so
 * each server's terminals are idle while the other is measured, and labdeck's figures come first when time is short.
 * `stopAtEnd` collects what outlives a phase (WeTTY).
 */
async function measure(
  browser: Browser,
  labdeck: Labdeck,
  file: string,
  data: string,
  wettyProblem: string | undefined,
  wettyPort: number,
  stopAtEnd: (() => Promise<void>)[],
): Promise<Figures> {
  const server = labdeck.server;
  // Memory per idle terminal first, while the heap has not been grown (and left grown) by the busy phases.
  const labdeckIdle = await bounded('labdeck idle memory', BUDGET_MS.idle, (phase) => idleRss(phase, (i) => labdeckClient(server, `idle${i}`), process.pid));
  // labdeck's page first: the parse limit is measured in a terminal of the same box.
  let box: TerminalBox = { width: 532, height: 686 };
  const labdeckMBs = await bounded('labdeck throughput', BUDGET_MS.throughput + WAIT_MS, async (phase) => {
    const page = await labdeckPage(phase, browser, server);
    box = await page.locator('.labdeck-terminal:not([hidden])').evaluate((element) => ({ width: element.clientWidth, height: element.clientHeight }));
    return throughputInPage(phase, page, file, labdeckScreenMatches('END-42'));
  });
  const xtermLimit = await bounded('xterm.js parse limit', BUDGET_MS.parseLimit, (phase) => xtermParseLimit(phase, browser, data, box));
  const webSocketLimit = await bounded('plain WebSocket limit', BUDGET_MS.parseLimit, (phase) => plainWebSocketLimit(phase, browser, data, box));

  // Echo latency: labdeck's probe is one attendee's terminal, the busy ones are others'.
  const labdeckEcho = await echoPhase('labdeck echo', (phase, figures) => echoWithBusy(phase, (i) => labdeckClient(server, `bench${i}`), figures));

  // Reconnect and repaint: a full screen, the viewer leaves, comes back and gets the screen as a snapshot.
  const reconnect = await bounded('reconnect', BUDGET_MS.reconnect, async (phase) => {
    const first = await labdeckClient(server, 'repaint');
    phase.defer(() => first.close());
    await readyShell(first, first.first);
    const filled = first.next('seq-0-done');
    first.send('seq 1 5000; echo seq-$((0))-done\r');
    await filled;
    first.close();
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const viewer = await labdeckClient(server, 'repaint');
      phase.defer(() => viewer.close());
      times.push((await viewer.snapshotAt()) - started);
      viewer.close();
      await sleep(20);
    }
    return times;
  });
  // The page: a reload repaints the same screen.
  const reload = await bounded('page reload', BUDGET_MS.reload, async (phase) => {
    const page = await labdeckPage(phase, browser, server);
    await page.keyboard.type('echo repaint-$((3*3))\n');
    await page.waitForFunction(labdeckScreenMatches('repaint-9'), undefined, { timeout: WAIT_MS });
    const started = performance.now();
    await page.reload();
    await page.waitForFunction(labdeckScreenMatches('repaint-9'), undefined, { timeout: WAIT_MS, polling: 10 });
    return performance.now() - started;
  });

  // WeTTY runs for its own phases only: its shells must not load labdeck's.
  const wettyUrl = `http://127.0.0.1:${wettyPort}`;
  const wetty: Measured<ChildProcess> = wettyProblem
    ? { problem: `not measured: ${wettyProblem}` }
    : await bounded('WeTTY start', BUDGET_MS.wettyStart, () => startWetty(wettyPort, stopAtEnd));
  const withWetty = async <T>(what: string, budgetMs: number, body: (phase: Phase, child: ChildProcess) => Promise<T>): Promise<Measured<T>> =>
    'value' in wetty ? bounded(what, budgetMs, (phase) => body(phase, wetty.value)) : wetty;
  const wettyIdle = await withWetty('WeTTY idle memory', BUDGET_MS.idle, (phase, child) => idleRss(phase, () => wettyClient(wettyUrl), child.pid!));
  const wettyMBs = await withWetty('WeTTY throughput', BUDGET_MS.throughput + WAIT_MS, async (phase) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    phase.defer(() => page.close());
    await page.goto(`${wettyUrl}/wetty/`);
    await page.waitForFunction('window.wetty_term !== undefined', undefined, { timeout: WAIT_MS });
    await page.locator('.xterm-helper-textarea').focus();
    // The visible rows only, like labdeck's probe (a scan of the whole scrollback would slow the page it measures).
    const seen = `(() => { const b = window.wetty_term.buffer.active; for (let y = b.viewportY; y < b.viewportY + window.wetty_term.rows; y++) if (b.getLine(y)?.translateToString().includes('END-42')) return true; return false; })()`;
    return throughputInPage(phase, page, file, seen);
  });
  const wettyEcho: Measured<EchoFigures> =
    'value' in wetty ? await echoPhase('WeTTY echo', (phase, figures) => echoWithBusy(phase, () => wettyClient(wettyUrl), figures)) : wetty;
  await stopAtEnd.splice(0).reduce((previous, stop) => previous.then(stop), Promise.resolve());
  return { xtermLimit, webSocketLimit, labdeckMBs, wettyMBs, labdeckEcho, wettyEcho, labdeckIdle, wettyIdle, reconnect, reload };
}

function table(figures: Figures): string[] {
  const { xtermLimit, webSocketLimit, labdeckMBs, wettyMBs, labdeckEcho, wettyEcho, labdeckIdle, wettyIdle, reconnect, reload } = figures;
  const show = <T>(measured: Measured<T>, format: (value: T) => string) => ('value' in measured ? format(measured.value) : measured.problem.replace(/\|/g, '\\|'));
  const rate = (value: number) => `${value.toFixed(1)} MB/s`;
  const mib = (value: number) => `${(value / 2 ** 20).toFixed(2)} MiB`;
  const latency = (key: 'one' | 'busy') => (echo: EchoFigures) =>
    echo[key].length === 0
      ? (echo.cutShort ?? 'not measured').replace(/\|/g, '\\|')
      : `${ms(percentile(echo[key], 50))} / ${ms(percentile(echo[key], 99))} (${echo[key].length} keys)`;
  const goal = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : 'not met');
  const value = <T>(measured: Measured<T>) => ('value' in measured ? measured.value : undefined);
  const labdeckRate = value(labdeckMBs);
  const limit = value(xtermLimit);
  const webSocket = value(webSocketLimit);
  const busy = value(labdeckEcho)?.busy;
  const idle = value(labdeckIdle);
  return [
    `| output throughput, ${FILE_MIB} MiB \`cat\` to a browser terminal | ${show(labdeckMBs, rate)} | ${show(wettyMBs, rate)} | ≥ WeTTY, ≥ 80% of xterm.js${limit === undefined ? '' : ` (${(0.8 * limit).toFixed(1)} MB/s)`}: ${goal(labdeckRate === undefined || limit === undefined ? undefined : labdeckRate >= (value(wettyMBs) ?? 0) && labdeckRate >= 0.8 * limit)} |`,
    `| xterm.js parse limit (the same bytes, as 256 KiB Uint8Array writes, into an xterm with labdeck's options and box in the same Chromium) | ${show(xtermLimit, rate)} | | |`,
    `| plain WebSocket limit (the same bytes from a \`ws\` server in 256 KiB frames, acked from xterm's write callbacks, into the same page): what a bare WebSocket transport gets on this machine | ${show(webSocketLimit, rate)} | | ${labdeckRate === undefined || webSocket === undefined ? '' : `labdeck: ${((100 * labdeckRate) / webSocket).toFixed(0)}% of it`} |`,
    `| echo latency p50 / p99, 1 terminal | ${show(labdeckEcho, latency('one'))} | ${show(wettyEcho, latency('one'))} | |`,
    `| echo latency p50 / p99, with ${BUSY} busy terminals | ${show(labdeckEcho, latency('busy'))} | ${show(wettyEcho, latency('busy'))} | p99 < 10 ms: ${goal(busy && busy.length > 0 ? percentile(busy, 99) < 10 : undefined)} |`,
    `| server memory per idle terminal (RSS delta / ${IDLE}) | ${show(labdeckIdle, mib)} | ${show(wettyIdle, mib)} | < 10 MB: ${goal(idle === undefined ? undefined : idle < 10e6)} |`,
    `| reconnect + repaint (protocol: new socket to snapshot received, 5000 lines of history) p50 / max | ${show(reconnect, (times) => `${ms(percentile(times, 50))} / ${ms(percentile(times, 100))}`)} | n/a (WeTTY starts a new shell on reconnect) | |`,
    `| page reload until the same screen is shown (Chromium) | ${show(reload, ms)} | n/a | |`,
  ];
}

export async function benchTerminals(): Promise<string> {
  const benchStarted = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), 'labdeck-bench-terminals-'));
  const file = join(scratch, 'data.txt');
  const data = mebibyteOfLines();
  const fd = openSync(file, 'w');
  for (let i = 0; i < FILE_MIB; i++) writeSync(fd, data);
  closeSync(fd);
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build-client.mjs')]);
  const installProblem = installWetty();
  const browser = await launchChromium();
  let labdeck: Labdeck | undefined;
  const stopAtEnd: (() => Promise<void>)[] = [];
  // Killed from outside (Ctrl-C, a runner's timeout): still close every terminal before leaving.
  const interrupted = (signal: NodeJS.Signals) => {
    void Promise.allSettled([labdeck?.stop(), browser.close(), ...stopAtEnd.map((stop) => stop())]).then(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let figures: Figures;
  try {
    runDeadline = Date.now() + TOTAL_MS;
    labdeck = await startLabdeck(scratch);
    figures = await measure(browser, labdeck, file, data, installProblem, 20_000 + Math.floor(Math.random() * 20_000), stopAtEnd);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    for (const stop of stopAtEnd) await stop();
    await labdeck?.stop();
    await browser.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  return [
    `Loopback, real Chromium for throughput, protocol clients (labdeck WebSocket, WeTTY socket.io) for echo, memory and`,
    `reconnect. WeTTY ${wettyVersion()} from npm, installed into \`.cache/wetty\`, runs \`bash\` (as root it spawns the`,
    `command locally). Echo: up to ${ECHO_SAMPLES} keys, one at a time; busy terminals run \`${BUSY_LOOP.trim()}\`. labdeck's`,
    `server runs in the benchmark's process, so its RSS is measured there; WeTTY's is its own process. Each phase has a`,
    `time budget; one that ran out says "not measured". This run took ${((Date.now() - benchStarted) / 1000).toFixed(0)} s.`,
    '',
    '| measure | labdeck | WeTTY | goal |',
    '|---|---|---|---|',
    ...table(figures),
  ].join('\n');
}

function wettyVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(wettyDir, 'node_modules/wetty/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '(not installed)';
  }
}
