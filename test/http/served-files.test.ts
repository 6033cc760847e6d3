// What the server hands out from the workshop folder: only the files the current deck references, never the class's
// data, and no path of this machine in the deck it sends. A real workshop on disk, the real deck loader and watcher,
// the real server on port 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { loadDeck } from '../../src/workshop/load-deck.ts';
import { LiveDeck } from '../../src/workshop/live-deck.ts';
import { pageDataElementId, type DeckJson, type PageData } from '../../src/protocol.ts';

let base: string;
let workshop: string;
let manifest: string;
let chapter: string;
let chapterText: string;
let liveDeck: LiveDeck;
let server: RunningServer;

const manifestText = 'title: Served files\ngenerated: false\ncontent:\n- slides/a.md\n';

before(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'labdeck-served-')));
  workshop = join(base, 'workshop');
  manifest = join(workshop, 'workshop.yml');
  chapter = join(workshop, 'slides', 'a.md');
  for (const folder of ['slides', 'images', 'exercises', 'data', 'public']) await mkdir(join(workshop, folder), { recursive: true });
  await mkdir(join(base, 'public'));
  chapterText = [
    '# Whales',
    '',
    '![a whale](images/whale.png) ![from the root](/images/top.png)',
    '',
    '[the store](data/labdeck.sqlite-wal) and [a picture of it](images/store.png)',
    '',
    '.exercise[',
    '- Look:',
    '  ```bash',
    '  docker ps',
    '  ```',
    ']',
    '',
    '???',
    '',
    '![in the notes](images/notes.png)',
    '',
  ].join('\n');
  await writeFile(manifest, manifestText);
  await writeFile(chapter, chapterText);
  for (const image of ['whale.png', 'top.png', 'notes.png', 'later.png']) await writeFile(join(workshop, 'images', image), 'PNG');
  await writeFile(join(workshop, 'exercises', 'a.yml'), 'steps: []\n');
  await writeFile(join(workshop, 'attendees.yml'), 'tls:\n  key: server.key\n');
  await writeFile(join(workshop, 'server.key'), '-----BEGIN PRIVATE KEY-----');
  for (const file of ['labdeck.sqlite', 'labdeck.sqlite-wal', 'labdeck.sqlite-shm']) await writeFile(join(workshop, 'data', file), 'instructor-token');
  // A link inside the workshop folder to the store: resolveInside allows it (it stays inside), the data rule must not.
  await symlink(join(workshop, 'data', 'labdeck.sqlite'), join(workshop, 'images', 'store.png'));

  liveDeck = await LiveDeck.start({
    load: async () => {
      const { workshop: loaded, deck } = await loadDeck(manifest);
      return { deck, title: loaded.pageTitle, ratio: loaded.ratio, files: [manifest, chapter] };
    },
    log: () => {},
    settleMs: 20,
  });
  server = await startServer(
    { deck: liveDeck, workshopDir: workshop, dataDir: join(workshop, 'data'), assetsDir: join(base, 'public'), log: () => {} },
    { port: 0, host: '127.0.0.1' },
  );
});

after(async () => {
  await server?.close();
  liveDeck?.dispose();
  await rm(base, { recursive: true, force: true });
});

const status = async (path: string): Promise<number> => (await fetch(new URL(path.slice(1), server.url))).status;

/** Waits for the deck's next reload, or fails saying which version it was still at. */
function nextReload(deadlineMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no reload within ${deadlineMs} ms (still version ${liveDeck.current().version})`));
    }, deadlineMs);
    const subscription = liveDeck.onChange(() => {
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    });
  });
}

test('the files the deck references are served: images of slides and of presenter notes, root paths too', { timeout: 10_000 }, async () => {
  assert.equal(await status('/images/whale.png'), 200);
  assert.equal(await status('/images/top.png'), 200);
  assert.equal(await status('/images/notes.png'), 200);
});

test('nothing else in the workshop folder is served: manifest, chapters, check specs, attendees, keys', { timeout: 10_000 }, async () => {
  for (const path of ['/workshop.yml', '/slides/a.md', '/exercises/a.yml', '/attendees.yml', '/server.key', '/images/later.png']) {
    assert.equal(await status(path), 404, path);
  }
});

test('the data folder is never served, even when a slide links to it or to a link to it', { timeout: 10_000 }, async () => {
  for (const path of ['/data/labdeck.sqlite', '/data/labdeck.sqlite-wal', '/data/labdeck.sqlite-shm', '/images/store.png']) {
    const response = await fetch(new URL(path.slice(1), server.url));
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(await response.text(), /instructor-token/, path);
  }
});

test('an image a slide starts referencing after a live edit is served once the deck reloaded', { timeout: 10_000 }, async () => {
  assert.equal(await status('/images/later.png'), 404, 'not referenced yet');
  const reloaded = nextReload();
  await writeFile(chapter, `${chapterText}\n---\n\n![added](images/later.png)\n`);
  await reloaded;
  assert.equal(liveDeck.current().error, null);
  assert.equal(await status('/images/later.png'), 200);
});

test('/deck.json and the deck page name files relative to the workshop folder: no path of this machine', { timeout: 10_000 }, async () => {
  const machinePaths = [base, workshop, await realpath(tmpdir()), homedir(), process.cwd()];
  const assertNoMachinePath = (text: string, what: string): void => {
    for (const path of machinePaths) assert.ok(!text.includes(path), `${what} holds ${path}: ${text.slice(0, 400)}`);
  };
  const deck = (await (await fetch(new URL('deck.json', server.url))).json()) as DeckJson;
  assert.equal(deck.slides[0]!.source.file, 'slides/a.md');
  assert.equal((deck.steps[0] as { source: { file: string } }).source.file, 'slides/a.md');
  assertNoMachinePath(JSON.stringify(deck), '/deck.json');

  // A failed reload's error names files too ("chapter file not found: … (looked for /…)").
  const reloaded = nextReload();
  await writeFile(manifest, `${manifestText}- slides/missing.md\n`);
  await reloaded;
  try {
    const broken = await (await fetch(new URL('deck.json', server.url))).text();
    const error = (JSON.parse(broken) as DeckJson).error ?? '';
    assert.match(error, /^workshop\.yml:\d+: chapter file not found: slides\/missing\.md/);
    assertNoMachinePath(broken, '/deck.json with an error');
    const page = await (await fetch(server.url)).text();
    const data = page.match(new RegExp(`<script type="application/json" id="${pageDataElementId}">(.*?)</script>`, 's'))![1]!;
    assert.equal((JSON.parse(data) as PageData).deck.error, error);
    assertNoMachinePath(page, 'the deck page');
  } finally {
    const fixed = nextReload();
    await writeFile(manifest, manifestText);
    await fixed;
  }
  assert.equal(await readFile(manifest, 'utf8'), manifestText);
});
