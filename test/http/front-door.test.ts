// The front door of the HTTP server, over raw sockets against real started servers, with the requests an outside
// review sent (issue #11): an undecodable token cookie, a malformed request target, another site's name in Host (DNS
// rebinding), wrong methods. After each, the server must still answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { createAccess } from '../../src/classroom/access.ts';
import { openClassroom, type Classroom } from '../../src/classroom/classroom.ts';
import { createTerminalService, terminalSocketPath } from '../../src/http/terminal-route.ts';
import { routeUpgrades } from '../../src/http/upgrade.ts';
import { errorHandler } from '../../src/http/errors.ts';
import express from 'express';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { followPath, liveReloadPath, type DeckJson, type SlideJson } from '../../src/protocol.ts';
import { testEnvironment } from '../terminal/terminal-client.ts';
import { runLabdeck } from '../cli/run-cli.ts';

// The slide references picture.png: the workshop folder serves what the deck references, nothing else.
const slides = [{ html: '<h1>Hi</h1><img src="picture.png">', notes: '', source: { file: 'slides/door.md', line: 1 } }] as unknown as SlideJson[];
const deck: DeckJson = { version: 1, title: 'Door', ratio: '16:9', error: null, slides, steps: [] };
const deckSource = { current: () => deck, onChange: () => ({ dispose() {} }) };
const instructorToken = 'instructor-secret-token';
const noChecks = {
  state: () => ({ engine: { reachable: true, error: null, swarm: 'active' as const }, results: [] }),
  onUpdate: () => ({ dispose: () => {} }),
};

let scratch: string;
/** `labdeck serve` on loopback, one allowed name, terminals: what a presenter runs. */
let presenter: RunningServer;
/** `labdeck serve --classroom` on loopback. */
let classroom: Classroom;
let classServer: RunningServer;
/** Bound to every interface, with `--allowed-hosts class.example`. */
let lan: RunningServer;
const logged: string[] = [];

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'labdeck-front-door-'));
  await mkdir(join(scratch, 'public', 'build'), { recursive: true });
  await writeFile(join(scratch, 'public', 'build', 'labdeck.js'), '/* client */');
  await writeFile(join(scratch, 'picture.png'), 'PNG');
  const access = createAccess({ openToLocalAttendee: true, instructorToken });
  const terminals = createTerminalService({
    manager: new TerminalManager({ defaultCommand: 'bash', env: testEnvironment() }),
    access,
    terminals: ['shell'],
    handsOn: [],
    log: (line) => logged.push(line),
  });
  const log = (line: string): void => void logged.push(line);
  presenter = await startServer(
    { deck: deckSource, workshopDir: scratch, assetsDir: join(scratch, 'public'), log, access, terminals },
    { port: 0, host: '127.0.0.1', allowedHosts: ['labdeck.lan'] },
  );
  classroom = openClassroom({ dataDir: join(scratch, 'class'), deck: deckSource, checksOf: () => noChecks, openToLocalAttendee: false });
  classServer = await startServer(
    { deck: deckSource, workshopDir: scratch, assetsDir: join(scratch, 'public'), log, access: classroom.access, classroom },
    { port: 0, host: '127.0.0.1' },
  );
  lan = await startServer(
    { deck: deckSource, workshopDir: scratch, assetsDir: join(scratch, 'public'), log, access: createAccess({ openToLocalAttendee: false }) },
    { port: 0, host: '0.0.0.0', allowedHosts: ['class.example'] },
  );
});

after(async () => {
  await presenter?.close();
  await classServer?.close();
  await lan?.close();
  classroom?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Sends `head` (request line and headers, `\r\n`-separated, without the blank line) exactly as written over a plain
 * TCP socket and reads one response: its head, then its body by Content-Length (a 101 has none).
 */
function raw(port: number, head: string, deadlineMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const fail = (why: string): void => {
      socket.destroy();
      reject(new Error(`${why}; received: ${JSON.stringify(received)}`));
    };
    const timer = setTimeout(() => fail(`no complete response within ${deadlineMs} ms`), deadlineMs);
    const done = (response: RawResponse): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1]);
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      const body = received.slice(end + 4);
      const length = Number(headers['content-length'] ?? 0);
      if (status === 101 || Buffer.byteLength(body, 'latin1') >= length) done({ status, headers, body });
    });
    socket.on('error', (error) => fail(`socket error ${error.message}`));
    socket.on('close', () => fail('closed before a complete response'));
    socket.write(`${head}\r\n\r\n`);
  });
}

const upgradeHeaders = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
const hostOf = (server: RunningServer): string => `127.0.0.1:${server.port}`;

/** The server still serves its deck, to its own name, after whatever came before. */
async function assertStillServing(server: RunningServer): Promise<void> {
  const response = await raw(server.port, `GET /deck.json HTTP/1.1\r\nHost: ${hostOf(server)}\r\nConnection: close`);
  assert.equal(response.status, 200, 'the server still answers');
}

