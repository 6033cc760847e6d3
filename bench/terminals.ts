// Embedded terminals benchmark (issue 4), against WeTTY as the peer, same run, same machine, loopback only:
// - throughput: `cat` of a generated 100 MiB file into the browser terminal of each (real Chromium), and xterm.js's own
//   parse limit: the same bytes written straight into an xterm in a page;
// - keystroke echo latency (one key in, its echo out, protocol clients) with 1 and with 50 busy terminals;
// - server memory per idle terminal (RSS delta / N);
// - reconnect and repaint: a closed viewer reconnects and gets the screen back.
// WeTTY is installed at bench time into .cache/wetty (its own package.json), never into the project.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { launchChromium } from '../test/support/browser.ts';
import { testEnvironment } from '../test/terminal/terminal-client.ts';
import { loadDeck } from '../src/load-deck.ts';
import { LiveDeck } from '../src/watch.ts';
import { startServer, type RunningServer } from '../src/http/server.ts';
import { createAccess } from '../src/http/access.ts';
import { serveTerminals } from '../src/commands/serve-terminals.ts';
import { decodeServerMessage, encodeClientMessage, TERMINAL_PROTOCOL_VERSION, TERMINAL_SUBPROTOCOL, type ClientMessage } from '../src/protocol.ts';

const repoRoot = new URL('..', import.meta.url).pathname;
const wettyDir = join(repoRoot, '.cache/wetty');
const FILE_MIB = 100;
const ECHO_SAMPLES = 100;
const BUSY = 50;
const IDLE = 20;
const STEP_TIMEOUT_MS = 120_000;
const BUSY_LOOP = 'while :; do date; sleep 0.05; done\r';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** One MiB of numbered text lines; the file and the in-page parse test use the same block. */
function block(): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 1024 * 1024; i++) {
    const line = `${String(i).padStart(6, '0')} the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ\n`;
    lines.push(line);
    size += line.length;
  }
  // Exactly 1 MiB, ending with a line feed so that what is printed after the `cat` starts a line.
  return `${lines.join('').slice(0, 1024 * 1024 - 1)}\n`;
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

// ---- protocol clients (echo, memory, reconnect) ----

interface EchoClient {
  send(text: string): void;
  /** Resolves with the time the next output containing `text` arrived. */
  next(text: string): Promise<number>;
  close(): void;
}

