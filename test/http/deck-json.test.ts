// The deck as it leaves the machine: files named relative to the workshop folder, in the slides, steps and error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relativeToWorkshop } from '../../src/deck/deck-json.ts';
import type { DeckJson, SlideJson } from '../../src/protocol.ts';

const workshop = '/home/ana/talks/swarm';
const slide = (file: string): SlideJson => ({
  index: 1,
  number: 1,
  name: null,
  classes: [],
  notes: '',
  html: '<p>x</p>',
  numberText: '1/1',
  continued: false,
  source: { file, line: 3 },
});
const deck = (files: string[], error: string | null): DeckJson => ({
  version: 2,
  title: 'T',
  ratio: '16:9',
  error,
  slides: files.map(slide),
  steps: files.map((file) => ({ id: 'a.b', slide: 1, index: 0, text: 't', commands: [], directives: [], source: { file, line: 9 } })),
});

test('slides and steps name their files relative to the workshop folder, also outside it', () => {
  const sent = relativeToWorkshop(deck([`${workshop}/slides/a.md`, `${workshop}/workshop.yml`, '/home/ana/shared/b.md'], null), workshop);
  assert.deepEqual(
    sent.slides.map((s) => s.source),
    [
      { file: 'slides/a.md', line: 3 },
      { file: 'workshop.yml', line: 3 },
      { file: '../../shared/b.md', line: 3 },
    ],
  );
  assert.deepEqual(
    sent.steps.map((s) => (s as { source: unknown }).source),
    [
      { file: 'slides/a.md', line: 9 },
      { file: 'workshop.yml', line: 9 },
      { file: '../../shared/b.md', line: 9 },
    ],
  );
  assert.equal(sent.version, 2);
});

test('names that are not paths (generated slides) stay as they are', () => {
  assert.equal(relativeToWorkshop(deck(['<deck>'], null), workshop).slides[0]!.source.file, '<deck>');
});

test("the error's paths of the workshop folder and its parents become relative; others and near-misses stay", () => {
  const error =
    `${workshop}/workshop.yml:4: chapter file not found: ../../shared/c.md (looked for /home/ana/shared/c.md); ` +
    `not in ${workshop}, nor ${workshop}-old/x.md, nor /usr/share/x, nor https://example.org/home/ana/x`;
  assert.equal(
    relativeToWorkshop(deck([], error), workshop).error,
    'workshop.yml:4: chapter file not found: ../../shared/c.md (looked for ../../shared/c.md); not in ., nor ../swarm-old/x.md, nor /usr/share/x, nor https://example.org/home/ana/x',
  );
});
