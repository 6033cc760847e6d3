// Boots the real server (createApp behind startServer) on port 0 with a deck source the test controls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, mkdir, rm, symlink, writeFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import type { DeckSource } from '../../src/deck/deck-source.ts';
import { Emitter } from '../../src/event.ts';
import { liveReloadPath, pageDataElementId, type DeckJson, type LiveMessage, type PageData } from '../../src/protocol.ts';

const slide = (index: number, name: string | null, html: string) => ({
  index,
  number: index,
  name,
  classes: [],
  notes: '',
  html,
  numberText: `${index}/2`,
  continued: false,
  source: { file: 'slides/a.md', line: index },
});
const firstDeck: DeckJson = {
  version: 1,
  title: 'Test <deck>',
  ratio: '16:9',
  error: null,
  steps: [],
  // The workshop files it references are served; the symlink out of the folder must stay refused even so.
  slides: [slide(1, 'intro', '<h1>Hello</h1><img src="images/dockercoins.png"><img src="images/link-out.png">'), slide(2, null, '<p>A </script> in text</p>')],
};

class TestDeckSource implements DeckSource {
  deck = firstDeck;
  readonly #changes = new Emitter<number>();
  readonly onChange = this.#changes.event;
  current(): DeckJson {
    return this.deck;
  }
  publish(deck: DeckJson): void {
    this.deck = deck;
    this.#changes.fire(deck.version);
  }
}

let base: string;
let server: RunningServer;
const source = new TestDeckSource();
const logged: string[] = [];

before(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'labdeck-http-')));
  const workshopDir = join(base, 'workshop');
  const assetsDir = join(base, 'public');
  await mkdir(join(workshopDir, 'images'), { recursive: true });
  await mkdir(join(assetsDir, 'build'), { recursive: true });
  await writeFile(join(workshopDir, 'images', 'dockercoins.png'), 'PNGDATA');
  await writeFile(join(workshopDir, '.secret'), 'hidden');
  await writeFile(join(base, 'outside.txt'), 'outside');
  await symlink(join(base, 'outside.txt'), join(workshopDir, 'images', 'link-out.png'));
  await writeFile(join(assetsDir, 'build', 'labdeck.js'), '/* client */');
  await writeFile(join(assetsDir, 'interstitial.svg'), '<svg/>');
  server = await startServer({ deck: source, workshopDir, assetsDir, log: (line) => logged.push(line) }, { port: 0, host: '127.0.0.1' });
});

after(async () => {
  await server.close();
  await rm(base, { recursive: true, force: true });
});

/** A request with the path sent exactly as written (fetch would normalise `..` away before sending). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, type: String(response.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the server binds where asked and reports its URL', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.notEqual(server.port, 0);
});

test('/ is the deck page with the deck embedded safely and relative asset URLs', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.type, /text\/html/);
  assert.match(page.body, /<title>Test &lt;deck&gt;<\/title>/);
  assert.match(page.body, /<script src="_labdeck\/build\/labdeck\.js"><\/script>/);
  assert.doesNotMatch(page.body, /<\/script> in text/, 'slide text must not close the data script');
  const json = page.body.match(new RegExp(`<script type="application/json" id="${pageDataElementId}">(.*?)</script>`, 's'))![1]!;
  const data = JSON.parse(json) as PageData;
  assert.equal(data.live, true);
  assert.deepEqual(data.deck, firstDeck);
});

test('/deck.json serves the current deck', async () => {
  const response = await get('/deck.json');
  assert.equal(response.status, 200);
  assert.match(response.type, /application\/json/);
  assert.deepEqual(JSON.parse(response.body), firstDeck);
});

test("labdeck's assets are served under /_labdeck/", async () => {
  assert.equal((await get('/_labdeck/build/labdeck.js')).body, '/* client */');
  assert.equal((await get('/_labdeck/interstitial.svg')).status, 200);
  assert.equal((await get('/_labdeck/images/dockercoins.png')).status, 404, 'assets do not fall through to the workshop');
});

test('the workshop files the deck references are served relative to the manifest folder', async () => {
  const image = await get('/images/dockercoins.png');
  assert.equal(image.status, 200);
  assert.match(image.type, /image\/png/);
  assert.equal(image.body, 'PNGDATA');
});

test('path traversal, hidden files and symlinks out of the workshop folder are 404', async () => {
  for (const path of [
    '/../outside.txt',
    '/images/../../outside.txt',
    '/%2e%2e/outside.txt',
    '/images/%2E%2E/%2e%2e/outside.txt',
    '/images/..%2f..%2foutside.txt',
    `/${encodeURIComponent(join(base, 'outside.txt'))}`,
    `/${join(base, 'outside.txt')}`,
    '/images/link-out.png',
    '/.secret',
    '/_labdeck/../../outside.txt',
    '/_labdeck/%2e%2e/workshop/images/dockercoins.png',
  ]) {
    const response = await get(path);
    // A target starting with `//` reads as another host to a URL parser: malformed, refused at the front door.
    assert.equal(response.status, path.startsWith('//') ? 400 : 404, path);
    assert.doesNotMatch(response.body, /outside|hidden/, path);
  }
});

test('unknown paths are 404 and nothing was logged as an internal error', async () => {
  assert.equal((await get('/nope.html')).status, 404);
  assert.deepEqual(logged, []);
});

function openLiveSocket(origin: string): Promise<{ socket: WebSocket; messages: LiveMessage[]; next: () => Promise<LiveMessage> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}${liveReloadPath}`, { origin });
    const messages: LiveMessage[] = [];
    const waiting: ((message: LiveMessage) => void)[] = [];
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as LiveMessage;
      const waiter = waiting.shift();
      if (waiter) waiter(message);
      else messages.push(message);
    });
    const next = (): Promise<LiveMessage> => (messages.length > 0 ? Promise.resolve(messages.shift()!) : new Promise((done) => waiting.push(done)));
    socket.once('open', () => resolve({ socket, messages, next }));
    socket.once('error', reject);
  });
}

test('the live socket sends the current version on connect and every new version after', async () => {
  const { socket, next } = await openLiveSocket(`http://127.0.0.1:${server.port}`);
  try {
    assert.deepEqual(await next(), { type: 'deck-changed', version: 1 });
    source.publish({ ...firstDeck, version: 2, error: 'slides/a.md:3: something is wrong' });
    assert.deepEqual(await next(), { type: 'deck-changed', version: 2 });
    assert.equal(JSON.parse((await get('/deck.json')).body).error, 'slides/a.md:3: something is wrong');
  } finally {
    socket.close();
    source.publish(firstDeck);
  }
});

test('the live socket refuses another origin, a missing origin and other paths', async () => {
  await assert.rejects(openLiveSocket('http://evil.example'), /403/);
  await assert.rejects(openLiveSocket(`http://127.0.0.1:${server.port + 1}`), /403/);
  await assert.rejects(openLiveSocket('null'), /403/);
  await assert.rejects(
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/elsewhere`, { origin: `http://127.0.0.1:${server.port}` });
      socket.once('open', resolve);
      socket.once('error', reject);
    }),
    /404/,
  );
});