function labdeckClient(server: RunningServer, attendee: string): Promise<EchoClient & { snapshotAt(): Promise<number> }> {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}_labdeck/terminal`, TERMINAL_SUBPROTOCOL, { origin: server.url.replace(/\/$/, '') });
  socket.binaryType = 'arraybuffer';
  const send = (message: ClientMessage) => socket.send(encodeClientMessage(message));
  let waiters: { text: string; resolve: (at: number) => void }[] = [];
  let buffer = '';
  let snapshot: ((at: number) => void) | undefined;
  let ready: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  socket.on('message', (data: ArrayBuffer) => {
    const at = performance.now();
    const message = decodeServerMessage(new Uint8Array(data));
    if (message.type === 'state') ready();
    if (message.type === 'snapshot') snapshot?.(at);
    if (message.type !== 'output' && message.type !== 'snapshot') return;
    send({ type: 'ack', bytes: message.data.byteLength });
    buffer = (buffer + new TextDecoder().decode(message.data)).slice(-4096);
    waiters = waiters.filter((waiter) => (buffer.includes(waiter.text) ? (waiter.resolve(at), (buffer = ''), false) : true));
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => {
      send({ type: 'hello', hello: { version: TERMINAL_PROTOCOL_VERSION, token: 'teach', attendee, terminal: 'shell', cols: 80, rows: 24 } });
      void readyPromise.then(() =>
        resolve({
          send: (text) => send({ type: 'input', data: new TextEncoder().encode(text) }),
          next: (text) => new Promise((done) => waiters.push({ text, resolve: done })),
          close: () => socket.close(),
          snapshotAt: () => new Promise((done) => (snapshot = done)),
        }),
      );
    });
  });
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
  let waiters: { text: string; resolve: (at: number) => void }[] = [];
  let buffer = '';
  socket.on('data', (data: string) => {
    const at = performance.now();
    socket.emit('commit', data.length);
    buffer = (buffer + data).slice(-4096);
    waiters = waiters.filter((waiter) => (buffer.includes(waiter.text) ? (waiter.resolve(at), (buffer = ''), false) : true));
  });
  await until(() => socket.connected, 20_000, 'WeTTY socket');
  socket.emit('resize', { cols: 80, rows: 24 });
  return {
    send: (text) => socket.emit('input', text),
    next: (text) => new Promise((done) => waiters.push({ text, resolve: done })),
    close: () => socket.close(),
  };
}

/** Types a key and waits for its echo; then erases it. The prompt must be ready (a marker command ran). */
async function echoLatency(client: EchoClient): Promise<number[]> {
  const samples: number[] = [];
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < ECHO_SAMPLES && Date.now() < deadline; i++) {
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

async function readyShell(client: EchoClient): Promise<void> {
  const ready = client.next('ready-42');
  client.send('stty -echoctl; echo ready-$((6*7))\r');
  await Promise.race([ready, sleep(20_000).then(() => Promise.reject(new Error('no prompt')))]);
}

async function echoWithBusy(open: (i: number) => Promise<EchoClient>): Promise<{ one: number[]; busy: number[] }> {
  const probe = await open(0);
  await readyShell(probe);
  const one = await echoLatency(probe);
  const busy: EchoClient[] = [];
  try {
    for (let i = 1; i <= BUSY; i++) {
      const client = await open(i);
      client.send(BUSY_LOOP);
      busy.push(client);
    }
    await sleep(1000);
    return { one, busy: await echoLatency(probe) };
  } finally {
    for (const client of busy) {
      client.send('\x03');
      client.close();
    }
    probe.close();
  }
}

// ---- browsers ----

async function throughputInPage(page: Page, file: string, seen: string): Promise<number> {
  await page.keyboard.type(`cat ${file}; echo END-$((40+2))`);
  const started = performance.now();
  await page.keyboard.press('Enter');
  await page.waitForFunction(seen, undefined, { timeout: STEP_TIMEOUT_MS, polling: 50 });
  return (FILE_MIB * 1024 * 1024) / 1e6 / ((performance.now() - started) / 1000);
}

async function xtermParseLimit(browser: Browser, data: string): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  try {
    await page.setContent('<div id="t" style="width:800px;height:600px"></div>');
    await page.addStyleTag({ path: join(repoRoot, 'node_modules/@xterm/xterm/css/xterm.css') });
    await page.addScriptTag({ path: join(repoRoot, 'node_modules/@xterm/xterm/lib/xterm.js') });
    await page.evaluate((text) => ((window as unknown as { benchData: string }).benchData = text), data);
    // A string, not a function: tsx's transform would add helpers the page does not have.
    // Two MiB in flight at most: xterm.js discards writes beyond 50 MB pending.
    return await page.evaluate(`new Promise((resolve) => {
      const term = new Terminal({ cols: 80, rows: 24 });
      term.open(document.getElementById('t'));
      const data = window.benchData, times = ${FILE_MIB};
      const started = performance.now();
      let written = 0, parsed = 0;
      const next = () => {
        if (written === times) return;
        written++;
        term.write(data, () => {
          if (++parsed === times) resolve((times * data.length) / 1e6 / ((performance.now() - started) / 1000));
          else next();
        });
      };
      next();
      next();
    })`);
  } finally {
    await page.close();
  }
}

// ---- the two servers ----

async function startLabdeck(scratch: string): Promise<{ server: RunningServer; stop(): Promise<void>; sessions(): number }> {
  const manifest = join(scratch, 'workshop.yml');
  writeFileSync(manifest, 'title: Bench\ngenerated: false\ncontent: [a.md]\nterminals:\n  shell: local\n');
  writeFileSync(join(scratch, 'a.md'), '# Bench\n');
  const log = () => {};
  const liveDeck = await LiveDeck.start({ load: async () => ({ deck: loadDeck(manifest).deck, title: 'Bench', ratio: '16:9', files: [manifest] }), log });
  const access = createAccess({ openToLocalAttendee: true, instructorToken: 'teach', watcherToken: 'watch' });
  const terminals = serveTerminals(loadDeck(manifest).workshop, { host: '127.0.0.1', access, log, env: testEnvironment() })!;
  const server = await startServer({ deck: liveDeck, workshopDir: scratch, assetsDir: join(repoRoot, 'public'), log, access, terminals }, { port: 0, host: '127.0.0.1' });
  return {
    server,
    sessions: () => terminals.manager.list().length,
    stop: async () => {
      terminals.manager.dispose();
      await server.close();
      liveDeck.dispose();
    },
  };
}

function installWetty(): string | undefined {
  const main = join(wettyDir, 'node_modules/wetty/build/main.js');
  if (existsSync(main)) return undefined;
  try {
    execFileSync('mkdir', ['-p', wettyDir]);
    if (!existsSync(join(wettyDir, 'package.json'))) {
      writeFileSync(join(wettyDir, 'package.json'), `${JSON.stringify({ name: 'labdeck-bench-wetty', private: true, allowScripts: { 'node-pty': true, '@parcel/watcher': false } }, null, 2)}\n`);
    }
    execFileSync('npm', ['install', 'wetty', '--prefix', wettyDir, '--no-audit', '--no-fund'], { stdio: 'ignore', timeout: 300_000 });
    return existsSync(main) ? undefined : 'npm install wetty finished without build/main.js';
  } catch (error) {
    return `npm install wetty failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