test('an undecodable token cookie is no token: an upgrade is answered and the server lives on', { timeout: 20_000 }, async () => {
  for (const path of [followPath, liveReloadPath, '/elsewhere']) {
    const response = await raw(
      presenter.port,
      `GET ${path} HTTP/1.1\r\nHost: ${hostOf(presenter)}\r\nOrigin: http://${hostOf(presenter)}\r\nCookie: labdeck_token=%\r\n${upgradeHeaders}`,
    );
    assert.equal(response.status, path === '/elsewhere' ? 404 : 101, path);
  }
  await assertStillServing(presenter);
});

test('an undecodable token cookie on a class route is no token: no 500, and nothing logged holds a token', { timeout: 20_000 }, async () => {
  const page = await raw(classServer.port, `GET / HTTP/1.1\r\nHost: ${hostOf(classServer)}\r\nCookie: labdeck_token=%\r\nConnection: close`);
  assert.equal(page.status, 303, 'nobody: sent to /join');
  assert.equal(page.headers.location, '/join');
  // An empty first ?token= falls through to the cookie, as the review found: the URL then held a real-looking token.
  const data = await raw(
    classServer.port,
    `GET /deck.json?token=&token=SECRET-IN-URL HTTP/1.1\r\nHost: ${hostOf(classServer)}\r\nCookie: labdeck_token=%\r\nAccept: application/json\r\nConnection: close`,
  );
  assert.equal(data.status, 401);
  assert.deepEqual(
    logged.filter((line) => line.includes('SECRET')),
    [],
  );
  await assertStillServing(presenter);
});

test('a malformed request target is 400, over HTTP and on an upgrade, and the server lives on', { timeout: 20_000 }, async () => {
  for (const target of ['//[', '//evil.example/_labdeck/follow', '/\\evil.example/deck.json']) {
    const upgrade = await raw(presenter.port, `GET ${target} HTTP/1.1\r\nHost: ${hostOf(presenter)}\r\nOrigin: http://${hostOf(presenter)}\r\n${upgradeHeaders}`);
    assert.equal(upgrade.status, 400, `upgrade ${target}`);
    const plain = await raw(presenter.port, `GET ${target} HTTP/1.1\r\nHost: ${hostOf(presenter)}\r\nConnection: close`);
    assert.equal(plain.status, 400, `GET ${target}`);
    assert.match(plain.body, /request target/i);
  }
  await assertStillServing(presenter);
});

