// What a deck's look needs from the server: the font files of labdeck's font packages (woff2 only, nothing else of
// node_modules), the pictures the deck's stylesheet names, and the look itself in the page, so that the first slide
// is painted in it. The real loader (workshop/deck-look.ts), the real server on port 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { loadDeck } from '../../src/workshop/load-deck.ts';
import { loadDeckLook } from '../../src/workshop/deck-look.ts';
import { fontFileFolders } from '../../src/workshop/font-faces.ts';
import { toDeckJson } from '../../src/deck/deck-json.ts';

let base: string;
let server: RunningServer;

before(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'labdeck-look-files-')));
  await mkdir(join(base, 'images'));
  await mkdir(join(base, 'public'));
  await writeFile(join(base, 'w.yml'), 'title: Look\ngenerated: false\ncontent: [a.md]\n');
  await writeFile(join(base, 'a.md'), '# Look\n');
  await writeFile(
    join(base, 'workshop.css'),
    "@import url(https://fonts.googleapis.com/css?family=Droid+Serif:400,700);\nh1 { font-family: 'Droid Serif'; }\n.warning { background-image: url(images/warning.png); }\n",
  );
  for (const image of ['warning.png', 'other.png']) await writeFile(join(base, 'images', image), 'PNG');
  const { workshop, deck } = await loadDeck(join(base, 'w.yml'));
  const json = toDeckJson(deck, { version: 1, title: 'Look', ratio: '16:9', error: null, look: loadDeckLook(workshop).json });
  server = await startServer(
    {
      deck: { current: () => json, onChange: () => ({ dispose() {} }) },
      workshopDir: base,
      assetsDir: join(base, 'public'),
      fontFolders: fontFileFolders(),
      log: () => {},
    },
    { port: 0, host: '127.0.0.1' },
  );
});

after(async () => {
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

const get = (path: string): Promise<Response> => fetch(new URL(path.slice(1), server.url));

test("the fonts the deck's stylesheet asks for are served by labdeck, woff2 files only", { timeout: 10_000 }, async () => {
  const page = await (await get('/')).text();
  const font = /url\((_labdeck\/fonts\/noto-serif\/noto-serif-latin-700-normal\.woff2)\)/.exec(page)?.[1];
  assert.ok(font, 'the page names the bold Droid Serif (Noto Serif) face, relative to itself');
  assert.match(page, /font-family: "Droid Serif";/);
  assert.doesNotMatch(page, /googleapis/);
  const response = await get(`/${font}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'font/woff2');
  assert.ok((await response.arrayBuffer()).byteLength > 1000);
  // The emoji font is named on every page (emoji print on machines without one).
  assert.match(page, /font-family: "Noto Color Emoji";[\s\S]*?url\(_labdeck\/fonts\/noto-color-emoji\/[-\w]+\.woff2\)/);
});

test('nothing else of the font packages, nor of node_modules, is served', { timeout: 10_000 }, async () => {
  for (const path of [
    '/_labdeck/fonts/noto-serif/noto-serif-latin-400-normal.woff',
    '/_labdeck/fonts/noto-serif/../400.css',
    '/_labdeck/fonts/noto-serif/%2e%2e/400.css',
    '/_labdeck/fonts/noto-serif/..%2f..%2fnoto-serif%2f400.css',
    '/_labdeck/fonts/noto-serif/',
    '/_labdeck/fonts/left-pad/index.woff2',
    '/_labdeck/fonts/noto-serif/x/noto-serif-latin-400-normal.woff2',
  ]) {
    assert.equal((await get(path)).status, 404, path);
  }
});

test("the pictures the deck's stylesheet names are served; the workshop's other files are not", { timeout: 10_000 }, async () => {
  assert.equal((await get('/images/warning.png')).status, 200);
  assert.equal((await get('/images/other.png')).status, 404);
  assert.equal((await get('/workshop.css')).status, 404, 'the page holds the scoped stylesheet: the raw file is not served');
});
