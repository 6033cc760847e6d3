// The watcher behind live reload (src/workshop/live-deck.ts): file changes → reload → listeners told; failures keep the last
// good slides with the error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveDeck, type WatchedDeck } from '../../src/workshop/live-deck.ts';
import { LabdeckError } from '../../src/errors.ts';
import type { RenderedSlide } from '../../src/deck/types.ts';
import { within } from '../support/wait.ts';

let dir: string;
let chapter: string;
let loads = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labdeck-watch-'));
  chapter = join(dir, 'chapter.md');
  await writeFile(chapter, 'first');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for loadDeck: one slide whose HTML is the chapter's text; "BROKEN" in it is a deck error. */
async function load(): Promise<WatchedDeck> {
  loads += 1;
  const text = await readFile(chapter, 'utf8');
  if (text.includes('BROKEN')) throw new LabdeckError('unbalanced bracket', { file: 'chapter.md', line: 1 });
  const slide: RenderedSlide = {
    position: 1,
    number: 1,
    name: undefined,
    classes: [],
    properties: {},
    continued: false,
    html: `<p>${text}</p>`,
    notesHtml: '',
    numberText: '1/1',
    source: { file: 'chapter.md', line: 1 },
  };
  return { deck: { slides: [slide], steps: [], links: {} }, title: 'Watched', ratio: '16:9', files: [chapter, join(dir, 'missing.txt')] };
}

/** The version of the deck's next change; fails after 10 s saying which version the deck was still at. */
function nextChange(deck: LiveDeck): Promise<number> {
  const changed = new Promise<number>((resolve) => {
    const subscription = deck.onChange((version) => {
      subscription.dispose();
      resolve(version);
    });
  });
  return within(changed, 10_000, () => `a change of the deck; still at version ${deck.current().version} after ${loads} loads, error ${deck.current().error}`);
}

test('edits reload the deck, failures keep the last good slides with the error, fixes clear it', async () => {
  const logged: string[] = [];
  const deck = await LiveDeck.start({ load, log: (line) => logged.push(line), settleMs: 20 });
  try {
    assert.equal(deck.current().version, 1);
    assert.equal(deck.current().slides[0]!.html, '<p>first</p>');

    let changed = nextChange(deck);
    await writeFile(chapter, 'second');
    assert.equal(await changed, 2);
    assert.equal(deck.current().slides[0]!.html, '<p>second</p>');
    assert.equal(deck.current().error, null);

    changed = nextChange(deck);
    await writeFile(chapter, 'BROKEN');
    assert.equal(await changed, 3);
    assert.equal(deck.current().slides[0]!.html, '<p>second</p>', 'the last good slides stay');
    assert.equal(deck.current().error, 'chapter.md:1: unbalanced bracket');
    assert.ok(logged.some((line) => line.includes('chapter.md:1: unbalanced bracket')));

    // Editors save by renaming a new file over the old one: the watch must survive it.
    changed = nextChange(deck);
    await writeFile(join(dir, 'chapter.md.tmp'), 'third');
    await rename(join(dir, 'chapter.md.tmp'), chapter);
    assert.equal(await changed, 4);
    assert.equal(deck.current().slides[0]!.html, '<p>third</p>');
    assert.equal(deck.current().error, null);
  } finally {
    deck.dispose();
  }
});

test('changes to files the deck does not use are ignored; bursts of writes reload once', async () => {
  // The three writes of the burst must fall within one settle time even when the machine is busy (50 ms was not
  // always enough on 2 loaded cores); the waits for a reload that must not come are twice the settle time.
  const settleMs = 500;
  const deck = await LiveDeck.start({ load, log: () => {}, settleMs });
  try {
    const before = loads;
    await writeFile(join(dir, 'unrelated.md'), 'x');
    await new Promise((resolve) => setTimeout(resolve, 2 * settleMs));
    assert.equal(loads, before, 'an unrelated file does not reload');

    const changed = nextChange(deck);
    for (const text of ['a', 'ab', 'abc']) await writeFile(chapter, text);
    await changed;
    await new Promise((resolve) => setTimeout(resolve, 2 * settleMs));
    assert.equal(loads, before + 1);
    assert.equal(deck.current().slides[0]!.html, '<p>abc</p>');
  } finally {
    deck.dispose();
  }
});

test('a deck broken at start is the caller’s error', async () => {
  await writeFile(chapter, 'BROKEN');
  await assert.rejects(LiveDeck.start({ load, log: () => {} }), /chapter\.md:1: unbalanced bracket/);
  await writeFile(chapter, 'fine');
});
