// The render cache (workshop/render-cache.ts): its key (pure), where it lives, and its door to the disk with real
// files in a temporary folder: a hit gives the very deck rendered, corrupt and foreign entries are misses, a
// renderer change is a miss, the folder is private and pruned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { excludedClasses, loadDeck } from '../../src/workshop/load-deck.ts';
import type { Deck } from '../../src/deck/index.ts';
import { renderMarkdownDeck } from '../../src/deck/render-deck.ts';
import { openRenderCache, renderCacheDir, renderCacheKey, rendererFingerprint, type RenderCache, type RenderInput } from '../../src/workshop/render-cache.ts';

const basic = 'test/fixtures/workshops/basic/workshop.yml';

const input: RenderInput = {
  markdown: '# One\n\n---\n\n# Two\n',
  options: { excludedClasses: ['extra'] },
  map: { segments: [{ startLine: 1, file: 'a.md', fileLine: 1 }] },
};

function temporaryFolder(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'labdeck-render-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A cache that counts what it was asked, around a real one. */
function counting(cache: RenderCache) {
  const counts = { hits: 0, misses: 0, sets: 0 };
  const wrapped: RenderCache = {
    get(given) {
      const deck = cache.get(given);
      if (deck) counts.hits += 1;
      else counts.misses += 1;
      return deck;
    },
    set(given, deck) {
      counts.sets += 1;
      cache.set(given, deck);
    },
  };
  return { cache: wrapped, counts };
}

test('renderCacheKey: the same input and renderer give the same key; any change of either gives another', { timeout: 5_000 }, () => {
  const key = renderCacheKey(input, 'r1');
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(renderCacheKey({ ...input, options: { excludedClasses: ['extra'] } }, 'r1'), key);
  const others = [
    renderCacheKey(input, 'r2'),
    renderCacheKey({ ...input, markdown: `${input.markdown} ` }, 'r1'),
    renderCacheKey({ ...input, options: { excludedClasses: [] } }, 'r1'),
    renderCacheKey({ ...input, map: { segments: [{ startLine: 1, file: 'b.md', fileLine: 1 }] } }, 'r1'),
  ];
  assert.equal(new Set([key, ...others]).size, 5);
});

test('renderCacheDir: XDG_CACHE_HOME, else ~/.cache; LABDECK_CACHE moves it or turns it off', { timeout: 5_000 }, () => {
  assert.equal(renderCacheDir({}, '/home/ann'), '/home/ann/.cache/labdeck/render');
  assert.equal(renderCacheDir({ XDG_CACHE_HOME: '/var/cache/ann' }, '/home/ann'), '/var/cache/ann/labdeck/render');
  assert.equal(renderCacheDir({ XDG_CACHE_HOME: 'relative' }, '/home/ann'), '/home/ann/.cache/labdeck/render', 'a relative XDG path is ignored');
  assert.equal(renderCacheDir({ LABDECK_CACHE: '/tmp/c' }, '/home/ann'), '/tmp/c');
  for (const off of ['off', '0', 'false', 'OFF']) assert.equal(renderCacheDir({ LABDECK_CACHE: off }, '/home/ann'), undefined, off);
  assert.equal(renderCacheDir({}, ''), undefined, 'no home, no cache');
});

test('rendererFingerprint: stable within a version of labdeck', { timeout: 5_000 }, () => {
  assert.equal(rendererFingerprint(), rendererFingerprint());
  assert.match(rendererFingerprint(), /^[0-9a-f]{64}$/);
});

test('a second load of the same deck comes from the disk, equal to the deck rendered', { timeout: 30_000 }, async (t) => {
  const dir = join(temporaryFolder(t), 'nested', 'render');
  const first = counting(openRenderCache(dir));
  const rendered = (await loadDeck(basic, {}, first.cache)).deck;
  assert.deepEqual(first.counts, { hits: 0, misses: 1, sets: 1 });
  assert.equal(statSync(dir).mode & 0o777, 0o700, 'the folder is private');
  const [entry] = readdirSync(dir);
  assert.ok(entry?.endsWith('.json'), `one entry: ${readdirSync(dir).join(', ')}`);
  assert.equal(readdirSync(dir).length, 1);
  assert.equal(statSync(join(dir, entry ?? '')).mode & 0o777, 0o600, 'the entry is private');

  const second = counting(openRenderCache(dir));
  const cached = (await loadDeck(basic, {}, second.cache)).deck;
  assert.deepEqual(second.counts, { hits: 1, misses: 0, sets: 0 });
  assert.deepStrictEqual(cached, rendered);
  assert.ok(
    rendered.slides.some((slide) => slide.name === undefined),
    'the fixture has unnamed slides (JSON drops their name)',
  );

  const other = counting(openRenderCache(dir));
  await loadDeck(basic, { exclude: ['lab'] }, other.cache);
  assert.deepEqual(other.counts, { hits: 0, misses: 1, sets: 1 }, 'another selection is another deck');
});

test('after a deck comes from the cache, an edit renders only the slides it changed (serve)', { timeout: 30_000 }, async (t) => {
  const dir = temporaryFolder(t);
  await loadDeck(basic, {}, openRenderCache(dir));
  // Mark the cached HTML of every slide: a slide rendered again after the edit loses the mark.
  const [entry] = readdirSync(dir);
  assert.ok(entry);
  const path = join(dir, entry);
  const cached = JSON.parse(readFileSync(path, 'utf8')) as { deck: { slides: { html: string }[] } };
  for (const slide of cached.deck.slides) slide.html += '<!-- cached -->';
  writeFileSync(path, JSON.stringify(cached));

  const { workshop, source, deck } = await loadDeck(basic, {}, openRenderCache(dir));
  assert.ok(deck.slides.every((slide) => slide.html.endsWith('<!-- cached -->')));
  const edited = renderMarkdownDeck(`${source.markdown}\n---\n\n# A new last slide\n`, { excludedClasses: excludedClasses(workshop) }, source.map);
  assert.equal(edited.slides.length, deck.slides.length + 1);
  assert.deepEqual(
    edited.slides.map((slide) => slide.html.endsWith('<!-- cached -->')),
    [...deck.slides.map(() => true), false],
    'the slides the edit left alone came from the cache, the new one was rendered',
  );
  assert.match(edited.slides.at(-1)!.html, /A new last slide/);
});

test('a corrupt, truncated or foreign entry is rendered again and replaced, never an error', { timeout: 30_000 }, async (t) => {
  const dir = temporaryFolder(t);
  const rendered = (await loadDeck(basic, {}, openRenderCache(dir))).deck;
  const [entry] = readdirSync(dir);
  assert.ok(entry);
  const path = join(dir, entry);
  const good = JSON.stringify({ key: entry.split('.')[0], deck: rendered });
  for (const [what, content] of [
    ['not JSON', '{"key": "abc", "deck": {"slid'],
    ['empty', ''],
    ['another key', good.replace(/"key":"[0-9a-f]+"/, `"key":"${'0'.repeat(64)}"`)],
    ['no slides', JSON.stringify({ key: entry.split('.')[0], deck: { steps: [], links: {} } })],
    ['null', 'null'],
  ] as const) {
    writeFileSync(path, content);
    const cache = counting(openRenderCache(dir));
    const deck = (await loadDeck(basic, {}, cache.cache)).deck;
    assert.deepEqual(cache.counts, { hits: 0, misses: 1, sets: 1 }, what);
    assert.deepStrictEqual(deck, rendered, what);
    const again = counting(openRenderCache(dir));
    await loadDeck(basic, {}, again.cache);
    assert.deepEqual(again.counts, { hits: 1, misses: 0, sets: 0 }, `${what}: replaced by a good entry`);
  }
});

test('another renderer (a new labdeck version or deck engine) does not read the entries of the old one', { timeout: 30_000 }, async (t) => {
  const dir = temporaryFolder(t);
  await loadDeck(basic, {}, openRenderCache(dir, { fingerprint: 'labdeck 0.1.0' }));
  const newer = counting(openRenderCache(dir, { fingerprint: 'labdeck 0.2.0' }));
  await loadDeck(basic, {}, newer.cache);
  assert.deepEqual(newer.counts, { hits: 0, misses: 1, sets: 1 });
  assert.equal(readdirSync(dir).length, 2);
});

test('a folder others may read or write is not used: its entries could have been planted there', { timeout: 30_000 }, async (t) => {
  const dir = temporaryFolder(t);
  const rendered = (await loadDeck(basic, {}, openRenderCache(dir))).deck;
  const [entry] = readdirSync(dir);
  assert.ok(entry);
  for (const mode of [0o777, 0o755, 0o720]) {
    chmodSync(dir, mode);
    const before: number = statSync(join(dir, entry)).mtimeMs;
    const cache = counting(openRenderCache(dir));
    assert.deepStrictEqual((await loadDeck(basic, {}, cache.cache)).deck, rendered);
    assert.equal(cache.counts.hits, 0, `mode ${mode.toString(8)}: not read`);
    assert.equal(statSync(join(dir, entry)).mtimeMs, before, `mode ${mode.toString(8)}: not written`);
    assert.equal(statSync(dir).mode & 0o777, mode, 'left as it is');
  }
});

test('an unusable folder only means no cache: the deck is rendered, nothing thrown', { timeout: 30_000 }, async (t) => {
  const file = join(temporaryFolder(t), 'a-file');
  writeFileSync(file, 'not a folder');
  const cache = counting(openRenderCache(join(file, 'render')));
  assert.ok((await loadDeck(basic, {}, cache.cache)).deck.slides.length > 0);
  assert.deepEqual(cache.counts, { hits: 0, misses: 1, sets: 1 });
  assert.deepEqual(openRenderCache(undefined).get(input), undefined, 'turned off: remembers nothing');
});

test('the folder is pruned to its size, least recently used entries first', { timeout: 30_000 }, (t) => {
  const dir = temporaryFolder(t);
  const deck: Deck = { slides: [], steps: [], links: {} };
  const inputs = [0, 1, 2, 3].map((i) => ({ ...input, markdown: `deck ${i}` }));
  const probe = temporaryFolder(t);
  openRenderCache(probe).set(inputs[0]!, deck);
  const entrySize = statSync(join(probe, readdirSync(probe)[0]!)).size;
  // Room for three entries and a half.
  const cache = openRenderCache(dir, { maxBytes: Math.floor(3.5 * entrySize) });
  inputs.forEach((given, i) => {
    const before = new Set(readdirSync(dir));
    cache.set(given, deck);
    // Written in the past, oldest first, so that "least recently used" does not depend on the clock's resolution.
    const written = readdirSync(dir).find((name) => !before.has(name));
    assert.ok(written, `entry ${i} written`);
    const age = new Date(Date.now() - (10 - i) * 60_000);
    utimesSync(join(dir, written), age, age);
  });
  assert.equal(readdirSync(dir).length, 3, 'the oldest went');
  assert.equal(cache.get(inputs[0]!), undefined, 'the least recently used one');
  assert.ok(cache.get(inputs[1]!), 'the others stay');
  cache.get(inputs[1]!);
  cache.set({ ...input, markdown: 'deck 4' }, deck);
  assert.ok(cache.get(inputs[1]!), 'a hit makes an entry recently used: it stays');
  assert.equal(cache.get(inputs[2]!), undefined, 'the least recently used one went');
});

test('slides and build keep and read their decks in the cache folder the CLI names', { timeout: 60_000 }, async (t) => {
  const { runLabdeck } = await import('../cli/run-cli.ts');
  const dir = join(temporaryFolder(t), 'render');
  const first = await runLabdeck(['slides', basic, '--json'], { renderCacheDir: dir });
  assert.equal(first.code, 0, first.stderr);
  const uncached = await runLabdeck(['slides', basic, '--json']);
  assert.equal(uncached.stdout, first.stdout, 'without a cache folder: rendered, the same');
  const [entry] = readdirSync(dir);
  assert.ok(entry, 'slides wrote the deck to the cache');
  // Mark the cached deck, to see who reads it.
  const path = join(dir, entry);
  const cached = JSON.parse(readFileSync(path, 'utf8')) as { deck: { slides: { html: string }[] } };
  cached.deck.slides[0]!.html += '<p>read from the cache</p>';
  writeFileSync(path, JSON.stringify(cached));

  const second = await runLabdeck(['slides', basic, '--json'], { renderCacheDir: dir });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /read from the cache/);
  const out = join(temporaryFolder(t), 'export');
  const built = await runLabdeck(['build', basic, '--out', out], { renderCacheDir: dir });
  assert.equal(built.code, 0, built.stderr);
  assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /read from the cache/);
});