async function startWetty(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(wettyDir, 'node_modules/wetty/build/main.js'), '--host', '127.0.0.1', '--port', String(port), '--command', 'bash', '--base', '/wetty/'], {
    env: { ...testEnvironment(), HOME: tmpdir() },
    stdio: 'ignore',
  });
  await until(async () => fetch(`http://127.0.0.1:${port}/wetty/`).then((r) => r.ok, () => undefined), 30_000, 'WeTTY listening');
  return child;
}

export async function benchTerminals(): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'labdeck-bench-terminals-'));
  const file = join(scratch, 'data.txt');
  const data = block();
  const fd = openSync(file, 'w');
  for (let i = 0; i < FILE_MIB; i++) writeSync(fd, data);
  closeSync(fd);
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build-client.mjs')]);
  const installProblem = installWetty();
  const browser = await launchChromium();
  const labdeck = await startLabdeck(scratch);
  let wetty: ChildProcess | undefined;
  const rows: string[] = [];
  try {
    // Throughput to a browser terminal.
    const xtermLimit = await xtermParseLimit(browser, data);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(labdeck.server.url);
    await page.waitForSelector('html[data-labdeck-terminals="ready"]');
    await page.locator('.labdeck-terminal:not([hidden]) .xterm-helper-textarea').focus();
    const labdeckMBs = await throughputInPage(page, file, `/END-42/.test(document.querySelector('.labdeck-terminal:not([hidden]) .xterm-rows')?.innerText ?? '')`);
    await page.close();

    let wettyMBs: number | undefined;
    let wettyEcho: { one: number[]; busy: number[] } | undefined;
    let wettyIdle: number | undefined;
    const wettyPort = 20_000 + Math.floor(Math.random() * 20_000);
    let wettyProblem = installProblem;
    if (!wettyProblem) try {
      wetty = await startWetty(wettyPort);
      const wettyPage = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await wettyPage.goto(`http://127.0.0.1:${wettyPort}/wetty/`);
      await wettyPage.waitForFunction('window.wetty_term !== undefined', undefined, { timeout: 30_000 });
      await wettyPage.locator('.xterm-helper-textarea').focus();
      const seenInWetty = `(() => { const b = window.wetty_term.buffer.active; for (let y = 0; y < b.length; y++) if (b.getLine(y)?.translateToString().includes('END-42')) return true; return false; })()`;
      wettyMBs = await throughputInPage(wettyPage, file, seenInWetty).catch(async (error: Error) => {
        const screen = await wettyPage.evaluate(`(() => { const b = window.wetty_term.buffer.active; const rows = []; for (let y = Math.max(0, b.length - 5); y < b.length; y++) rows.push(b.getLine(y)?.translateToString().trim()); return rows.join(' / '); })()`);
        throw new Error(`${error.message.split('\n')[0]}; its screen ends with: ${String(screen).slice(-200)}`);
      });
      await wettyPage.close();
    } catch (error) {
      wettyProblem = `WeTTY failed here: ${error instanceof Error ? error.message : String(error)}`;
      process.stderr.write(`bench terminals: ${wettyProblem}\n`);
    }

    // Echo latency: labdeck's probe is one attendee's terminal, the busy ones are others'.
    const labdeckEcho = await echoWithBusy((i) => labdeckClient(labdeck.server, `bench${i}`));
    process.stderr.write(`bench terminals: throughput labdeck ${labdeckMBs.toFixed(1)} MB/s, WeTTY ${wettyMBs?.toFixed(1)}, xterm.js ${xtermLimit.toFixed(1)}\n`);
    if (wetty && wettyMBs !== undefined) wettyEcho = await echoWithBusy(() => wettyClient(`http://127.0.0.1:${wettyPort}`));

    // Memory per idle terminal (after the busy ones are gone).
    await sleep(500);
    const idleRss = async (open: (i: number) => Promise<EchoClient>, pid: number) => {
      const before = rssOf(pid);
      const clients: EchoClient[] = [];
      for (let i = 0; i < IDLE; i++) {
        const client = await open(i);
        await readyShell(client);
        clients.push(client);
      }
      await sleep(500);
      const delta = (rssOf(pid) - before) / IDLE;
      for (const client of clients) client.close();
      return delta;
    };
    const labdeckIdle = await idleRss((i) => labdeckClient(labdeck.server, `idle${i}`), process.pid);
    if (wetty?.pid && wettyMBs !== undefined) wettyIdle = await idleRss(() => wettyClient(`http://127.0.0.1:${wettyPort}`), wetty.pid);

    // Reconnect and repaint: a full screen, the viewer leaves, comes back and gets the screen as a snapshot.
    const reconnect: number[] = [];
    const first = await labdeckClient(labdeck.server, 'repaint');
    await readyShell(first);
    const filled = first.next('seq-done');
    first.send('seq 1 5000; echo seq-$((0))-done\r');
    await filled;
    first.close();
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const again = labdeckClient(labdeck.server, 'repaint');
      const viewer = await again;
      await viewer.snapshotAt();
      reconnect.push(performance.now() - started);
      viewer.close();
      await sleep(20);
    }
    // The page: a reload repaints the same screen.
    const reloadPage = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await reloadPage.goto(labdeck.server.url);
    await reloadPage.waitForSelector('html[data-labdeck-terminals="ready"]');
    await reloadPage.locator('.labdeck-terminal:not([hidden]) .xterm-helper-textarea').focus();
    await reloadPage.keyboard.type('echo repaint-$((3*3))\n');
    const rowsText = `/repaint-9/.test(document.querySelector('.labdeck-terminal:not([hidden]) .xterm-rows')?.innerText ?? '')`;
    await reloadPage.waitForFunction(rowsText, undefined, { timeout: 20_000 });
    const reloadStarted = performance.now();
    await reloadPage.reload();
    await reloadPage.waitForFunction(rowsText, undefined, { timeout: 20_000, polling: 10 });
    const reloadMs = performance.now() - reloadStarted;
    await reloadPage.close();

    const p = (values: number[] | undefined, q: number) => (values ? ms(percentile(values, q)) : 'n/a');
    const why = wettyProblem ?? '';
    if (wettyProblem) rows.push(`| WeTTY | | ${wettyProblem.replace(/\|/g, '\\|')} | |`);
    rows.push(
      `| output throughput, ${FILE_MIB} MiB \`cat\` to a browser terminal | ${labdeckMBs.toFixed(1)} MB/s | ${wettyMBs === undefined ? `n/a (${why})` : `${wettyMBs.toFixed(1)} MB/s`} | ≥ WeTTY, ≥ 80% of xterm.js (${(0.8 * xtermLimit).toFixed(1)} MB/s): ${labdeckMBs >= (wettyMBs ?? 0) && labdeckMBs >= 0.8 * xtermLimit ? 'met' : 'not met'} |`,
      `| xterm.js parse limit (same bytes written into an xterm in the same Chromium) | ${xtermLimit.toFixed(1)} MB/s | | |`,
      `| echo latency p50 / p99, 1 terminal | ${p(labdeckEcho.one, 50)} / ${p(labdeckEcho.one, 99)} | ${p(wettyEcho?.one, 50)} / ${p(wettyEcho?.one, 99)} | |`,
      `| echo latency p50 / p99, with ${BUSY} busy terminals | ${p(labdeckEcho.busy, 50)} / ${p(labdeckEcho.busy, 99)} | ${p(wettyEcho?.busy, 50)} / ${p(wettyEcho?.busy, 99)} | p99 < 10 ms: ${percentile(labdeckEcho.busy, 99) < 10 ? 'met' : 'not met'} |`,
      `| server memory per idle terminal (RSS delta / ${IDLE}) | ${(labdeckIdle / 2 ** 20).toFixed(2)} MiB | ${wettyIdle === undefined ? 'n/a' : `${(wettyIdle / 2 ** 20).toFixed(2)} MiB`} | < 10 MB: ${labdeckIdle < 10e6 ? 'met' : 'not met'} |`,
      `| reconnect + repaint (protocol: new socket to snapshot received, 5000 lines of history) p50 / max | ${p(reconnect, 50)} / ${p(reconnect, 100)} | n/a (WeTTY starts a new shell on reconnect) | |`,
      `| page reload until the same screen is shown (Chromium) | ${ms(reloadMs)} | n/a | |`,
    );
  } finally {
    wetty?.kill();
    await labdeck.stop();
    await browser.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  return [
    `Loopback, real Chromium for throughput, protocol clients (labdeck WebSocket, WeTTY socket.io) for echo, memory and`,
    `reconnect. WeTTY ${wettyVersion()} from npm, installed into \`.cache/wetty\`, runs \`bash\` (as root it spawns the`,
    `command locally). Echo: ${ECHO_SAMPLES} keys, one at a time; busy terminals run \`${BUSY_LOOP.trim()}\`. labdeck's`,
    `server runs in the benchmark's process, so its RSS is measured there; WeTTY's is its own process.`,
    '',
    '| measure | labdeck | WeTTY | goal |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function wettyVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(wettyDir, 'node_modules/wetty/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '(not installed)';
  }
}
