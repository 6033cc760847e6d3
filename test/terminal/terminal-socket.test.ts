// The WebSocket adapter against a real `ws` server on 127.0.0.1:0, real ws clients and real bash PTYs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { attachTerminalSocket, terminalSocketServerOptions } from '../../src/http/terminal-socket.ts';
import { ClientFrameType, decodeServerMessage, encodeClientMessage, TERMINAL_PROTOCOL_VERSION, TERMINAL_SUBPROTOCOL, type ClientMessage } from '../../src/protocol.ts';
import { DEFAULT_TERMINAL_LIMITS } from '../../src/terminal/limits.ts';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { TerminalClient, bytes, testEnvironment, waitUntil } from './terminal-client.ts';

const tokens: Record<string, { attendee: string; role: 'owner' | 'instructor' | 'watcher' }> = {
  'alice-token': { attendee: 'alice', role: 'owner' },
  'projector-token': { attendee: 'alice', role: 'watcher' },
};

async function startTerminalServer(t: import('node:test').TestContext) {
  const manager = new TerminalManager({ defaultCommand: 'bash', env: testEnvironment() });
  const logged: string[] = [];
  const server = createServer();
  // As terminal-route.ts configures it.
  const sockets = new WebSocketServer({
    server,
    ...terminalSocketServerOptions,
    handleProtocols: (protocols) => (protocols.has(TERMINAL_SUBPROTOCOL) ? TERMINAL_SUBPROTOCOL : false),
  });
  /** The server's end of each connection, in connection order. */
  const serverSides: WebSocket[] = [];
  sockets.on('connection', (socket) => {
    serverSides.push(socket);
    attachTerminalSocket(socket, { manager, authorize: (hello) => tokens[hello.token], log: (line) => logged.push(line) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    manager.dispose();
    for (const client of sockets.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });
  return { manager, logged, serverSides, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/terminal` };
}

interface Browser {
  socket: WebSocket;
  client: TerminalClient;
  closed: Promise<{ code: number; reason: string }>;
  send(message: ClientMessage): void;
}

/** A browser stand-in: ws client + headless xterm, acking after each write like the real pane. */
async function connect(url: string, token: string | undefined, terminal = 'shell'): Promise<Browser> {
  const socket = new WebSocket(url, TERMINAL_SUBPROTOCOL);
  socket.binaryType = 'arraybuffer';
  const client = new TerminalClient();
  const send = (message: ClientMessage) => socket.send(encodeClientMessage(message));
  client.onAck = (n) => send({ type: 'ack', bytes: n });
  socket.on('message', (data: ArrayBuffer) => {
    const message = decodeServerMessage(new Uint8Array(data));
    if (message.type === 'malformed' || message.type === 'unknown') throw new Error(`bad server frame: ${JSON.stringify(message)}`);
    client.send(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  if (token !== undefined) send({ type: 'hello', hello: { version: TERMINAL_PROTOCOL_VERSION, token, terminal, cols: 80, rows: 24 } });
  return { socket, client, closed, send };
}

test('hello, then output; typed input echoes; a reconnect is repainted from the mirror; a watcher cannot type', async (t) => {
  const { manager, url, logged } = await startTerminalServer(t);
  const first = await connect(url, 'alice-token');
  await waitUntil(
    () => first.client.state !== undefined,
    5000,
    () => 'state',
  );
  assert.deepEqual(first.client.state, { terminal: 'shell', role: 'owner', cols: 80, rows: 24 });
  first.send({ type: 'input', data: bytes('echo mirror-$((20+1))\r') });
  await first.client.waitForScreen(/mirror-21/);
  // An unknown frame type is logged and ignored; the connection keeps working.
  first.socket.send(new Uint8Array([0x7f, 1, 2]));
  const pid = manager.get('alice', 'shell')!.pid;
  first.socket.close();
  await first.closed;

  const second = await connect(url, 'alice-token');
  await second.client.waitForScreen(/echo mirror-\$\(\(20\+1\)\)\nmirror-21/);
  assert.equal(manager.get('alice', 'shell')!.pid, pid, 'the same shell');
  assert.equal(second.client.messages[1]?.type, 'snapshot');
  assert.ok(
    logged.some((line) => line.includes('unknown type 0x7f')),
    logged.join('\n'),
  );

  const projector = await connect(url, 'projector-token');
  await projector.client.waitForScreen(/mirror-21/);
  projector.send({ type: 'input', data: bytes('echo from-the-projector\r') });
  second.send({ type: 'input', data: bytes('echo owner-$((1+1))\r') });
  await projector.client.waitForText('owner-2');
  await second.client.waitForText('owner-2');
  assert.ok(!second.client.text.includes('from-the-projector'));
  assert.equal(manager.get('alice', 'shell')!.stats().droppedInputBytes, 'echo from-the-projector\r'.length);

  second.send({ type: 'input', data: bytes('exit 5\r') });
  const [ownerClose, projectorClose] = await Promise.all([second.closed, projector.closed]);
  assert.deepEqual(ownerClose, { code: 1000, reason: 'process exited with code 5' });
  assert.equal(projectorClose.code, 1000);
  assert.ok(second.client.messages.some((message) => message.type === 'exit' && message.code === 5));
});

test('bad clients are closed with a reason', async (t) => {
  const { url, manager } = await startTerminalServer(t);
  const cases: { name: string; act: (browser: Browser) => void; code: number; reason: RegExp }[] = [
    {
      name: 'wrong token',
      act: (b) => b.send({ type: 'hello', hello: { version: 1, token: 'nope', terminal: 'shell', cols: 80, rows: 24 } }),
      code: 1008,
      reason: /not authorized/,
    },
    { name: 'input before hello', act: (b) => b.send({ type: 'input', data: bytes('ls\r') }), code: 1008, reason: /first frame must be a hello/ },
    { name: 'malformed hello', act: (b) => b.socket.send(new Uint8Array([ClientFrameType.hello, 0x7b])), code: 1008, reason: /hello: payload must be a JSON object/ },
    {
      name: 'wrong version',
      act: (b) => b.send({ type: 'hello', hello: { version: 99, token: 'alice-token', terminal: 'shell', cols: 80, rows: 24 } }),
      code: 1008,
      reason: /protocol version 99/,
    },
    { name: 'short resize', act: (b) => b.socket.send(new Uint8Array([ClientFrameType.resize, 0, 80])), code: 1008, reason: /resize payload must be 4 bytes/ },
    { name: 'text frame', act: (b) => b.socket.send('hello'), code: 1008, reason: /binary/ },
    { name: 'oversized frame', act: (b) => b.socket.send(new Uint8Array(70 * 1024).fill(ClientFrameType.input, 0, 1)), code: 1009, reason: /larger than 65536/ },
    {
      name: 'watcher of a terminal not running',
      act: (b) => b.send({ type: 'hello', hello: { version: 1, token: 'projector-token', terminal: 'other', cols: 80, rows: 24 } }),
      code: 1008,
      reason: /not running/,
    },
  ];
  for (const { name, act, code, reason } of cases) {
    const browser = await connect(url, undefined);
    act(browser);
    const closed = await browser.closed;
    assert.equal(closed.code, code, name);
    assert.match(closed.reason, reason, name);
    browser.client.dispose();
  }
  assert.equal(manager.list().length, 0, 'nothing was spawned');
});

/**
 * A hostile client: it stops reading its socket (its TCP window fills, so the server's send buffer grows) and acks
 * 0xffffffff bytes every 5 ms, more than it was ever sent. Returns a stop function.
 */
function stopReadingAndOverAck(browser: Browser): () => void {
  (browser.socket as unknown as { _socket: Socket })._socket.pause();
  const acker = setInterval(() => browser.send({ type: 'ack', bytes: 0xffffffff }), 5);
  return () => clearInterval(acker);
}

/** The most the server's send buffer for `socket` held, sampled every 10 ms for `ms`. */
/** The most `socket` held, sampled every 10 ms for `ms`, and on until `until()` holds (a loaded machine is slower). */
async function maxBuffered(socket: WebSocket, ms: number, until: () => boolean = () => true, deadlineMs = ms): Promise<number> {
  let max = 0;
  const started = Date.now();
  while (Date.now() - started < ms || (!until() && Date.now() - started < deadlineMs)) {
    max = Math.max(max, socket.bufferedAmount);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return max;
}

// What a viewer may have in flight: its window (at most HIGH), plus a frame the PTY had already produced before
// pause() took effect and a snapshot (each well under 256 KiB), plus WebSocket framing.
const SERVER_HOLDS_AT_MOST = DEFAULT_TERMINAL_LIMITS.highWatermark + 512 * 1024;

test('an owner that stops reading and acks what it never received: the server holds no more than its window, and frees it on close', { timeout: 20_000 }, async (t) => {
  const { manager, serverSides, url } = await startTerminalServer(t);
  const owner = await connect(url, 'alice-token');
  await owner.client.waitForText('$ ');
  owner.send({ type: 'input', data: bytes('yes\r') });
  await owner.client.waitForText('y\r\ny\r\n');
  const stopAcking = stopReadingAndOverAck(owner);
  const held = await maxBuffered(serverSides[0]!, 3000);
  t.diagnostic(`the server held at most ${held} bytes for the owner`);
  assert.ok(held <= SERVER_HOLDS_AT_MOST, `the server's send buffer stayed within the window: ${held} > ${SERVER_HOLDS_AT_MOST}`);

  // It sends its close frame but still reads nothing: the server cannot deliver what it holds, and must let it go.
  stopAcking();
  owner.socket.close();
  const session = manager.get('alice', 'shell')!;
  await waitUntil(
    () => serverSides[0]!.readyState === WebSocket.CLOSED && session.viewerCount === 0,
    terminalSocketServerOptions.closeTimeout + 2000,
    () =>
      `the server side closed and the viewer detached; state ${serverSides[0]!.readyState}, ${serverSides[0]!.bufferedAmount} bytes buffered, ${session.viewerCount} viewers`,
  );
  assert.equal(serverSides[0]!.bufferedAmount, 0, 'nothing is held after close');
  (owner.socket as unknown as { _socket: Socket })._socket.destroy();
});

/** An owner that acks each frame as it arrives (no parsing): the PTY runs as fast as it can. */
async function connectFastOwner(url: string): Promise<{ received: () => number; send(message: ClientMessage): void; socket: WebSocket }> {
  const socket = new WebSocket(url, TERMINAL_SUBPROTOCOL);
  socket.binaryType = 'arraybuffer';
  const send = (message: ClientMessage) => socket.send(encodeClientMessage(message));
  let received = 0;
  let text = '';
  socket.on('message', (data: ArrayBuffer) => {
    const message = decodeServerMessage(new Uint8Array(data));
    if (message.type !== 'output' && message.type !== 'snapshot') return;
    received += message.data.byteLength;
    if (text.length < 10_000) text += new TextDecoder().decode(message.data);
    send({ type: 'ack', bytes: message.data.byteLength });
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  send({ type: 'hello', hello: { version: TERMINAL_PROTOCOL_VERSION, token: 'alice-token', terminal: 'shell', cols: 80, rows: 24 } });
  await waitUntil(
    () => text.includes('$ '),
    5000,
    () => `a prompt; got ${JSON.stringify(text)}`,
  );
  return { received: () => received, send, socket };
}

test('a watcher that stops reading and acks what it never received cannot make the server hold more than its window', { timeout: 30_000 }, async (t) => {
  const { serverSides, url } = await startTerminalServer(t);
  const owner = await connectFastOwner(url);
  const projector = await connect(url, 'projector-token');
  await projector.client.waitForText('$ ');
  const stopAcking = stopReadingAndOverAck(projector);
  t.after(stopAcking);
  owner.send({ type: 'input', data: bytes('yes\r') });
  // The owner must get well past the watcher's window: that takes longer on a loaded machine (15 s at most).
  const held = await maxBuffered(serverSides[1]!, 3000, () => owner.received() > 2 * SERVER_HOLDS_AT_MOST, 15_000);
  t.diagnostic(`the server held at most ${held} bytes for the watcher; the owner received ${owner.received()}`);
  assert.ok(owner.received() > SERVER_HOLDS_AT_MOST, `the owner was not held back (${owner.received()} bytes)`);
  assert.ok(held <= SERVER_HOLDS_AT_MOST, `the server's send buffer stayed within the window: ${held} > ${SERVER_HOLDS_AT_MOST}`);
  owner.send({ type: 'input', data: bytes('\x03') });
});

test('frames of unknown type are ignored and logged once per socket, with their count when it closes', { timeout: 10_000 }, async (t) => {
  const { logged, url } = await startTerminalServer(t);
  const browser = await connect(url, 'alice-token');
  await browser.client.waitForText('$ ');
  for (let i = 0; i < 1000; i++) browser.socket.send(new Uint8Array([0x7f, i & 0xff]));
  browser.send({ type: 'input', data: bytes('echo still-$((40+2))\r') });
  await browser.client.waitForScreen(/^still-42$/m);
  browser.socket.close();
  await browser.closed;
  await waitUntil(
    () => logged.some((line) => line.includes('1000')),
    2000,
    () => `a closing count of 1000; logged:\n${logged.join('\n')}`,
  );
  const unknown = logged.filter((line) => line.includes('unknown type'));
  assert.ok(unknown.length <= 2, `at most a first notice and a closing count, got ${unknown.length} lines:\n${unknown.slice(0, 5).join('\n')}`);
  browser.client.dispose();
});