test('an internal error on a route is logged with its URL, without the token', { timeout: 20_000 }, async () => {
  const lines: string[] = [];
  const app = express();
  app.get('/fails', (request) => {
    throw new Error(`could not serve ${request.originalUrl}`);
  });
  app.use(errorHandler((line) => lines.push(line)));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const response = await raw(port, `GET /fails?x=1&token=SECRET-TOKEN HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close`);
    assert.equal(response.status, 500);
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0]!, /SECRET/);
    assert.match(lines[0]!, /^GET \/fails\?x=1&token=\[redacted\]: Error: could not serve \/fails\?x=1&token=\[redacted\]/);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('the upgrade dispatch never throws out of its listener: a failing channel is a 500, logged without its token', { timeout: 20_000 }, async () => {
  const lines: string[] = [];
  const server: Server = createServer();
  routeUpgrades(
    server,
    {
      '/boom': (request) => {
        throw new Error(`channel failed on ${request.url}`);
      },
    },
    { log: (line) => lines.push(line) },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const response = await raw(port, `GET /boom?token=SECRET-TOKEN&x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${upgradeHeaders}`);
    assert.equal(response.status, 500);
    assert.equal(lines.length, 1, 'the failure is logged');
    assert.doesNotMatch(lines[0]!, /SECRET/);
    assert.match(lines[0]!, /\/boom\?token=\[redacted\]&x=1/);
    // The process survived and the listener is still there.
    assert.equal((await raw(port, `GET /other HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${upgradeHeaders}`)).status, 404);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('DNS rebinding: another name in Host is refused on every route and every upgrade of a loopback server', { timeout: 20_000 }, async () => {
  const evil = `evil.example:${presenter.port}`;
  for (const path of ['/deck.json', '/', '/_labdeck/terminals.json', '/picture.png', `/?token=${instructorToken}`]) {
    const response = await raw(presenter.port, `GET ${path} HTTP/1.1\r\nHost: ${evil}\r\nConnection: close`);
    assert.equal(response.status, 403, path);
    assert.match(response.headers['content-type'] ?? '', /text\/plain/);
    assert.match(response.body, /--allowed-hosts evil\.example/, 'the refusal says how to allow the name');
  }
  for (const path of [terminalSocketPath, followPath, liveReloadPath]) {
    const response = await raw(presenter.port, `GET ${path} HTTP/1.1\r\nHost: ${evil}\r\nOrigin: http://${evil}\r\n${upgradeHeaders}`);
    assert.equal(response.status, 403, path);
  }
  await assertStillServing(presenter);
});

test('a loopback server answers to its loopback names on its own port, and to the allowed names', { timeout: 20_000 }, async () => {
  const port = presenter.port;
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`, `127.1.2.3:${port}`, `labdeck.lan:${port}`, 'labdeck.lan']) {
    assert.equal((await raw(port, `GET /deck.json HTTP/1.1\r\nHost: ${host}\r\nConnection: close`)).status, 200, host);
  }
  for (const host of [`localhost:${port + 1}`, 'localhost', `labdeck.lan.evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
    assert.equal((await raw(port, `GET /deck.json HTTP/1.1\r\nHost: ${host}\r\nConnection: close`)).status, 403, host);
  }
  assert.equal((await raw(port, 'GET /deck.json HTTP/1.0')).status, 400, 'no Host at all');
  assert.equal((await raw(port, `GET /deck.json HTTP/1.1\r\nHost: a b:${port}\r\nConnection: close`)).status, 400, 'a Host that names nothing');
  const upgrade = await raw(port, `GET ${followPath} HTTP/1.1\r\nHost: localhost:${port}\r\nOrigin: http://localhost:${port}\r\n${upgradeHeaders}`);
  assert.equal(upgrade.status, 101, 'the local page on localhost opens its channels');
});

test('bound to every interface with --allowed-hosts: those names and the loopback ones only', { timeout: 20_000 }, async () => {
  for (const [host, status] of [
    ['class.example', 200],
    [`class.example:${lan.port}`, 200],
    [`127.0.0.1:${lan.port}`, 200],
    [`evil.example:${lan.port}`, 403],
  ] as const) {
    assert.equal((await raw(lan.port, `GET /deck.json HTTP/1.1\r\nHost: ${host}\r\nConnection: close`)).status, status, host);
  }
  const upgrade = await raw(lan.port, `GET ${liveReloadPath} HTTP/1.1\r\nHost: evil.example\r\nOrigin: http://evil.example\r\n${upgradeHeaders}`);
  assert.equal(upgrade.status, 403);
});

test('every response says no-referrer, refusals included', { timeout: 20_000 }, async () => {
  for (const [server, path, host] of [
    [presenter, '/', hostOf(presenter)],
    [presenter, '/nope', hostOf(presenter)],
    [presenter, '/deck.json', `evil.example:${presenter.port}`],
    [classServer, '/', hostOf(classServer)],
  ] as const) {
    const response = await raw(server.port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close`);
    assert.equal(response.headers['referrer-policy'], 'no-referrer', `${path} (${response.status})`);
  }
});

test('a wrong method on a path that exists is 405 with Allow; on a path that does not, 404', { timeout: 20_000 }, async () => {
  const cookie = `labdeck_token=${classroom.access.instructorToken}`;
  for (const [server, request, allow] of [
    [presenter, 'POST /deck.json', 'GET, HEAD'],
    [presenter, 'DELETE /', 'GET, HEAD'],
    [presenter, 'PUT /_labdeck/build/labdeck.js', 'GET, HEAD'],
    [presenter, 'POST /picture.png', 'GET, HEAD'],
    [presenter, 'PATCH /_labdeck/terminals.json', 'GET, HEAD'],
    [classServer, 'DELETE /join', 'GET, HEAD, POST'],
    [classServer, 'POST /deck.json', 'GET, HEAD'],
  ] as const) {
    const response = await raw(server.port, `${request} HTTP/1.1\r\nHost: ${hostOf(server)}\r\nCookie: ${cookie}\r\nContent-Length: 0\r\nConnection: close`);
    assert.equal(response.status, 405, request);
    assert.equal(response.headers.allow, allow, request);
  }
  // A file the deck does not reference is not served: a 405 would tell that it exists.
  await writeFile(join(scratch, 'secret.yml'), 'token: x');
  for (const request of ['POST /nope', 'DELETE /_labdeck/nope.js', 'PUT /images/none.png', 'POST /secret.yml']) {
    const response = await raw(presenter.port, `${request} HTTP/1.1\r\nHost: ${hostOf(presenter)}\r\nContent-Length: 0\r\nConnection: close`);
    assert.equal(response.status, 404, request);
  }
});

test('`labdeck serve --allowed-hosts` gives its names to the server it starts', { timeout: 30_000 }, async () => {
  let stop!: () => void;
  let output = '';
  let announced!: (url: string) => void;
  const url = new Promise<string>((resolve) => (announced = resolve));
  const run = runLabdeck(['serve', '--port', '0', '--allowed-hosts', 'labdeck.lan'], {
    stdout: (text) => {
      output += text;
      const found = /serving \d+ slides at (http:\/\/\S+\/)/.exec(output)?.[1];
      if (found) announced(found);
    },
    stderr: () => {},
    untilStopped: () => new Promise<void>((resolve) => (stop = resolve)),
  });
  const port = Number(new URL(await Promise.race([url, run.then((ended) => assert.fail(`serve ended: ${ended.stderr}`))])).port);
  try {
    assert.equal((await raw(port, `GET /deck.json HTTP/1.1\r\nHost: labdeck.lan:${port}\r\nConnection: close`)).status, 200);
    assert.equal((await raw(port, `GET /deck.json HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close`)).status, 403);
  } finally {
    stop();
    await run;
  }
});
